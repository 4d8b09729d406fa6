"""Random but valid data for a Camunda Forms (form-js) definition, as a careful user would enter it.

Every input field gets a value that satisfies its declared rules (required, options, min/max, lengths,
patterns); fields a form hides are filled too, and the server must ignore them.
"""

from __future__ import annotations

import random
import re
from datetime import date, timedelta

MUNICIPALITIES = ("GM0668", "GM0363")
# Valid examples for the patterns the forms use; a new pattern must get an example here.
PATTERN_EXAMPLES = {
    r"^GM\d{4}$": lambda rng: rng.choice(MUNICIPALITIES),
    r"^[A-Za-z0-9][A-Za-z0-9./-]{3,39}$": lambda rng: f"PL0600-2026-{rng.randint(1, 999999):06d}",
    r"^\d{2}/\d{6}-\d{2}$": lambda rng: f"{rng.randint(1, 99):02d}/{rng.randint(0, 999999):06d}-{rng.randint(16, 30)}",
    r"^VB-\d{4}-[A-HJ-NP-Z2-9]{6}$": lambda rng: (
        "VB-2026-" + "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(6))
    ),
}
WORDS = "dreiging melding gemeente raad wethouder brief vergadering veiligheid afspraak contact nazorg advies".split()


class FormFiller:
    """`context`: the case data the task shows (a read-only field's value, which a rule between fields may
    compare with)."""

    def __init__(self, rng: random.Random, overrides: dict | None = None, context: dict | None = None):
        self.rng = rng
        self.overrides = overrides or {}
        self.context = context or {}
        self.data: dict = {}

    def fill(self, schema: dict) -> dict:
        self.data = {}
        self._components(schema.get("components") or [], self.data)
        return self.data

    def _other(self, key):
        """The value of the field a rule between fields names: as filled, or the case's."""
        if not key:
            return None
        return self.data[key] if key in self.data else self.context.get(key)

    def _components(self, components, target):
        for component in components:
            kind = component.get("type")
            if kind == "group":
                path = [p for p in (component.get("path") or "").split(".") if p]
                sub = target
                for part in path:
                    sub = sub.setdefault(part, {})
                self._components(component.get("components") or [], sub)
            elif kind == "dynamiclist":
                rows = []
                for _ in range(self.rng.randint(1, 3)):
                    row: dict = {}
                    self._components(component.get("components") or [], row)
                    rows.append(row)
                target[component["path"]] = rows
            elif component.get("readonly") or component.get("disabled"):
                continue  # shows case data; the server never takes it from the form
            elif component.get("key") and kind not in ("text", "html", "image", "spacer", "separator", "button"):
                key = component["key"]
                target[key] = self.overrides[key](self.rng) if key in self.overrides else self.value(component)

    def value(self, component):
        rng, kind = self.rng, component["type"]
        rules = component.get("validate") or {}
        if kind in ("textfield", "textarea"):
            if rules.get("pattern"):
                return PATTERN_EXAMPLES[rules["pattern"]](rng)
            if rules.get("validationType") == "phone":
                return f"06 {rng.randint(20_000_000, 58_999_999)}"  # a Dutch mobile number as people write it
            if rules.get("validationType") == "email":
                return f"medewerker{rng.randint(1, 99)}@gemeente.nl"
            low, high = int(rules.get("minLength", 1)), int(rules.get("maxLength", 200))
            text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 12)))
            text = text[:high]
            while len(text) < low:
                text += " " + rng.choice(WORDS)
            return text[:high]
        if kind == "number":
            low = rules.get("min", 0)
            high = rules.get("max", max(low, 0) + 250_000)
            props = component.get("properties") or {}
            at_most, at_least = self._other(props.get("notAfter")), self._other(props.get("notBefore"))
            if isinstance(at_most, (int, float)):
                high = min(high, at_most)
            if isinstance(at_least, (int, float)):
                low = max(low, at_least)
            return rng.randint(int(low), max(int(low), int(high)))
        if kind == "checkbox":
            return rng.random() < 0.5
        options = [v["value"] for v in component.get("values") or []]
        if kind in ("radio", "select"):
            return rng.choice(options)
        if kind in ("checklist", "taglist"):
            picked = rng.sample(options, rng.randint(1 if rules.get("required") else 0, len(options)))
            return sorted(picked, key=options.index)
        if kind == "datetime":
            day = date(2026, 11, 28) + timedelta(days=rng.randint(-30, 30))
            rule = component.get("properties") or {}
            if rule.get("notBefore"):  # a rule between fields: after the other (a moment of the case: now)
                day = date.today() + timedelta(days=rng.randint(1, 3))
            elif rule.get("notAfter"):
                day = date(2020, 6, 1) + timedelta(days=rng.randint(0, 30))
            subtype = component.get("subtype", "date")
            moment = f"{rng.randint(7, 22):02d}:{rng.choice(['00', '15', '30', '45'])}"
            return {"date": day.isoformat(), "time": moment}.get(subtype, f"{day.isoformat()}T{moment}")
        if kind == "filepicker":  # documents are uploaded before the form is sent: tests/documents/test_documents.py
            if (component.get("validate") or {}).get("required"):
                raise AssertionError(f"a required filepicker ({component.get('key')}) needs an uploaded document")
            return [] if component.get("multiple") else None
        raise AssertionError(f"no generator for a {kind} field ({component.get('key')})")


def check_pattern_examples():
    """Every example satisfies its own pattern (the filler would otherwise send invalid data)."""
    rng = random.Random(1)
    for pattern, example in PATTERN_EXAMPLES.items():
        for _ in range(20):
            value = example(rng)
            assert re.search(pattern, value), (pattern, value)
