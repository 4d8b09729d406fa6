"""Camunda Forms (form-js) definitions: reading, checking at deploy time, validating submissions.

The browser validates too, but a form is only a suggestion to a client: the server validates every
submission against the same definition (required, types, options, lengths, ranges, patterns), refuses keys
the form does not have (so nobody can write case variables a form does not offer), and skips fields the
form's own `conditional.hide` rule hides.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from . import phone
from .feel import FeelError, compile_feel, evaluate

INPUT_TYPES = {
    "textfield",
    "textarea",
    "number",
    "checkbox",
    "checklist",
    "radio",
    "select",
    "taglist",
    "datetime",
    "filepicker",
}
# A filepicker's value in the case data is the id of a document of the case (docs/documents.md), never its bytes.
_DOCUMENT_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
CONTAINER_TYPES = {"group", "dynamiclist"}
STATIC_TYPES = {"text", "html", "image", "spacer", "separator", "button", "table", "iframe", "expression"}
OPTION_TYPES = {"radio", "select", "checklist", "taglist"}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Cross-field rules a field can state (docs/modeling.md#rules-between-fields): its value must not lie before
# (after) the value of another field of the form; `<rule>Message` replaces the message that is generated.
ORDER_PROPERTIES = ("notBefore", "notAfter")
ORDERED_TYPES = {"datetime", "number"}
LOCAL_ZONE = ZoneInfo("Europe/Amsterdam")


class FormDefinitionError(ValueError):
    """A form definition that cannot be used; `key` names the component when there is one."""

    def __init__(self, message: str, key: str | None = None):
        super().__init__(message)
        self.key = key


@dataclass
class Field:
    key: str
    type: str
    label: str
    path: tuple
    component: dict
    hide_rule: object = None
    options: list | None = None

    @property
    def validate_rules(self) -> dict:
        return self.component.get("validate") or {}

    @property
    def required(self) -> bool:
        return bool(self.validate_rules.get("required"))

    @property
    def sensitive(self) -> bool:
        props = self.component.get("properties") or {}
        return str(props.get("sensitive", "")).lower() == "true"

    @property
    def readers(self) -> frozenset | None:
        """The roles that read this field (`"properties": {"readers": "gemeente,ivp"}`); None: the default
        (everyone who sees the case, or the sensitive readers for a sensitive field)."""
        props = self.component.get("properties") or {}
        text = props.get("readers")
        if text is None:
            return None
        return frozenset(part.strip().lower() for part in str(text).split(",") if part.strip())

    @property
    def read_only(self) -> bool:
        return bool(self.component.get("readonly")) or bool(self.component.get("disabled"))

    @property
    def order_rules(self) -> list:
        """(property, other key) for `"properties": {"notBefore": "<key>"}` and `"notAfter"`."""
        props = self.component.get("properties") or {}
        return [(name, str(props[name]).strip()) for name in ORDER_PROPERTIES if str(props.get(name) or "").strip()]


@dataclass
class FormDefinition:
    id: str
    schema: dict
    fields: list = field(default_factory=list)
    lists: list = field(default_factory=list)
    list_labels: dict = field(default_factory=dict)  # path of a dynamic list -> its label

    @classmethod
    def from_json(cls, text: str) -> FormDefinition:
        try:
            schema = json.loads(text)
        except json.JSONDecodeError as err:
            raise FormDefinitionError(f"Not valid JSON (line {err.lineno}): {err.msg}") from None
        return cls.from_schema(schema)

    @classmethod
    def from_schema(cls, schema) -> FormDefinition:
        if not isinstance(schema, dict):
            raise FormDefinitionError("A form definition is a JSON object.")
        form_id = schema.get("id")
        if not isinstance(form_id, str) or not form_id.strip():
            raise FormDefinitionError("A form definition needs an 'id' (the formRef that user tasks use).")
        components = schema.get("components")
        if not isinstance(components, list):
            raise FormDefinitionError("A form definition needs a 'components' list.")
        definition = cls(id=form_id, schema=schema)
        definition._collect(components, (), set())
        definition._check_order_rules()
        return definition

    def _check_order_rules(self) -> None:
        """A field's `notBefore` / `notAfter` must name another top-level date, date-time or number field of
        the same form (a rule naming a field that does not exist would never hold, so it is refused here)."""
        by_key = {f.path: f for f in self.fields}
        for fld in self.fields:
            for prop, other_key in fld.order_rules:
                if fld.type not in ORDERED_TYPES or len(fld.path) != 1:
                    raise FormDefinitionError(
                        f"'{prop}' on '{fld.key}': only a top-level date, date-time or number field can be compared.",
                        fld.key,
                    )
                other = by_key.get((other_key,))
                if other is None or other is fld:
                    raise FormDefinitionError(
                        f"'{prop}' on '{fld.key}' names '{other_key}', which is not another "
                        "top-level field of this form.",
                        fld.key,
                    )
                if (other.type == "number") != (fld.type == "number"):
                    raise FormDefinitionError(
                        f"'{prop}' on '{fld.key}' compares it with '{other_key}', which is not "
                        "of the same kind (a date or date-time with a date or date-time, a "
                        "number with a number).",
                        fld.key,
                    )

    def _collect(self, components, path, seen):
        for component in components:
            if not isinstance(component, dict):
                raise FormDefinitionError("Every component must be a JSON object.")
            kind = component.get("type")
            key = component.get("key")
            if kind in CONTAINER_TYPES:
                sub_path = path + tuple(p for p in (component.get("path") or "").split(".") if p)
                if kind == "dynamiclist":
                    if not sub_path:
                        raise FormDefinitionError("A dynamic list needs a 'path'.", key)
                    self.lists.append(sub_path)
                    self.list_labels[sub_path] = component.get("label") or sub_path[-1]
                self._collect(component.get("components") or [], sub_path, seen)
                continue
            if kind in STATIC_TYPES:
                continue
            if kind not in INPUT_TYPES:
                raise FormDefinitionError(f"Component type '{kind}' is not supported.", key)
            if not isinstance(key, str) or not key:
                raise FormDefinitionError(f"A {kind} field needs a 'key'.", key)
            if kind == "filepicker" and path:
                raise FormDefinitionError(
                    f"The filepicker '{key}' must be a top-level field (not in a group with "
                    "a path or a dynamic list): its value is a document reference.",
                    key,
                )
            full = path + tuple(key.split("."))
            if full in seen:
                raise FormDefinitionError(f"The key '{key}' is used twice in this form.", key)
            seen.add(full)
            self.fields.append(self._make_field(component, kind, key, full))

    @staticmethod
    def _make_field(component, kind, key, full) -> Field:
        hide_rule = None
        hide = (component.get("conditional") or {}).get("hide")
        if hide:
            try:
                hide_rule = compile_feel(hide)
            except FeelError as err:
                raise FormDefinitionError(f"Condition '{_short(hide)}' on '{key}': {err}", key) from None
        options = None
        if kind in OPTION_TYPES:
            if isinstance(component.get("values"), list):
                options = [v.get("value") for v in component["values"] if isinstance(v, dict)]
                if not options:
                    raise FormDefinitionError(f"'{key}' offers no options.", key)
            elif not component.get("valuesKey") and not component.get("valuesExpression"):
                raise FormDefinitionError(f"'{key}' needs 'values', 'valuesKey' or 'valuesExpression'.", key)
        pattern = (component.get("validate") or {}).get("pattern")
        if pattern:
            try:
                re.compile(pattern)
            except re.error as err:
                raise FormDefinitionError(f"Pattern of '{key}' is not a valid regular expression: {err}", key) from None
        # A datetime field has no label of its own: it is named by the label above its date (or time) input.
        label = component.get("label") or component.get("dateLabel") or component.get("timeLabel") or key
        return Field(
            key=key, type=kind, label=label, path=full, component=component, hide_rule=hide_rule, options=options
        )

    # --- reading -----------------------------------------------------------------------------------

    @property
    def top_level_keys(self) -> set:
        keys = {f.path[0] for f in self.fields}
        keys.update(p[0] for p in self.lists)
        return keys

    def document_references(self, clean: dict) -> dict:
        """Filepicker key -> the document ids the submitted data names."""
        found = {}
        for fld in self.fields:
            if fld.type == "filepicker" and clean.get(fld.key) not in (None, "", []):
                value = clean[fld.key]
                found[fld.key] = value if isinstance(value, list) else [value]
        return found

    @property
    def sensitive_keys(self) -> set:
        return {f.path[0] for f in self.fields if f.sensitive}

    @property
    def field_readers(self) -> dict:
        """Top-level key -> the roles that read it, for the fields that name their readers."""
        return {f.path[0]: f.readers for f in self.fields if f.readers is not None}

    # --- validating a submission -------------------------------------------------------------------

    def validate(self, submitted: dict, context: dict | None = None) -> tuple[dict, dict]:
        """Check submitted variables. Returns (clean values to store, {key: [messages]})."""
        errors: dict[str, list] = {}
        if not isinstance(submitted, dict):
            return {}, {"_schema": ["Submit an object of field values."]}
        unknown = sorted(set(submitted) - self.top_level_keys)
        for key in unknown:
            errors.setdefault(key, []).append("This form has no such field.")
        scope = dict(context or {})
        scope.update(submitted)
        clean: dict = {}
        for fld in self.fields:
            if any(fld.path[: len(lp)] == lp for lp in self.lists):
                continue  # validated per row below
            self._validate_field(fld, submitted, scope, clean, errors, fld.path)
        for list_path in self.lists:
            rows = _get_path(submitted, list_path)
            if rows is None:
                if not any(other != list_path and list_path[: len(other)] == other for other in self.lists):
                    # form-js submits a dynamic list whose rows were all removed as []; leaving it out means the same.
                    _set_path(clean, list_path, [])
                continue
            label = ".".join(list_path)
            if not isinstance(rows, list):
                errors.setdefault(label, []).append("Must be a list.")
                continue
            clean_rows = []
            for index, row in enumerate(rows):
                if not isinstance(row, dict):
                    errors.setdefault(f"{label}[{index}]", []).append("Must be an object.")
                    continue
                row_clean: dict = {}
                for fld in self.fields:
                    if fld.path[: len(list_path)] != list_path:
                        continue
                    rel = fld.path[len(list_path) :]
                    self._validate_field(fld, row, {**scope, **row}, row_clean, errors, rel, f"{label}[{index}].")
                clean_rows.append(row_clean)
            _set_path(clean, list_path, clean_rows)
        return clean, errors

    def order_errors(self, clean: dict, context: dict | None = None) -> dict:
        """The cross-field rules (`notBefore`, `notAfter`) checked on validated values. The other field's value
        is the submitted one, or, when it was not submitted (a read-only field shows case data), the case's
        (`context`): a read-only value the client sends back is never trusted."""
        errors: dict[str, list] = {}
        context = context or {}
        by_key = {f.path[0]: f for f in self.fields if len(f.path) == 1}
        for fld in self.fields:
            if not fld.order_rules or clean.get(fld.key) in (None, ""):
                continue
            for prop, other_key in fld.order_rules:
                other = by_key.get(other_key)
                if other is None:
                    continue
                theirs = clean.get(other_key) if other_key in clean and not other.read_only else context.get(other_key)
                mine_at, theirs_at = _ordered(fld, clean[fld.key]), _ordered(other, theirs)
                if mine_at is None or theirs_at is None:
                    continue
                if (prop == "notBefore" and mine_at < theirs_at) or (prop == "notAfter" and mine_at > theirs_at):
                    custom = (fld.component.get("properties") or {}).get(prop + "Message")
                    errors.setdefault(fld.key, []).append(str(custom) if custom else _order_message(prop, fld, other))
        return errors

    def _validate_field(self, fld, source, scope, clean, errors, path, prefix=""):
        name = prefix + ".".join(path)
        if fld.hide_rule is not None and evaluate(fld.hide_rule, scope) is True:
            return
        present, value = _has_path(source, path)
        if fld.read_only:
            return
        if not present or _empty(fld, value):
            if fld.required:
                errors.setdefault(name, []).append(f"'{fld.label}' is verplicht / required.")
            elif present:
                _set_path(clean, path, None if fld.type not in ("checklist", "taglist") else [])
            elif fld.type == "checkbox":
                # form-js submits a shown checkbox the user did not touch as false; a client that leaves it out
                # means the same, and scripts and decisions can then rely on the variable existing.
                _set_path(clean, path, False)
            return
        message, value = _check_value(fld, value)
        if message:
            errors.setdefault(name, []).append(message)
            return
        _set_path(clean, path, value)


def _empty(fld: Field, value) -> bool:
    if value is None or value == "" or value == []:
        return True
    return fld.type == "checkbox" and value is False and fld.required


def _check_value(fld: Field, value):
    rules = fld.validate_rules
    kind = fld.type
    if kind in ("textfield", "textarea"):
        if not isinstance(value, str):
            return "Must be text.", None
        if "minLength" in rules and len(value) < int(rules["minLength"]):
            return f"At least {rules['minLength']} characters.", None
        if "maxLength" in rules and len(value) > int(rules["maxLength"]):
            return f"At most {rules['maxLength']} characters.", None
        if rules.get("pattern") and not re.search(rules["pattern"], value):
            return f"Does not match the expected format ({rules['pattern']}).", None
        vtype = rules.get("validationType")
        if vtype == "email" and not _EMAIL.match(value):
            return "Must be an e-mail address.", None
        if vtype == "phone":
            number = phone.normalise(value)
            if number is None:
                return "Must be a phone number, such as 06 12345678 or +31 20 123 4567.", None
            return None, number
        return None, value
    if kind == "number":
        return _check_number(fld, value)
    if kind == "checkbox":
        if not isinstance(value, bool):
            return "Must be true or false.", None
        return None, value
    if kind in ("radio", "select"):
        if fld.options is not None and value not in fld.options:
            return f"Choose one of: {', '.join(map(str, fld.options))}.", None
        return None, value
    if kind in ("checklist", "taglist"):
        if not isinstance(value, list):
            return "Must be a list.", None
        if fld.options is not None:
            bad = [v for v in value if v not in fld.options]
            if bad:
                return f"Not an option: {', '.join(map(str, bad))}.", None
        return None, value
    if kind == "datetime":
        return _check_datetime(fld, value)
    if kind == "filepicker":
        return _check_document(fld, value)
    return None, value


def _check_document(fld: Field, value):
    multiple = fld.component.get("multiple") in (True, "true")
    ids = value if multiple and isinstance(value, list) else [value]
    if not all(isinstance(v, str) and _DOCUMENT_ID.match(v) for v in ids):
        return (
            "Must be the id of a document of this case"
            + (" (or a list of them)" if multiple else "")
            + ": upload the file first (POST /api/v1/process-instances/{id}/documents).",
            None,
        )
    return None, value


_PLAIN_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")


def _check_number(fld: Field, value):
    """A number field holds a JSON number. Text is never read as a number in some notation ("48.000" is
    48 to a program and 48,000 to a Dutch reader): it is refused, so an amount is never silently misread.
    The one exception is a field with form-js's `serializeToString`, whose value form-js itself writes as
    plain text with a decimal point and no separators ("48000.5"); only that form is read there, and the
    decimals count as written, so "48.000" in a field of two decimals is refused rather than read as 48."""
    rules = fld.validate_rules
    if isinstance(value, str) and fld.component.get("serializeToString"):
        if not _PLAIN_NUMBER.match(value):
            return "Must be a number.", None
        number = Decimal(value)
    elif isinstance(value, bool) or not isinstance(value, (int, float)):
        if isinstance(value, str):
            return "Must be a JSON number (such as 48000.5), not text.", None
        return "Must be a number.", None
    elif isinstance(value, float) and not math.isfinite(value):
        return "Must be a number.", None  # NaN and Infinity, which Python's JSON reader lets through
    else:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    digits = fld.component.get("decimalDigits")
    if isinstance(digits, int) and not isinstance(digits, bool) and digits >= 0:
        exponent = number.as_tuple().exponent  # an int for every finite number
        decimals = max(0, -exponent) if isinstance(exponent, int) else 0
        if decimals > digits:
            return (
                "Must be a whole number." if digits == 0 else f"At most {digits} decimal{'s' if digits > 1 else ''}."
            ), None
    if "min" in rules and number < Decimal(str(rules["min"])):
        return f"Must be at least {rules['min']}.", None
    if "max" in rules and number > Decimal(str(rules["max"])):
        return f"Must be at most {rules['max']}.", None
    return None, value


def _check_datetime(fld: Field, value):
    if not isinstance(value, str):
        return "Must be a date/time text.", None
    subtype = fld.component.get("subtype", "date")
    try:
        if subtype == "date":
            date.fromisoformat(value)
        elif subtype == "time":
            time.fromisoformat(value.replace("Z", "+00:00"))
        else:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        expected = {"date": "YYYY-MM-DD", "time": "HH:MM"}.get(subtype, "YYYY-MM-DDTHH:MM")
        return f"Must be a {subtype} ({expected}).", None
    return None, value


def _ordered(fld: Field, value):
    """A comparable value of a date, date-time or number field (dates as the start of their day, Dutch
    time; a date-time without an offset as Dutch time); None when there is nothing to compare."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if fld.type == "number":
        return Decimal(str(value)) if isinstance(value, (int, float, str)) else None
    try:
        if not isinstance(value, str):
            return None
        if len(value) == 10:
            moment = datetime.combine(date.fromisoformat(value), time())
        else:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=LOCAL_ZONE)


