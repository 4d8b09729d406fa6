"""A link and an image in case data are shown as the words they are, in Chromium: in the task form (the
server's text and the template form-js fills in as the person types), on the case page and in its timeline.
The server side of the same: tests/web/test_case_data_as_text.py."""

from __future__ import annotations

from engine.app.cli import deploy_folders
from tests.scenarios.flow import Team
from tests.support.api import FIXTURES, PROJECT

PAYLOAD = '<a href="https://evil.example/login">klik</a><img src=x onerror=alert(1)>'


def _no_markup_from_the_payload(page):
    assert page.locator('a[href*="evil.example"]').count() == 0
    assert page.locator('img[src="x"]').count() == 0
    assert page.locator("img[onerror]").count() == 0


def test_the_payload_is_text_in_the_task_form_on_the_case_page_and_in_the_timeline(web, app, as_user):
    with app.app_context():
        deploy_folders([FIXTURES / "case_text"], actor="test")
    gemeente = as_user("gemeente.westbetuwe")
    case = gemeente.start("case_text", {"summary": "Dreigbrief", "municipality_code": "GM0668", "motivation": PAYLOAD})
    task = gemeente.task_for(case["id"], "read_text")
    admin = as_user("beheerder")
    for action in ("suspend", "resume"):
        answer = admin.post(f"/api/v1/operations/cases/{case['id']}/{action}", json={"reason": PAYLOAD})
        assert answer.status_code == 200, answer.get_json()

    user = web()
    user.sign_in("gemeente.westbetuwe")
    user.goto(f"/tasks/{task['id']}")
    user.wait_for_form()
    form = user.page.locator("[data-task-form]")
    shown = form.inner_text()
    assert shown.count(PAYLOAD) == 3, shown  # the server's text, the {{#if}} block form-js fills in, the html
    user.fill("Notitie", PAYLOAD)  # a template of the form's own field, filled in by form-js as it is typed
    form.get_by_text(f"Uw notitie: {PAYLOAD}").wait_for()
    _no_markup_from_the_payload(user.page)
    user.screenshot("task-form")

    user.goto(f"/cases/{case['id']}")
    data = user.page.locator("[data-case-data]").inner_text()
    timeline = user.page.locator(".timeline").inner_text()
    assert PAYLOAD in data and timeline.count(PAYLOAD) == 2, (data, timeline)
    _no_markup_from_the_payload(user.page)
    user.screenshot("case-page")


def test_a_motivation_in_bzk_s_decision_message_is_text_in_the_decision_receipt(web, app, as_user):
    with app.app_context():
        deploy_folders([PROJECT / "processes", PROJECT / "forms"], actor="test")
    team = Team(as_user)
    case = team.start_threat()
    team.to_application(case["id"])
    team.do(
        team.gemeente,
        case["id"],
        "submit_application",
        {
            "requested_measures": [{"measure": "alarm_opvolging", "amount": 30_000}],
            "advice_reference": "ADV-1",
            "measures_details": "Alarm aan de woning.",
            "application_date": "2026-12-01",
        },
    )
    team.message(
        "bzk_besluit_tegemoetkoming",
        case["business_key"],
        {
            "compensation_decision": "afgewezen",
            "decision_date": "2026-12-10",
            "decision_reference": "BZK-2026-9",
            "decision_motivation": PAYLOAD,
        },
        user=team.bzk,
    )
    task = team.gemeente.task_for(case["id"], "receive_decision")

    user = web()
    user.sign_in("gemeente.westbetuwe")
    user.goto(f"/tasks/{task['id']}")
    user.wait_for_form()
    assert PAYLOAD in user.page.locator("[data-task-form]").inner_text()
    _no_markup_from_the_payload(user.page)
    user.screenshot("decision-receipt")
