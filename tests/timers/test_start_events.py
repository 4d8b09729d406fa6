"""Timer start events: a new case per occurrence of the diagram's schedule, on the calendar, never twice."""

import time
from datetime import datetime

import pytest
import sqlalchemy as sa

from engine.identity.actor import Actor
from engine.instances.models import ProcessInstance
from engine.runtime.script_helpers import LOCAL_ZONE
from engine.timers.models import TimerStartOccurrence
from engine.timers.start_events import current_schedules, start_due_occurrence
from tests.timers.conftest import wait_for

SETTLE = 0.5


def _local(*args):
    return datetime(*args, tzinfo=LOCAL_ZONE)


@pytest.fixture
def timers(deploy_fixture):
    deploy_fixture("timers")


def _cases(admin, process_id):
    response = admin.get("/api/v1/process-instances", query_string={"process_id": process_id, "limit": 100})
    assert response.status_code == 200, response.get_json()
    return sorted(response.get_json()["items"], key=lambda c: c["started_at"])


def test_the_yearly_evaluation_starts_every_31_december_on_the_calendar(timers, as_user, clock, start_scheduler):
    admin, bzk = as_user("beheerder"), as_user("bzk")
    start_scheduler()
    clock.move_to(_local(2026, 12, 31, 8, 59, 30))
    time.sleep(SETTLE)
    assert _cases(admin, "yearly_evaluation") == []

    clock.move_to(_local(2026, 12, 31, 9, 0, 1))
    [first] = wait_for(lambda: _cases(admin, "yearly_evaluation"), message="the 2026 evaluation")
    detail = admin.case(first["id"])
    assert detail["variables"]["timer_occurrence"] == "2026-12-31T09:00:00+01:00"
    assert detail["started_by"] == "scheduler" and detail["business_key"].startswith("VB-2026-")
    assert detail["next_timer_due_at"] is None  # the start event fired; nothing waits inside the case
    assert [t["element_id"] for t in bzk.tasks(process_instance_id=first["id"])] == ["evaluate"]

    clock.move_to(_local(2027, 12, 31, 9, 0, 1))
    wait_for(lambda: len(_cases(admin, "yearly_evaluation")) == 2, message="the 2027 evaluation")
    # 2028 is a leap year: 365 days after 31 December 2027 is 30 December 2028, which is not the date.
    clock.move_to(_local(2028, 12, 30, 9, 0, 1))
    time.sleep(SETTLE)
    assert len(_cases(admin, "yearly_evaluation")) == 2
    clock.move_to(_local(2028, 12, 31, 9, 0, 1))
    cases = wait_for(
        lambda: len(_cases(admin, "yearly_evaluation")) == 3 and _cases(admin, "yearly_evaluation"),
        message="the 2028 evaluation",
    )
    assert [admin.case(c["id"])["variables"]["timer_occurrence"] for c in cases] == [
        "2026-12-31T09:00:00+01:00",
        "2027-12-31T09:00:00+01:00",
        "2028-12-31T09:00:00+01:00",
    ]


def test_missed_occurrences_after_downtime_start_one_case_once(timers, app, as_user, clock, start_scheduler, db_read):
    admin = as_user("beheerder")
    clock.move_to(_local(2029, 1, 2, 12, 0))  # 2026, 2027 and 2028 were missed: the scheduler was down
    first = start_scheduler("first")
    [case] = wait_for(lambda: _cases(admin, "yearly_evaluation"), message="the catch-up case")
    assert admin.case(case["id"])["variables"]["timer_occurrence"] == "2028-12-31T09:00:00+01:00"
    rows = db_read(
        lambda s: s.execute(
            sa.select(TimerStartOccurrence.occurrence_at, TimerStartOccurrence.skipped).where(
                TimerStartOccurrence.process_id == "yearly_evaluation"
            )
        ).all()
    )
    assert len(rows) == 1 and rows[0].skipped == 2
    first.stop()
    start_scheduler("second")
    time.sleep(SETTLE)
    assert len(_cases(admin, "yearly_evaluation")) == 1


