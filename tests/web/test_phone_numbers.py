"""Phone numbers as Dutch handlers write them: accepted in the usual notations, stored in E.164, shown in the
national notation, and refused with an example of what is expected. In the browser: tests/web/test_phone_browser.py."""

from __future__ import annotations

import pytest

from engine.app.cli import deploy_folders
from engine.forms.formjs import FormDefinition
from tests.support.api import FIXTURES

PHONE_FIELD = FormDefinition.from_schema(
    {
        "id": "f",
        "components": [
            {"type": "textfield", "key": "phone", "label": "Telefoon", "validate": {"validationType": "phone"}}
        ],
    }
)


@pytest.mark.parametrize(
    "typed,stored",
    [
        ("06 12345678", "+31612345678"),
        ("06-12345678", "+31612345678"),
        ("0612345678", "+31612345678"),
        ("+31 6 1234 5678", "+31612345678"),
        ("0031 6 12345678", "+31612345678"),
        ("(020) 123 45 67", "+31201234567"),
        ("020-1234567", "+31201234567"),
        ("+32 470 12 34 56", "+32470123456"),
    ],
)
def test_the_usual_notations_are_accepted_and_stored_in_e164(typed, stored):
    clean, errors = PHONE_FIELD.validate({"phone": typed})
    assert errors == {} and clean["phone"] == stored


@pytest.mark.parametrize("typed", ["12345", "06 1234567", "06 123456789", "bel mij", "+31 6", "112"])
def test_what_is_not_a_phone_number_is_refused_with_an_example(typed):
    _, errors = PHONE_FIELD.validate({"phone": typed})
    assert errors == {"phone": ["Must be a phone number, such as 06 12345678 or +31 20 123 4567."]}


@pytest.fixture
def phone_case(app, as_user):
    with app.app_context():
        deploy_folders([FIXTURES / "phone"], actor="test")
    gemeente = as_user("gemeente.westbetuwe")
    case = gemeente.start("phone_case", {"summary": "Terugbellen", "municipality_code": "GM0668"})
    return gemeente, case


def test_the_api_stores_the_normalised_number_and_refuses_a_wrong_one_leaving_the_task_open(phone_case):
    gemeente, case = phone_case
    task = gemeente.task_for(case["id"], "record_phone")
    refused = gemeente.post(f"/api/v1/tasks/{task['id']}/complete", json={"variables": {"callback_phone": "12345"}})
    assert refused.status_code == 422
    assert refused.get_json()["errors"] == {
        "callback_phone": ["Must be a phone number, such as 06 12345678 or +31 20 123 4567."]
    }
    assert gemeente.task_for(case["id"], "record_phone")["id"] == task["id"]
    assert "callback_phone" not in gemeente.case(case["id"])["variables"]

    gemeente.complete(task["id"], {"callback_phone": "06-12345678"})
    assert gemeente.case(case["id"])["variables"]["callback_phone"] == "+31612345678"


def test_the_case_page_shows_the_number_as_people_write_it(phone_case, browser_for):
    gemeente, case = phone_case
    gemeente.complete(gemeente.task_for(case["id"], "record_phone")["id"], {"callback_phone": "+31612345678"})
    page = browser_for("gemeente.westbetuwe").get(f"/cases/{case['id']}").get_data(as_text=True)
    assert "06 12345678" in page and "+31612345678" not in page


def test_a_refusal_on_the_page_reads_in_dutch_with_the_example(phone_case, browser_for):
    gemeente, case = phone_case
    task = gemeente.task_for(case["id"], "record_phone")
    web = browser_for("gemeente.westbetuwe")
    page = web.get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert '"validationType": "phone"' not in page and '"validationType":"phone"' not in page
    answer = web.post(f"/tasks/{task['id']}", {"variables": '{"callback_phone": "12345"}'})
    assert answer.status_code == 422
    assert "Vul een telefoonnummer in, zoals 06 12345678 of +31 20 123 4567." in answer.get_data(as_text=True)
