"""The Dutch catalog is complete and compiled; bilingual labels and server messages are translated."""

from __future__ import annotations

from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from engine.web.i18n import localise_schema, pick
from tests.support.api import PROJECT

TRANSLATIONS = PROJECT / "engine" / "translations"
PO = TRANSLATIONS / "nl" / "LC_MESSAGES" / "messages.po"
MO = TRANSLATIONS / "nl" / "LC_MESSAGES" / "messages.mo"


def _messages(catalog) -> dict:
    return {
        m.id if isinstance(m.id, str) else tuple(m.id): m.string if isinstance(m.string, str) else tuple(m.string)
        for m in catalog
        if m.id
    }


def test_every_string_in_the_code_is_in_the_catalog_and_translated(tmp_path: Path):
    pot = tmp_path / "messages.pot"
    CommandLineInterface().run(
        [
            "pybabel",
            "-q",
            "extract",
            "-F",
            str(PROJECT / "babel.cfg"),
            "-k",
            "_l",
            "-o",
            str(pot),
            str(PROJECT / "engine" / "web"),
        ]
    )
    extracted = set(_messages(read_po(pot.open("rb"))))
    dutch = _messages(read_po(PO.open("rb"), locale="nl"))
    missing = sorted(map(str, extracted - set(dutch)))
    assert not missing, f"not in the Dutch catalog (run `make translations` and translate): {missing}"
    empty = [key for key in extracted if not (dutch[key] if isinstance(dutch[key], str) else all(dutch[key]))]
    assert not empty, f"untranslated: {empty}"


def test_the_compiled_catalog_matches_the_po_file():
    compiled = _messages(read_mo(MO.open("rb")))
    source = dict(_messages(read_po(PO.open("rb"), locale="nl")))
    assert compiled == source, "messages.mo is stale: run `make translations`"


def test_pick_takes_the_part_for_the_language():
    assert pick("Gemeentecode / Municipality code", "nl") == "Gemeentecode"
    assert pick("Gemeentecode / Municipality code", "en") == "Municipality code"
    assert pick("Triage", "en") == "Triage"
    assert pick("a / b / c", "en") == "a / b / c"  # ambiguous: shown as written
    assert pick("Burgemeester/wethouder", "en") == "Burgemeester/wethouder"
    assert pick(None, "en") is None


def test_localise_schema_leaves_the_original_alone():
    schema = {
        "components": [
            {
                "type": "group",
                "label": "Adres / Address",
                "components": [
                    {
                        "type": "select",
                        "key": "k",
                        "label": "Keuze / Choice",
                        "values": [{"label": "Ja / Yes", "value": "ja"}],
                    }
                ],
            }
        ]
    }
    english = localise_schema(schema, "en")
    assert english["components"][0]["label"] == "Address"
    inner = english["components"][0]["components"][0]
    assert inner["label"] == "Choice" and inner["values"] == [{"label": "Yes", "value": "ja"}]
    assert schema["components"][0]["label"] == "Adres / Address"


def test_a_markdown_text_is_picked_line_by_line():
    # the triage form's text: a bilingual heading, and the decision table's outcome under it
    text = (
        "### Triage door de gemeente / Triage by the municipality\n"
        "Behandelaar volgens de beslistabel: **{{case_handler_function}}**.\n"
        "Alleen feiten vastleggen. / *Record facts only.*"
    )
    assert pick(text, "nl") == (
        "### Triage door de gemeente\n"
        "Behandelaar volgens de beslistabel: **{{case_handler_function}}**.\n"
        "Alleen feiten vastleggen."
    )
    assert pick(text, "en") == (
        "### Triage by the municipality\n"
        "Behandelaar volgens de beslistabel: **{{case_handler_function}}**.\n"
        "*Record facts only.*"
    )


def test_localise_schema_reduces_the_labels_of_date_and_time_inputs():
    schema = {
        "components": [
            {
                "type": "datetime",
                "key": "first_contact_at",
                "subtype": "datetime",
                "dateLabel": "Eerste contact / First contact",
                "timeLabel": "Tijd / Time",
            }
        ]
    }
    dutch = localise_schema(schema, "nl")["components"][0]
    assert (dutch["dateLabel"], dutch["timeLabel"]) == ("Eerste contact", "Tijd")
    english = localise_schema(schema, "en")["components"][0]
    assert (english["dateLabel"], english["timeLabel"]) == ("First contact", "Time")


def test_the_error_summary_names_a_date_field_by_its_date_label(app):
    from engine.web.pages.common import error_summary

    schema = {
        "components": [
            {"type": "datetime", "key": "closed_on", "subtype": "date", "dateLabel": "Datum afsluiting / Closing date"},
            {"type": "textarea", "key": "closure_summary", "label": "Samenvatting / Summary"},
        ]
    }
    with app.test_request_context():
        summary = error_summary(schema, {"closed_on": ["Vul dit veld in."], "closure_summary": ["Vul dit veld in."]})
    assert summary == [("Datum afsluiting", "Vul dit veld in."), ("Samenvatting", "Vul dit veld in.")]


def test_a_text_component_is_localised_line_by_line_and_keeps_its_markdown():
    schema = {
        "components": [
            {
                "type": "text",
                "text": "### Psychosociale ondersteuning / Psychosocial support\n"
                "Het IVP biedt 24/7 ondersteuning.\n"
                "**Bel 112.** / *Call 112.*",
            }
        ]
    }
    dutch = localise_schema(schema, "nl")["components"][0]["text"]
    assert dutch == "### Psychosociale ondersteuning\nHet IVP biedt 24/7 ondersteuning.\n**Bel 112.**"
    english = localise_schema(schema, "en")["components"][0]["text"]
    assert english == "### Psychosocial support\nHet IVP biedt 24/7 ondersteuning.\n*Call 112.*"


def test_a_date_field_is_named_by_its_date_label_in_messages_and_on_the_case_page():
    from engine.forms.formjs import FormDefinition

    form = FormDefinition.from_schema(
        {
            "id": "closure",
            "components": [
                {
                    "type": "datetime",
                    "key": "closed_on",
                    "subtype": "date",
                    "dateLabel": "Datum afsluiting / Closing date",
                    "validate": {"required": True},
                }
            ],
        }
    )
    assert form.fields[0].label == "Datum afsluiting / Closing date"  # what the case page's data shows, picked
    _, errors = form.validate({})
    assert errors == {"closed_on": ["'Datum afsluiting / Closing date' is verplicht / required."]}
