"""Messages delivered by business key, and timers fired by the clock."""

from datetime import datetime, timedelta, timezone

import time_machine

from engine.identity.actor import Actor
from engine.cases.service import fire_timers


def test_message_reaches_the_waiting_case_only(deploy_fixture, as_user):
    deploy_fixture("events")
    admin = as_user("beheerder")
    first = admin.start("waiting_case", {"municipality_code": "GM0668"})
    second = admin.start("waiting_case", {"municipality_code": "GM0668"})
    assert "wait" in first["active_elements"]

    gemeente = as_user("gemeente.westbetuwe")  # the declared sender (the fixture's `senders` property)
    response = gemeente.post(
        "/api/v1/messages",
        json={
            "name": "aangifte_geregistreerd",
            "business_key": first["business_key"],
            "variables": {"police_registration_number": "PL0600-2026-1"},
        },
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["delivered_to"] == [first["id"]]
    done = admin.case(first["id"])
    assert done["status"] == "completed"
    assert done["variables"]["police_registration_number"] == "PL0600-2026-1"
    assert admin.case(second["id"])["status"] == "running"

    again = gemeente.post(
        "/api/v1/messages", json={"name": "aangifte_geregistreerd", "business_key": first["business_key"]}
    )
    assert again.status_code == 404


def test_timer_fires_when_due(app, deploy_fixture, as_user):
    deploy_fixture("events")
    admin = as_user("beheerder")
    case = admin.start("waiting_case", {"municipality_code": "GM0668"})
    due = datetime.fromisoformat(case["next_timer_due_at"])
    assert timedelta(days=1, hours=23) < due - datetime.now(timezone.utc) <= timedelta(days=2)

    with app.app_context():
        assert fire_timers(case["id"], Actor.system("scheduler")) is None  # not due yet: nothing written
    with time_machine.travel(due + timedelta(seconds=1), tick=False):
        with app.app_context():
            fire_timers(case["id"], Actor.system("scheduler"))
    detail = admin.case(case["id"])
    assert detail["active_elements"] == ["remind"]
    assert detail["next_timer_due_at"] is None
    gemeente = as_user("gemeente.westbetuwe")
    assert gemeente.task_for(case["id"], "remind")
