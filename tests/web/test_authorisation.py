"""Who sees which task and case in the web app: the same policy as the API, and 404 for the rest."""

from __future__ import annotations

import json

import pytest

from engine.db.extensions import db
from tests.support.users import create_test_user
from engine.instances.task_rows import HumanTask


def _status(app, task_id):
    with app.app_context():
        task = db.session.get(HumanTask, task_id)
        return task.status, task.assignee


@pytest.mark.parametrize("username", ["gemeente.amsterdam", "bzk", "ivp", "om"])
def test_users_without_a_part_in_the_case_get_404_everywhere(app, browser_for, case, username):
    case_id, business_key, task_id = case
    client = browser_for(username)
    for path in (f"/cases/{case_id}", f"/tasks/{task_id}", f"/cases/{case_id}/diagram.bpmn"):
        response = client.get(path)
        assert response.status_code == 404, (username, path)
        assert business_key not in response.get_data(as_text=True)
    for path, data in (
        (f"/tasks/{task_id}/claim", {}),
        (f"/tasks/{task_id}/unclaim", {}),
        (f"/tasks/{task_id}", {"variables": json.dumps({"category": "bedreiging"})}),
    ):
        assert client.post(path, data).status_code == 404, (username, path)
    assert business_key not in client.get("/").get_data(as_text=True)
    assert business_key not in client.get("/cases").get_data(as_text=True)
    assert _status(app, task_id) == ("open", None)


def test_a_municipal_user_cannot_widen_the_inbox_with_a_filter(browser_for, case):
    _, business_key, _ = case
    client = browser_for("gemeente.amsterdam")
    page = client.get("/?municipality=GM0668").get_data(as_text=True)
    assert business_key not in page
    assert 'id="f-municipality"' not in page


def test_ids_that_are_not_ids_are_404(browser_for):
    client = browser_for("beheerder")
    for path in ("/tasks/not-a-uuid", "/cases/not-a-uuid", "/cases/../etc/passwd", "/start/nope"):
        assert client.get(path).status_code == 404, path


def test_the_reporter_sees_the_case_but_cannot_work_the_municipalitys_task(app, browser_for, case):
    case_id, business_key, task_id = case
    client = browser_for("ambtsdrager.westbetuwe")
    assert client.get(f"/cases/{case_id}").status_code == 200
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "Taak afronden" not in page and "Taak oppakken" not in page
    assert '"read_only": true' in page
    assert client.post(f"/tasks/{task_id}/claim").status_code == 404
    response = client.post(f"/tasks/{task_id}", {"variables": json.dumps({"category": "bedreiging"})})
    assert response.status_code == 404
    assert _status(app, task_id) == ("open", None)


def test_a_task_claimed_by_a_colleague_is_read_only_and_cannot_be_completed(app, browser_for, case):
    _, _, task_id = case
    with app.app_context():
        create_test_user("oov.westbetuwe", ["gemeente"], "GM0668", "Tweede behandelaar")
    first = browser_for("gemeente.westbetuwe")
    assert first.post(f"/tasks/{task_id}/claim").status_code == 302
    second = browser_for("oov.westbetuwe")
    page = second.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "Deze taak is opgepakt door Gemeente West Betuwe (OOV)" in page
    assert "Taak afronden" not in page
    assert business_key_not_in_inbox(second, task_id)
    response = second.post(f"/tasks/{task_id}", {"variables": json.dumps({"category": "bedreiging"})})
    assert response.status_code == 302
    flashed = second.get(response.headers["Location"]).get_data(as_text=True)
    assert "Deze taak kon niet worden afgerond: hij is opgepakt door Gemeente West Betuwe (OOV)." in flashed
    assert second.post(f"/tasks/{task_id}/unclaim").status_code == 302
    assert _status(app, task_id) == ("open", "gemeente.westbetuwe")


def business_key_not_in_inbox(client, task_id) -> bool:
    return task_id not in client.get("/").get_data(as_text=True)


def test_sensitive_fields_are_shielded_and_never_prefilled_for_other_roles(app, browser_for):
    """Politie may read the home address; the ministry (BZK) may not, even as an overseer of the case."""
    from engine.app.cli import deploy_folders
    from engine.identity.actor import Actor
    from engine.identity.service import get_user
    from engine.cases.service import start_case
    from tests.support.api import FIXTURES

    with app.app_context():
        deploy_folders([FIXTURES / "basic"], actor="test")
        create_test_user("procesbeheer2", ["procesbeheerder"], None, "Procesbeheerder")
        instance = start_case(
            "simple_case",
            {"summary": "x", "municipality_code": "GM0668", "home_address": "Dorpsstraat 1"},
            Actor.for_user(get_user("gemeente.westbetuwe")),
        )
        case_id = instance.id
    overseer = browser_for("procesbeheer2")
    page = overseer.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Dorpsstraat 1" not in page and "afgeschermd" in page
    municipality = browser_for("gemeente.westbetuwe")
    assert "Dorpsstraat 1" in municipality.get(f"/cases/{case_id}").get_data(as_text=True)
