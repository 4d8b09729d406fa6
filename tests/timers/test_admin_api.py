"""The admin view of a case's timers: list them, fire one now, move its due time (audited); the
scheduler follows."""

import json
import time
from datetime import datetime, timedelta, timezone
from uuid import uuid4

import pytest
import sqlalchemy as sa

from engine.instances.models import ProcessInstance
from engine.instances.sealed import open_state
from tests.timers.conftest import wait_for


@pytest.fixture
def timers(deploy_fixture):
    deploy_fixture("timers")


def _url(case_id, suffix=""):
    return f"/api/v1/process-instances/{case_id}/timers{suffix}"


def _engine_due(db_read, case_id, task_id):
    """The due time as the engine stored it in the task's internal data."""
    state = db_read(
        lambda s: open_state(case_id, s.scalar(sa.select(ProcessInstance.state).where(ProcessInstance.id == case_id)))
    )
    return json.loads(state)["tasks"][task_id]["internal_data"]["event_value"]


def test_list_the_waiting_timers_of_a_case(timers, as_user, clock):
    admin = as_user("beheerder")
    case = admin.start("checkin_cycle", {"municipality_code": "GM0668"})
    response = admin.get(_url(case["id"]))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["next_timer_due_at"] == case["next_timer_due_at"]
    [timer] = body["timers"]
    assert timer["element_id"] == "hourly" and timer["kind"] == "timeCycle"
    assert timer["element_type"] == "BoundaryEvent" and timer["interrupting"] is False
    assert timer["remaining_cycles"] == 3
    assert timer["due_at"] == case["next_timer_due_at"]


def test_fire_a_timer_now_is_audited_and_advances_the_case(timers, as_user, clock, db_read):
    admin = as_user("beheerder")
    case = admin.start("wait_days", {"municipality_code": "GM0668"})
    [timer] = admin.get(_url(case["id"])).get_json()["timers"]
    response = admin.post(_url(case["id"], f"/{timer['task_id']}/fire"))
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["timers"] == []
    detail = admin.case(case["id"])
    assert detail["active_elements"] == ["after_wait_days"] and detail["next_timer_due_at"] is None
    [event] = [e for e in admin.history(case["id"]) if e["event"] == "timer.fired_now"]
    assert event["actor"] == "beheerder" and event["element_id"] == "timer_wait_days"
    assert datetime.fromisoformat(event["details"]["due_at"]) == datetime.fromisoformat(timer["due_at"])


def test_firing_a_cycle_now_keeps_the_following_turns_in_place(timers, as_user, clock):
    admin = as_user("beheerder")
    case = admin.start("checkin_cycle", {"municipality_code": "GM0668"})
    [timer] = admin.get(_url(case["id"])).get_json()["timers"]
    first_due = datetime.fromisoformat(timer["due_at"])
    body = admin.post(_url(case["id"], f"/{timer['task_id']}/fire")).get_json()
    [after] = body["timers"]
    assert after["remaining_cycles"] == 2
    assert datetime.fromisoformat(after["due_at"]) == first_due + timedelta(hours=1)
    assert [t["element_id"] for t in as_user("gemeente.westbetuwe").tasks(process_instance_id=case["id"])] == [
        "handle",
        "reminder",
    ]


def test_move_a_timer_changes_the_engine_due_time_and_the_schedule(
    timers, as_user, clock, db_read, start_scheduler, case_row
):
    admin = as_user("beheerder")
    case = admin.start("wait_days", {"municipality_code": "GM0668"})
    [timer] = admin.get(_url(case["id"])).get_json()["timers"]
    scheduler = start_scheduler()
    new_due = clock.now() + timedelta(minutes=10)
    response = admin.post(_url(case["id"], f"/{timer['task_id']}/move"), json={"due_at": new_due.isoformat()})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert datetime.fromisoformat(body["next_timer_due_at"]) == new_due
    assert datetime.fromisoformat(_engine_due(db_read, case["id"], timer["task_id"])) == new_due
    [event] = [e for e in admin.history(case["id"]) if e["event"] == "timer.moved"]
    assert event["actor"] == "beheerder" and datetime.fromisoformat(event["details"]["moved_to"]) == new_due
    assert datetime.fromisoformat(event["details"]["due_at"]) == datetime.fromisoformat(timer["due_at"])

    wait_for(lambda: scheduler._aps.get_job(case["id"]) is not None, message="the moved timer's job")
    clock.move_to(new_due - timedelta(seconds=20))
    time.sleep(0.5)
    assert case_row(case["id"]).active_elements == ["timer_wait_days"]
    clock.move_to(new_due + timedelta(seconds=1))
    wait_for(lambda: case_row(case["id"]).active_elements == ["after_wait_days"], message="firing at the new time")


