"""Languages of the web app: Dutch by default, English on request (Flask-Babel catalogs in
engine/translations), and the "Nederlands / English" labels that diagrams and forms carry."""

from __future__ import annotations

import copy
import re

from flask import session
from flask_babel import Babel, format_decimal, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

LANGUAGES = {"nl": "Nederlands", "en": "English"}
DEFAULT_LANGUAGE = "nl"
BILINGUAL_SEPARATOR = " / "

babel = Babel()


def select_locale() -> str:
    language = session.get("lang")
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def init_i18n(app) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Europe/Amsterdam")
    babel.init_app(app, locale_selector=select_locale)


def language() -> str:
    return str(get_locale() or DEFAULT_LANGUAGE)


_MARKDOWN_PREFIX = re.compile(r"^(\s*(?:#{1,6}\s+|[-*+]\s+|>\s*)?)(.*)$", re.DOTALL)
# dateLabel and timeLabel: a datetime field has no label of its own but one above each of its inputs.
_LOCALISED_KEYS = ("label", "dateLabel", "timeLabel", "description", "placeholder")


def pick(text, lang: str | None = None):
    """'Triage / Triage', 'Gemeentecode / Municipality code': the part for the current language.
    Texts without exactly one ' / ' are shown as written. A text of several lines (a form's markdown) is
    picked line by line, so '### Triage / Triage' as a heading does not take the lines under it along, and a
    heading's or list item's mark stays in either language."""
    if not isinstance(text, str):
        return text
    return "\n".join(_pick_line(line, lang) for line in text.split("\n"))


def _pick_line(line: str, lang: str | None) -> str:
    prefix, text = _MARKDOWN_PREFIX.match(line).groups()
    if text.count(BILINGUAL_SEPARATOR) != 1:
        return line
    dutch, english = (part.strip() for part in text.split(BILINGUAL_SEPARATOR))
    if not dutch or not english:
        return line
    return prefix + (english if (lang or language()) == "en" else dutch)


def localise_schema(schema: dict, lang: str | None = None) -> dict:
    """A copy of a form-js schema with its bilingual texts reduced to one language."""
    lang = lang or language()
    result = copy.deepcopy(schema)

    def walk(components):
        for component in components or []:
            if not isinstance(component, dict):
                continue
            for key in _LOCALISED_KEYS:
                if key in component:
                    component[key] = pick(component[key], lang)
            if "text" in component:
                component["text"] = pick(component["text"], lang)
            for option in component.get("values") or []:
                if isinstance(option, dict) and "label" in option:
                    option["label"] = pick(option["label"], lang)
            walk(component.get("components"))

    walk(result.get("components"))
    return result


# The server's form validation messages (engine/forms/formjs.py) and form-js's own client messages,
# as (pattern, translated text) pairs; {1}, {2} are the pattern's groups.
def _server_messages():
    return [
        (r"^'.*' is verplicht / required\.$", _("This field is required.")),
        (r"^This form has no such field\.$", _("This form has no such field.")),
        (r"^Must be text\.$", _("Enter text.")),
        (r"^At least (\d+) characters\.$", _("Enter at least {1} characters.")),
        (r"^At most (\d+) characters\.$", _("Enter at most {1} characters.")),
        (r"^Does not match the expected format \((.*)\)\.$", _("This is not in the expected format.")),
        (r"^Must be an e-mail address\.$", _("Enter an e-mail address.")),
        (
            r"^Must be a phone number, such as (.*)\.$",
            _("Enter a phone number, such as 06 12345678 or +31 20 123 4567."),
        ),
        (r"^Must be a number\.$", _("Enter a number.")),
        (r"^Must be a JSON number \(such as 48000\.5\), not text\.$", _("Enter a number.")),
        (r"^At most (\d+) decimals?\.$", _("Enter at most {1} decimals.")),
        (r"^Must be a whole number\.$", _("Enter a whole number.")),
        (r"^Must be at least (.+)\.$", _("Enter {1} or more.")),
        (r"^Must be at most (.+)\.$", _("Enter {1} or less.")),
        (r"^Must be true or false\.$", _("Tick the box or leave it empty.")),
        (r"^Choose one of: (.*)\.$", _("Choose one of the options.")),
        (r"^Not an option: (.*)\.$", _("Choose only from the options.")),
        (r"^Must be a list\.$", _("Choose from the options.")),
        (r"^Must be a date/time text\.$", _("Enter a date.")),
        (r"^Must be a (date|time|datetime) \((.*)\)\.$", _("Enter a valid date or time ({2}).")),
        (r"^Use a CBS code such as GM0668\.$", _("Enter a municipality code such as GM0668.")),
        (r"^Must be (GM\d{4})\.$", _("You can only report for your own municipality ({1}).")),
    ]


def _client_messages():
    return [
        (r"^Field is required\.$", _("This field is required.")),
        (r"^Field must match pattern .*\.$", _("This is not in the expected format.")),
        (r"^Field must have minimum value of (.+)\.$", _("Enter {1} or more.")),
        (r"^Field must have maximum value of (.+)\.$", _("Enter {1} or less.")),
        (r"^Field must have minimum length of (\d+)\.$", _("Enter at least {1} characters.")),
        (r"^Field must have maximum length of (\d+)\.$", _("Enter at most {1} characters.")),
        (r"^Field must be a valid\s+international phone number.*$", _("Enter a phone number.")),
        (r"^Field must be a valid email\.$", _("Enter an e-mail address.")),
        (r"^Value is not a number\.$", _("Enter a number.")),
        (r"^Value is expected to be an integer\.$", _("Enter a whole number.")),
        (r"^Value is expected to have at most (\d+) decimal digits?\.$", _("Enter at most {1} decimals.")),
    ]


def number_texts() -> dict:
    """For the form island's number fields: the messages of a refused text in the current language, with
    examples in its notation (Babel: '48.000' and '48.000,50' in Dutch, '48,000' and '48,000.50' in English).
    `{text}` is what was typed, filled in by the browser."""
    examples = {"thousands": format_decimal(48000), "decimals": format_decimal(48000.5, format="#,##0.00")}
    texts = {
        # The notation follows the page's language: the Dutch text asks for Dutch notation.
        "notation": _(
            "“{text}” is not a number in English notation. Write thousands with a comma and decimals "
            "with a point: {thousands} or {decimals}."
        ),
        "ambiguous": _(
            "“{text}” can be read in two ways. In English notation a comma separates thousands and a "
            "point starts the decimals: write {thousands} or {decimals}."
        ),
    }
    return {
        kind: text.replace("{thousands}", examples["thousands"]).replace("{decimals}", examples["decimals"])
        for kind, text in texts.items()
    }


def translate_message(message: str) -> str:
    for pattern, text in _server_messages():
        match = re.match(pattern, message)
        if match:
            return re.sub(r"\{(\d+)\}", lambda m, found=match: found.group(int(m.group(1))) or "", text)
    return message


def translate_errors(errors: dict | None) -> dict:
    return {
        key: [translate_message(str(m)) for m in (messages if isinstance(messages, list) else [messages])]
        for key, messages in (errors or {}).items()
    }


def message_table() -> list[dict]:
    """For the form island: form-js's own messages in the current language."""
    return [{"pattern": pattern, "text": text} for pattern, text in _client_messages()]


__all__ = [
    "LANGUAGES",
    "babel",
    "init_i18n",
    "language",
    "pick",
    "localise_schema",
    "translate_errors",
    "translate_message",
    "message_table",
    "number_texts",
    "_",
    "_l",
]
