"""A phone number typed as a Dutch handler types it goes through the form; a wrong one is refused in Dutch
with an example. The server side of the same: tests/web/test_phone_numbers.py."""

from __future__ import annotations

from engine.app.cli import deploy_folders
from tests.support.api import FIXTURES


def test_a_dutch_phone_number_is_accepted_and_a_wrong_one_explained(web, app, as_user):
    with app.app_context():
        deploy_folders([FIXTURES / "phone"], actor="test")
    gemeente = as_user("gemeente.westbetuwe")
    case = gemeente.start("phone_case", {"summary": "Terugbellen", "municipality_code": "GM0668"})
    task = gemeente.task_for(case["id"], "record_phone")

    user = web()
    user.sign_in("gemeente.westbetuwe")
    user.goto(f"/tasks/{task['id']}")
    user.wait_for_form()
    user.fill("Telefoonnummer", "12345")
    user.submit_form("Taak afronden")
    assert user.error_of("Telefoonnummer") == "Vul een telefoonnummer in, zoals 06 12345678 of +31 20 123 4567."
    assert user.value_of("Telefoonnummer") == "12345"  # what was typed is kept

    user.fill("Telefoonnummer", "06 12345678")
    user.submit_form("Taak afronden")
    assert "is afgerond" in user.notice(), user.form_errors()
    assert gemeente.case(case["id"])["variables"]["callback_phone"] == "+31612345678"

    # the next task shows the number beside its form, as a Dutch reader writes it; the page passes axe
    check = gemeente.task_for(case["id"], "check_phone")
    user.goto(f"/tasks/{check['id']}")
    user.wait_for_form()
    context = user.page.locator("aside.task-context")
    assert "06 12345678" in context.inner_text()
    assert user.accessibility_violations() == []