def test_an_occurrence_is_never_started_twice(timers, app, clock):
    clock.move_to(_local(2026, 12, 31, 9, 5))
    actor = Actor.system("scheduler")
    with app.app_context():
        [schedule] = [s for s in current_schedules() if s.process_id == "yearly_evaluation"]
        # Another scheduler recorded this occurrence a moment ago: this start must give way and leave nothing.
        from engine.timers.start_events import occurrence_key
        from engine.db.extensions import db

        moment = _local(2026, 12, 31, 9, 0)
        db.session.add(
            TimerStartOccurrence(
                occurrence_key=occurrence_key("yearly_evaluation", "every_31_december", moment),
                process_id="other_writer",
                element_id="every_31_december",
                occurrence_at=moment,
                process_version_id=schedule.version_id,
                business_key="VB-2026-OTHER1",
                skipped=0,
            )
        )
        db.session.commit()
        assert start_due_occurrence(schedule, actor) is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ProcessInstance)) == 0
    with app.app_context():
        db.session.execute(sa.delete(TimerStartOccurrence))
        db.session.commit()
        assert start_due_occurrence(schedule, actor) is not None
        assert start_due_occurrence(schedule, actor) is None  # the same occurrence again: nothing
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ProcessInstance)) == 1


def test_a_timer_only_process_started_by_hand_runs_once_now(timers, as_user, clock):
    bzk = as_user("bzk")
    case = bzk.start("yearly_evaluation")
    assert case["next_timer_due_at"] is None
    assert case["active_elements"] == ["evaluate"]


def test_a_process_with_a_none_start_event_started_by_hand_does_not_wait_on_its_timer(timers, as_user, clock):
    case = as_user("bzk").start("report_or_monthly")
    assert case["next_timer_due_at"] is None
    assert case["active_elements"] == ["review"]


def test_the_monthly_timer_start_fires_only_its_own_start_event_and_clamps_to_month_end(
    timers, as_user, clock, start_scheduler
):
    admin = as_user("beheerder")
    start_scheduler()
    clock.move_to(_local(2027, 1, 31, 8, 0, 1))
    [case] = wait_for(lambda: _cases(admin, "report_or_monthly"), message="the January review")
    history = [(e["event"], e["element_id"]) for e in admin.history(case["id"])]
    assert ("element.completed", "monthly") in history and ("element.completed", "by_hand") not in history
    schedules = admin.get("/api/v1/timers/start-schedules").get_json()
    [monthly] = [s for s in schedules if s["process_id"] == "report_or_monthly"]
    assert datetime.fromisoformat(monthly["next_occurrence"]) == _local(2027, 2, 28, 8, 0)
    assert datetime.fromisoformat(monthly["last_occurrence"]) == _local(2027, 1, 31, 8, 0)
    assert monthly["last_business_key"] == case["business_key"]


def test_a_schedule_that_needs_case_data_is_reported_not_fatal(deploy_fixture, as_user, clock, start_scheduler):
    deploy_fixture("timers")
    deploy_fixture("timers_broken")
    admin = as_user("beheerder")
    scheduler = start_scheduler()
    schedules = {s["process_id"]: s for s in admin.get("/api/v1/timers/start-schedules").get_json()}
    assert "reported_at" in schedules["broken_schedule"]["error"]
    assert schedules["broken_schedule"]["next_occurrence"] is None
    assert datetime.fromisoformat(schedules["yearly_evaluation"]["next_occurrence"]) == _local(2026, 12, 31, 9, 0)
    assert scheduler.is_leader


def test_a_new_deployment_is_scheduled_without_restarting(deploy_fixture, as_user, clock, start_scheduler):
    scheduler = start_scheduler()
    assert [j.id for j in scheduler._aps.get_jobs() if j.id.startswith("start:")] == []
    deploy_fixture("timers")
    wait_for(lambda: scheduler._aps.get_job("start:yearly_evaluation:every_31_december"), message="the new schedule")


def test_start_schedules_need_an_overseer(timers, as_user, clock):
    assert as_user("gemeente.westbetuwe").get("/api/v1/timers/start-schedules").status_code == 403
    assert as_user("procesbeheerder").get("/api/v1/timers/start-schedules").status_code == 200