def _halves(label: str) -> tuple[str, str]:
    """The Dutch and the English half of a label written "Nederlands / English"."""
    dutch, _, english = str(label).partition(" / ")
    return dutch.strip(), (english or dutch).strip()


def _order_message(prop: str, fld: Field, other: Field) -> str:
    mine_nl, mine_en = _halves(fld.label)
    theirs_nl, theirs_en = _halves(other.label)
    if fld.type == "number":
        if prop == "notBefore":
            return (
                f"'{mine_nl}' kan niet kleiner zijn dan '{theirs_nl}': vul een waarde in van ten minste "
                f"'{theirs_nl}'. / '{mine_en}' cannot be less than '{theirs_en}': enter at least '{theirs_en}'."
            )
        return (
            f"'{mine_nl}' kan niet groter zijn dan '{theirs_nl}': vul een waarde in van ten hoogste "
            f"'{theirs_nl}'. / '{mine_en}' cannot be more than '{theirs_en}': enter at most '{theirs_en}'."
        )
    if prop == "notBefore":
        return (
            f"'{mine_nl}' kan niet vóór '{theirs_nl}' liggen: vul een moment op of na '{theirs_nl}' in. / "
            f"'{mine_en}' cannot be before '{theirs_en}': enter a moment at or after '{theirs_en}'."
        )
    return (
        f"'{mine_nl}' kan niet na '{theirs_nl}' liggen: vul een moment op of vóór '{theirs_nl}' in. / "
        f"'{mine_en}' cannot be after '{theirs_en}': enter a moment at or before '{theirs_en}'."
    )


def _has_path(source: dict, path: tuple):
    value = source
    for part in path:
        if not isinstance(value, dict) or part not in value:
            return False, None
        value = value[part]
    return True, value


def _get_path(source: dict, path: tuple):
    return _has_path(source, path)[1]


def _set_path(target: dict, path: tuple, value) -> None:
    for part in path[:-1]:
        target = target.setdefault(part, {})
    target[path[-1]] = value


def locate_key(text: str, key: str | None) -> int | None:
    """The line of a component's `"key": "<key>"` (or, for a component without a key such as a text, its
    `"id"`) in the form's JSON text, for error messages."""
    if not key:
        return None
    for name in ("key", "id"):
        pattern = re.compile(r'"' + name + r'"\s*:\s*"' + re.escape(key) + '"')
        for number, line in enumerate(text.splitlines(), start=1):
            if pattern.search(line):
                return number
    return None


def _short(text: str, limit: int = 80) -> str:
    """An authored expression quoted in a message, cut to a readable length."""
    return text if len(text) <= limit else text[:limit] + "…"
