"""Case values as people read them: yes/no, option labels, lists, local dates and times, amounts in euros,
municipalities by name. Stored values stay as they are (JSON, UTC); only what a page shows changes.

The forms say what a value is (a checkbox, a select's options, a date or date-time field, a number with a
`currency` property), so a value is shown by the field that collected it; a value no form describes is shown
by its type. Formatting is Babel's, in the page's language and the Europe/Amsterdam zone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation

from babel.numbers import format_currency
from flask_babel import format_date, format_datetime, format_decimal, format_time, get_locale

from ..forms import phone
from ..identity.municipalities import municipality_label
from .i18n import _

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
_TIME = re.compile(r"^\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:?\d{2})?$")
_MUNICIPALITY_CODE = re.compile(r"^GM\d{4}$")


@dataclass
class FieldFormat:
    """What a form says about a field's values."""

    kind: str = ""  # the form-js component type: checkbox, select, number, datetime, ...
    subtype: str = ""  # date, time or datetime for a datetime field
    options: dict = field(default_factory=dict)  # option value -> label (in the page's language)
    currency: str | None = None
    phone: bool = False

    @classmethod
    def of(cls, component: dict, options: dict) -> FieldFormat:
        properties = component.get("properties") or {}
        currency = properties.get("currency") if isinstance(properties, dict) else None
        validate = component.get("validate") if isinstance(component.get("validate"), dict) else {}
        return cls(
            kind=component.get("type") or "",
            subtype=component.get("subtype") or "",
            options=options,
            currency=currency if isinstance(currency, str) else None,
            phone=validate.get("validationType") == "phone",
        )


PLAIN = FieldFormat()


def shown(value, fmt: FieldFormat = PLAIN, key: str = ""):
    """A value for a page: a string, or a list of strings for a list of values. None and "" are "–"."""
    if isinstance(value, list):
        return [_one(item, fmt, key) for item in value if item not in (None, "")]
    return _one(value, fmt, key)


def _one(value, fmt: FieldFormat, key: str) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if fmt.options and isinstance(value, (str, int, float)) and value in fmt.options:
        return fmt.options[value]
    if isinstance(value, (int, float)):
        return _number(value, fmt)
    if isinstance(value, str):
        return _text(value, fmt, key)
    if isinstance(value, dict):
        return "; ".join(f"{name}: {_one(item, PLAIN, name)}" for name, item in value.items())
    return str(value)


def _number(value, fmt: FieldFormat) -> str:
    if fmt.currency:
        locale = get_locale()
        pattern = locale.currency_formats["standard"].pattern
        if float(value).is_integer():  # whole euros as people write them: € 48.000, not € 48.000,00
            pattern = pattern.replace(".00", "")
        return format_currency(value, fmt.currency, format=pattern, locale=locale, currency_digits=False)
    return format_decimal(value)


def _text(value: str, fmt: FieldFormat, key: str) -> str:
    text = value.strip()
    if fmt.currency:
        try:
            return _number(Decimal(text), fmt)
        except InvalidOperation:
            return value
    if fmt.phone:
        return phone.readable(text)
    if _MUNICIPALITY_CODE.match(text) and (key.endswith("municipality_code") or key == "municipality"):
        return municipality_label(text)
    if _DATE.match(text):
        try:
            return format_date(date.fromisoformat(text), "long")
        except ValueError:
            return value
    if _DATETIME.match(text):
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return value
        # naive date-times are entered in local time; format_datetime shows aware ones in the page's zone
        if moment.tzinfo is None:
            return format_datetime(moment, "medium", rebase=False)
        return format_datetime(moment.astimezone(timezone.utc), "medium")
    if fmt.subtype == "time" and _TIME.match(text):
        try:
            return format_time(datetime.strptime(text[:5], "%H:%M").time(), "short")
        except ValueError:
            return value
    return value
