"""Every kind of timer a modeler writes fires at the right moment under the real scheduler: durations,
dates (with and without a time), expressions over case data, boundary timers and event-based gateways."""

import time
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from engine.runtime.script_helpers import LOCAL_ZONE
from tests.timers.conftest import FAST, wait_for

SETTLE = 0.5


def _local(*args):
    return datetime(*args, tzinfo=LOCAL_ZONE)


@pytest.fixture
def timers(deploy_fixture):
    deploy_fixture("timers")


def _fires_exactly_at(clock, case_row, instance_id, due, element_after):
    clock.move_to(due - timedelta(seconds=30))
    time.sleep(SETTLE)
    assert case_row(instance_id).active_elements != [element_after], "fired early"
    clock.move_to(due + timedelta(seconds=1))
    wait_for(lambda: case_row(instance_id).active_elements == [element_after], message=f"{element_after} after {due}")


CASES = [
    # process, variables, expected due time (from the clock's start: Thursday 24 December 2026 10:00 local)
    ("wait_duration", {}, _local(2026, 12, 24, 11, 30)),
    ("wait_days", {}, _local(2026, 12, 26, 10, 0)),
    ("wait_date", {}, _local(2027, 1, 4, 9, 0)),
    ("wait_date_only", {}, _local(2027, 1, 4, 0, 0)),
    ("wait_date_expression", {"deadline_basis": "2026-12-30T14:00:00"}, _local(2027, 1, 2, 14, 0)),
    ("wait_duration_variable", {"wait_for": "PT45M"}, _local(2026, 12, 24, 10, 45)),
    # A date in case data without an offset (as a form gives it) is Dutch time, whatever the server's zone.
    ("wait_date_variable", {"deadline": "2027-01-04T09:00:00"}, _local(2027, 1, 4, 9, 0)),
    ("wait_date_variable", {"deadline": "2027-07-05T09:00:00"}, _local(2027, 7, 5, 9, 0)),
]


@pytest.mark.parametrize("process_id,variables,expected", CASES, ids=[f"{c[0]}-{c[2]:%m%d}" for c in CASES])
def test_timer_fires_at_its_due_time(
    timers, as_user, clock, start_scheduler, case_row, process_id, variables, expected
):
    case = as_user("beheerder").start(process_id, {"municipality_code": "GM0668", **variables})
    due = datetime.fromisoformat(case["next_timer_due_at"])
    assert abs(due - expected) < timedelta(seconds=2), (due, expected)
    start_scheduler()
    _fires_exactly_at(clock, case_row, case["id"], due, f"after_{process_id}")


def test_a_case_saved_after_the_scheduler_started_is_scheduled_without_a_scan(
    timers, as_user, clock, start_scheduler, case_row
):
    scheduler = start_scheduler()
    case = as_user("beheerder").start("wait_duration_variable", {"municipality_code": "GM0668", "wait_for": "PT2M"})
    wait_for(lambda: scheduler._aps.get_job(case["id"]) is not None, message="the change to reach the scheduler")
    _fires_exactly_at(
        clock, case_row, case["id"], datetime.fromisoformat(case["next_timer_due_at"]), "after_wait_duration_variable"
    )


def test_the_message_wins_the_event_based_gateway_and_the_timer_job_goes(
    timers, as_user, clock, start_scheduler, case_row, audit_count
):
    gemeente = as_user("gemeente.westbetuwe")
    case = gemeente.start(
        "aangifte_reminder", {"municipality_code": "GM0668", "reported_at": _local(2026, 12, 24, 10, 0).isoformat()}
    )
    scheduler = start_scheduler(settings=replace(FAST, horizon_seconds=30 * 86400))
    assert scheduler._aps.get_job(case["id"]) is not None  # within the 30-day window: a job at 29 December
    response = gemeente.post(
        "/api/v1/messages", json={"name": "aangifte_geregistreerd", "business_key": case["business_key"]}
    )
    assert response.status_code == 200, response.get_json()
    row = case_row(case["id"])
    assert row.status == "completed" and row.next_timer_due_at is None
    wait_for(lambda: scheduler._aps.get_job(case["id"]) is None, message="the job to be removed")
    clock.move_to(_local(2026, 12, 30, 10, 0))
    time.sleep(SETTLE)
    assert audit_count(case["id"], "timer.fired") == 0
    assert gemeente.tasks(process_instance_id=case["id"]) == []


def test_a_non_interrupting_boundary_keeps_its_task_open(
    timers, as_user, clock, start_scheduler, case_row, audit_count
):
    gemeente = as_user("gemeente.westbetuwe")
    case = gemeente.start("checkin_cycle", {"municipality_code": "GM0668"})
    start_scheduler()
    clock.move_to(clock.now() + timedelta(hours=1, seconds=2))
    wait_for(lambda: len(gemeente.tasks(process_instance_id=case["id"])) == 2, message="a reminder beside the task")
    handle = [t for t in gemeente.tasks(process_instance_id=case["id"]) if t["element_id"] == "handle"][0]
    gemeente.complete(handle["id"], {"note": "afgehandeld"})
    # Completing the task ends its boundary cycle; the engine cancels the reminders the unfinished cycle
    # opened (see docs/timers.md), and the case ends.
    row = case_row(case["id"])
    assert row.status == "completed" and row.next_timer_due_at is None
    assert audit_count(case["id"], "task.cancelled", "reminder") == 1
    assert gemeente.tasks(process_instance_id=case["id"]) == []


def test_a_suspended_or_failed_case_is_not_fired(timers, app, as_user, clock, start_scheduler, case_row, audit_count):
    import sqlalchemy as sa

    from engine.db.extensions import db
    from engine.instances.models import ProcessInstance

    case = as_user("beheerder").start("wait_duration", {"municipality_code": "GM0668"})
    with app.app_context():  # as a suspension would: status changes, the due time is no longer relevant
        db.session.execute(
            sa.update(ProcessInstance)
            .where(ProcessInstance.id == case["id"])
            .values(status="suspended", lock_version=ProcessInstance.lock_version + 1)
        )
        db.session.commit()
    start_scheduler()
    clock.move_to(clock.now() + timedelta(hours=2))
    time.sleep(SETTLE)
    assert case_row(case["id"]).status == "suspended"
    assert audit_count(case["id"], "timer.fired") == 0