def test_a_naive_due_time_is_dutch_local_time(timers, as_user, clock, db_read):
    admin = as_user("beheerder")
    case = admin.start("wait_days", {"municipality_code": "GM0668"})
    [timer] = admin.get(_url(case["id"])).get_json()["timers"]
    body = admin.post(_url(case["id"], f"/{timer['task_id']}/move"), json={"due_at": "2027-01-05T09:00:00"}).get_json()
    assert datetime.fromisoformat(body["next_timer_due_at"]) == datetime(2027, 1, 5, 8, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "body,field",
    [
        ({}, "due_at"),
        ({"due_at": "morgen"}, "due_at"),
        ({"due_at": "2020-01-01T09:00:00+01:00"}, "due_at"),
        ({"due_at": "2027-01-05T09:00:00+01:00", "extra": 1}, "extra"),
    ],
)
def test_bad_move_requests_are_refused_and_change_nothing(timers, as_user, clock, body, field):
    admin = as_user("beheerder")
    case = admin.start("wait_days", {"municipality_code": "GM0668"})
    [timer] = admin.get(_url(case["id"])).get_json()["timers"]
    before = admin.history(case["id"])
    response = admin.post(_url(case["id"], f"/{timer['task_id']}/move"), json=body)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]
    assert admin.history(case["id"]) == before
    assert admin.get(_url(case["id"])).get_json()["timers"] == [timer]


def test_unknown_timers_and_cases(timers, as_user, clock):
    admin = as_user("beheerder")
    case = admin.start("wait_days", {"municipality_code": "GM0668"})
    assert admin.get(_url(str(uuid4()))).status_code == 404
    assert admin.get(_url("not-a-uuid")).status_code == 404
    assert admin.post(_url(case["id"], f"/{uuid4()}/fire")).status_code == 404
    assert admin.post(_url(case["id"], "/nonsense/fire")).status_code == 404
    user_task = as_user("gemeente.westbetuwe").start("ivp_escalation", {"municipality_code": "GM0668"})
    [task] = as_user("ivp").tasks(process_instance_id=user_task["id"])
    assert admin.post(_url(user_task["id"], f"/{task['id']}/fire")).status_code == 404  # a user task, not a timer


def test_only_a_beheerder_manages_timers(timers, as_user, clock):
    gemeente = as_user("gemeente.westbetuwe")
    case = gemeente.start("wait_days", {"municipality_code": "GM0668"})
    [timer] = as_user("beheerder").get(_url(case["id"])).get_json()["timers"]
    # Sees the case, but may not manage its timers.
    assert gemeente.get(_url(case["id"])).status_code == 403
    assert gemeente.post(_url(case["id"], f"/{timer['task_id']}/fire")).status_code == 403
    assert (
        as_user("procesbeheerder")
        .post(_url(case["id"], f"/{timer['task_id']}/move"), json={"due_at": "2027-01-05T09:00:00+01:00"})
        .status_code
        == 403
    )
    # Does not see the case at all.
    assert as_user("gemeente.amsterdam").get(_url(case["id"])).status_code == 404
    assert as_user("gemeente.amsterdam").post(_url(case["id"], f"/{timer['task_id']}/fire")).status_code == 404
    assert gemeente.client.get(_url(case["id"])).status_code == 401
    assert as_user("beheerder").get(_url(case["id"])).get_json()["timers"] == [timer]


def test_timers_of_a_case_that_is_not_running_cannot_be_changed(timers, app, as_user, clock):
    from engine.db.extensions import db

    admin = as_user("beheerder")
    case = admin.start("wait_days", {"municipality_code": "GM0668"})
    [timer] = admin.get(_url(case["id"])).get_json()["timers"]
    with app.app_context():
        db.session.execute(
            sa.update(ProcessInstance).where(ProcessInstance.id == case["id"]).values(status="suspended")
        )
        db.session.commit()
    response = admin.post(_url(case["id"], f"/{timer['task_id']}/fire"))
    assert response.status_code == 409 and response.get_json()["status"] == "suspended"
