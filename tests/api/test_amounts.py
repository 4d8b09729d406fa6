"""Amounts through the API: a number field takes a JSON number; text in some notation ("48.000", "48.000,50",
"€ 48.000") is refused, never read as a number, so what BZK decides on is what was meant (docs/modeling.md)."""

from __future__ import annotations

import pytest

from engine.app.cli import deploy_folders
from engine.forms.formjs import FormDefinition
from tests.scenarios.flow import Team, assessment, cost_decision
from tests.support.api import PROJECT


@pytest.fixture
def team(app, as_user):
    with app.app_context():
        deploy_folders([PROJECT / "processes", PROJECT / "forms"], actor="test")
    return Team(as_user)


def _cost_decision(team):
    case = team.start_threat()
    team.to_threat_assessment(case["id"])
    team.do(team.politie, case["id"], "threat_assessment", assessment())
    return case["id"], team.gemeente.task_for(case["id"], "cost_decision")["id"]


@pytest.mark.parametrize("amount", [48000, 48000.5, 1_250_000_000])
def test_a_json_number_is_stored_as_sent(team, amount):
    case_id, task_id = _cost_decision(team)
    team.gemeente.complete(task_id, cost_decision(estimated_costs=amount))
    assert team.gemeente.case(case_id)["variables"]["estimated_costs"] == amount


@pytest.mark.parametrize("text", ["48.000", "48.000,50", "€ 48.000", "48000", "48,000"])
def test_an_amount_as_text_is_refused_and_nothing_is_stored(team, text):
    case_id, task_id = _cost_decision(team)
    body = team.gemeente.complete(task_id, cost_decision(estimated_costs=text), expect=422)
    assert body["errors"] == {"estimated_costs": ["Must be a JSON number (such as 48000.5), not text."]}
    assert team.gemeente.task_for(case_id, "cost_decision")["id"] == task_id
    assert "estimated_costs" not in team.gemeente.case(case_id)["variables"]


def test_more_decimals_than_the_field_has_are_refused(team):
    case_id, task_id = _cost_decision(team)
    body = team.gemeente.complete(task_id, cost_decision(estimated_costs=48000.125), expect=422)
    assert body["errors"] == {"estimated_costs": ["At most 2 decimals."]}


def _field(component):
    return FormDefinition.from_schema({"id": "f", "components": [{"key": "n", "label": "N", **component}]})


@pytest.mark.parametrize(
    "value,error",
    [
        (48000, None),
        (-7, None),
        (True, "Must be a number."),
        (float("nan"), "Must be a number."),
        (float("inf"), "Must be a number."),
        ("48000", "Must be a JSON number (such as 48000.5), not text."),
        (2.5, "Must be a whole number."),
    ],
)
def test_number_field_values(value, error):
    form = _field({"type": "number", "decimalDigits": 0})
    clean, errors = form.validate({"n": value})
    assert errors == ({"n": [error]} if error else {})
    if not error:
        assert clean["n"] == value


@pytest.mark.parametrize(
    "value,error",
    [
        ("48000.5", None),
        ("-3", None),
        ("48.000", "At most 2 decimals."),
        ("48.000,50", "Must be a number."),
        ("1e5", "Must be a number."),
        ("NaN", "Must be a number."),
        (" 48", "Must be a number."),
    ],
)
def test_serialize_to_string_reads_only_the_plain_form(value, error):
    """form-js writes such a field's number as text with a decimal point and nothing else; only that is
    read, and its decimals count as written, so "48.000" in a field of two decimals is not taken for 48."""
    form = _field({"type": "number", "serializeToString": True, "decimalDigits": 2})
    clean, errors = form.validate({"n": value})
    assert errors == ({"n": [error]} if error else {})
    if not error:
        assert clean["n"] == value
