"""Amounts mean what the user typed: the cost decision's number fields read Dutch notation on a Dutch page
and English notation on an English page; what could mean two things, or follows no notation, is refused
with a message naming the expected notation, and nothing is stored."""

from __future__ import annotations

import pytest

from engine.app.cli import deploy_folders
from tests.support.api import PROJECT

# page language -> (the form's labels and button, [(typed, stored, shown after leaving the field)])
PAGES = {
    "nl": {
        "labels": {
            "who": "Wie draagt de kosten?",
            "employer": "Gemeente als werkgever",
            "costs": "Geraamde kosten (EUR)",
            "budget": "Totale begroting gemeente (lasten, EUR)",
            "date": "Datum besluit",
        },
        "submit": "Taak afronden",
        "budget": ("120.000.000", 120_000_000),
        "accepted": [
            ("48.000", 48000, "€ 48.000"),
            ("48.000,50", 48000.5, "€ 48.000,50"),
            ("€ 48.000", 48000, "€ 48.000"),
            ("48000", 48000, "€ 48.000"),
        ],
        "ambiguous": (
            "48,000",
            "„48,000” kan op twee manieren gelezen worden. In Nederlandse notatie scheidt een "
            "punt de duizendtallen en begint een komma de decimalen: schrijf 48.000 of 48.000,50.",
        ),
        "malformed": (
            "48.5",
            "„48.5” is geen getal in Nederlandse notatie. Schrijf duizendtallen met een punt "
            "en decimalen met een komma: 48.000 of 48.000,50.",
        ),
    },
    "en": {
        "labels": {
            "who": "Who pays?",
            "employer": "Municipality as employer",
            "costs": "Estimated costs",
            "budget": "Municipal budget",
            "date": "Date of decision",
        },
        "submit": "Complete task",
        "budget": ("120,000,000", 120_000_000),
        "accepted": [
            ("48,000", 48000, "€48,000"),
            ("48,000.50", 48000.5, "€48,000.50"),
            ("€ 48,000", 48000, "€48,000"),
            ("48000", 48000, "€48,000"),
        ],
        "ambiguous": (
            "48.000",
            "“48.000” can be read in two ways. In English notation a comma separates thousands "
            "and a point starts the decimals: write 48,000 or 48,000.50.",
        ),
        "malformed": (
            "€ 48.000,50",
            "“€ 48.000,50” is not a number in English notation. Write thousands with a "
            "comma and decimals with a point: 48,000 or 48,000.50.",
        ),
    },
}


def _shown(user, label):
    # Intl writes a no-break space between € and the amount in Dutch.
    return user.value_of(label).replace("\u00a0", " ")


def _cost_decision_task(team):
    from tests.scenarios.flow import assessment

    case = team.start_threat()
    team.to_threat_assessment(case["id"])
    team.do(team.politie, case["id"], "threat_assessment", assessment())
    return case["id"], team.gemeente.task_for(case["id"], "cost_decision")["id"]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_amounts_are_read_in_the_notation_of_the_page(web, app, as_user, lang):
    from tests.scenarios.flow import Team

    page = PAGES[lang]
    labels = page["labels"]
    with app.app_context():
        deploy_folders([PROJECT / "processes", PROJECT / "forms"], actor="test")
    team = Team(as_user)
    user = web()
    user.sign_in("gemeente.westbetuwe")
    if lang == "en":
        user.switch_language("en")

    def open_form(task_id):
        user.goto(f"/tasks/{task_id}")
        user.wait_for_form()
        user.fill(labels["who"], labels["employer"])
        user.fill(labels["budget"], page["budget"][0])
        user.fill(labels["date"], "2026-11-27")

    for typed, stored, shown in page["accepted"]:
        case_id, task_id = _cost_decision_task(team)
        open_form(task_id)
        user.fill(labels["costs"], typed)
        assert user.error_of(labels["costs"]) == ""
        user.field(labels["date"]).locator("input").first.focus()  # leaves the amount: shown formatted
        assert _shown(user, labels["costs"]) == shown, typed
        user.submit_form(page["submit"])
        user.page.wait_for_url(user.base_url + "/")
        variables = team.gemeente.case(case_id)["variables"]
        assert variables["estimated_costs"] == stored, typed
        assert variables["municipal_budget"] == page["budget"][1]

    for kind in ("ambiguous", "malformed"):
        typed, message = page[kind]
        case_id, task_id = _cost_decision_task(team)
        open_form(task_id)
        user.fill(labels["costs"], typed)
        user.submit_form(page["submit"])
        assert user.page.url.endswith(f"/tasks/{task_id}")
        assert user.error_of(labels["costs"]) == message
        assert _shown(user, labels["costs"]) == typed  # kept as typed, never reinterpreted
        user.screenshot(f"{lang}-{kind}")
        assert team.gemeente.task_for(case_id, "cost_decision")["id"] == task_id  # still open
        assert "estimated_costs" not in team.gemeente.case(case_id)["variables"]


def test_a_refused_amount_can_be_corrected_by_retyping_it(web, app, as_user):
    """Retyping over a refused amount replaces it (form-js's own field stuck at NaN); an amount of ten digits
    is read in full (form-js stored "1.250.000.000" as 1.25) and shown formatted while another field is
    refused."""
    from tests.scenarios.flow import Team

    with app.app_context():
        deploy_folders([PROJECT / "processes", PROJECT / "forms"], actor="test")
    team = Team(as_user)
    case_id, task_id = _cost_decision_task(team)
    user = web()
    user.sign_in("gemeente.westbetuwe")
    user.goto(f"/tasks/{task_id}")
    user.wait_for_form()
    user.fill("Geraamde kosten (EUR)", "€ 48000abc")
    assert "Nederlandse notatie" in user.error_of("Geraamde kosten (EUR)")
    user.fill("Geraamde kosten (EUR)", "1.250.000.000")  # select all and retype
    assert user.error_of("Geraamde kosten (EUR)") == ""
    # The budget is left out: the browser refuses, the amount stays as typed.
    user.submit_form("Taak afronden")
    assert user.error_of("Totale begroting gemeente (lasten, EUR)") == "Vul dit veld in."
    user.fill("Totale begroting gemeente (lasten, EUR)", "0")
    user.fill("Wie draagt de kosten?", "Gemeente als werkgever")
    user.fill("Datum besluit", "2026-11-27")
    user.submit_form("Taak afronden")
    assert user.error_of("Totale begroting gemeente (lasten, EUR)") == "Vul 1 of meer in."
    assert _shown(user, "Geraamde kosten (EUR)") == "€ 1.250.000.000"
    user.fill("Totale begroting gemeente (lasten, EUR)", "2.000.000.000")
    user.submit_form("Taak afronden")
    user.page.wait_for_url(user.base_url + "/")
    variables = team.gemeente.case(case_id)["variables"]
    assert variables["estimated_costs"] == 1_250_000_000
    assert variables["municipal_budget"] == 2_000_000_000
