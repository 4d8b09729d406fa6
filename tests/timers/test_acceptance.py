"""The acceptance scenarios of the timers: a real scheduler, a patched clock, real databases."""

import time
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from engine.instances.models import AuditEvent
from engine.runtime.script_helpers import LOCAL_ZONE
from tests.timers.conftest import FAST, wait_for

SETTLE = 0.5  # real seconds a woken scheduler gets to (wrongly) fire something


def _local(*args):
    return datetime(*args, tzinfo=LOCAL_ZONE)


def _fired_at(db_read, instance_id, element_id):
    rows = db_read(
        lambda s: s.execute(
            sa.select(AuditEvent.at, AuditEvent.actor).where(
                AuditEvent.instance_id == instance_id,
                AuditEvent.element_id == element_id,
                AuditEvent.event == "element.completed",
            )
        ).all()
    )
    return rows


def test_two_working_day_reminder_fires_after_the_weekend_and_christmas(
    deploy_fixture, as_user, clock, start_scheduler, case_row, db_read
):
    deploy_fixture("timers")
    gemeente = as_user("gemeente.westbetuwe")
    reported_at = _local(2026, 12, 24, 10, 0)  # Thursday; Friday 25 December is a holiday
    case = gemeente.start("aangifte_reminder", {"municipality_code": "GM0668", "reported_at": reported_at.isoformat()})
    due = datetime.fromisoformat(case["next_timer_due_at"])
    assert due == _local(2026, 12, 29, 10, 0)  # Monday 28 and Tuesday 29 are the two working days
    start_scheduler()

    clock.move_to(due - timedelta(minutes=1))
    time.sleep(SETTLE)
    assert gemeente.tasks(process_instance_id=case["id"]) == []
    assert case_row(case["id"]).active_elements == ["wait"]  # the event-based gateway waits for either

    clock.move_to(due + timedelta(seconds=1))
    reminder = wait_for(lambda: gemeente.tasks(process_instance_id=case["id"]), message="the reminder task")
    assert [t["element_id"] for t in reminder] == ["remind"]
    [(fired_at, actor)] = _fired_at(db_read, case["id"], "two_working_days")
    assert actor == "scheduler"
    assert timedelta(0) <= fired_at - due < timedelta(seconds=5)
    assert case_row(case["id"]).next_timer_due_at is None


def test_one_hour_escalation_interrupts_the_task(
    deploy_fixture, as_user, clock, start_scheduler, case_row, audit_count
):
    deploy_fixture("timers")
    ivp = as_user("ivp")
    case = as_user("gemeente.westbetuwe").start("ivp_escalation", {"municipality_code": "GM0668"})
    [contact] = ivp.tasks(process_instance_id=case["id"])
    assert contact["element_id"] == "first_contact"
    started = clock.now()
    assert abs(datetime.fromisoformat(contact["due_at"]) - (started + timedelta(hours=1))) < timedelta(seconds=5)
    start_scheduler()

    clock.move_to(started + timedelta(minutes=59))
    time.sleep(SETTLE)
    assert [t["element_id"] for t in ivp.tasks(process_instance_id=case["id"])] == ["first_contact"]

    clock.move_to(started + timedelta(hours=1, seconds=2))
    wait_for(lambda: case_row(case["id"]).active_elements == ["escalate"], message="the escalation")
    assert [t["element_id"] for t in ivp.tasks(process_instance_id=case["id"])] == ["escalate"]
    assert audit_count(case["id"], "task.cancelled", "first_contact") == 1
    assert ivp.post(f"/api/v1/tasks/{contact['id']}/complete", json={"variables": {}}).status_code in (404, 409)


def test_a_cycle_fires_exactly_its_number_of_times(
    deploy_fixture, as_user, clock, start_scheduler, case_row, audit_count
):
    deploy_fixture("timers")
    gemeente = as_user("gemeente.westbetuwe")
    case = gemeente.start("checkin_cycle", {"municipality_code": "GM0668"})
    started = clock.now()
    start_scheduler()

    def reminders():
        return [t for t in gemeente.tasks(process_instance_id=case["id"]) if t["element_id"] == "reminder"]

    for hour, expected in ((1, 1), (2, 2), (3, 3)):
        clock.move_to(started + timedelta(hours=hour, seconds=2))
        wait_for(lambda: len(reminders()) == expected, message=f"{expected} reminder(s)")
    for hour in (4, 5, 30):
        clock.move_to(started + timedelta(hours=hour, seconds=2))
        time.sleep(SETTLE)
    assert len(reminders()) == 3
    assert audit_count(case["id"], "task.created", "reminder") == 3
    row = case_row(case["id"])
    assert row.next_timer_due_at is None
    assert "handle" in row.active_elements  # non-interrupting: the main task is still open


def test_a_timer_due_while_the_scheduler_was_down_fires_once_on_restart(
    deploy_fixture, as_user, clock, start_scheduler, case_row, audit_count
):
    deploy_fixture("timers")
    admin = as_user("beheerder")
    case = admin.start("wait_duration", {"municipality_code": "GM0668"})
    clock.move_to(clock.now() + timedelta(hours=3))  # nobody is running a scheduler

    first = start_scheduler("first")
    wait_for(lambda: case_row(case["id"]).active_elements == ["after_wait_duration"], message="the catch-up")
    version = case_row(case["id"]).lock_version
    assert first.stats["startup_loaded"] == 1
    first.stop()

    second = start_scheduler("second")
    time.sleep(SETTLE)
    assert second.stats["startup_loaded"] == 0
    assert audit_count(case["id"], "element.completed", "timer_wait_duration") == 1
    assert case_row(case["id"]).lock_version == version


def test_overdue_timers_fire_in_due_order_after_downtime(deploy_fixture, as_user, clock, start_scheduler, db_read):
    deploy_fixture("timers")
    admin = as_user("beheerder")
    waits = ["PT50M", "PT10M", "PT40M", "PT20M", "PT30M"]
    cases = {
        w: admin.start("wait_duration_variable", {"municipality_code": "GM0668", "wait_for": w})["id"] for w in waits
    }
    clock.move_to(clock.now() + timedelta(hours=2))
    start_scheduler(settings=FAST)  # SQLite default: one worker, so firing order is due order

    def fired_order():
        rows = db_read(
            lambda s: (
                s.execute(
                    sa.select(AuditEvent.instance_id)
                    .where(
                        AuditEvent.element_id == "timer_wait_duration_variable", AuditEvent.event == "element.completed"
                    )
                    .order_by(AuditEvent.id)
                )
                .scalars()
                .all()
            )
        )
        return rows if len(rows) == len(waits) else None

    order = wait_for(fired_order, message="all five catch-ups")
    if FAST.workers in (0, 1) and db_read(lambda s: s.get_bind().dialect.name) == "sqlite":
        assert order == [cases[w] for w in sorted(waits, key=lambda w: int(w[2:-1]))]
    assert len(set(order)) == len(waits)


@pytest.mark.postgresql_only
def test_two_schedulers_fire_each_timer_exactly_once(
    deploy_fixture, as_user, clock, start_scheduler, case_row, audit_count
):
    deploy_fixture("timers")
    admin = as_user("beheerder")
    cases = [
        admin.start("wait_duration_variable", {"municipality_code": "GM0668", "wait_for": f"PT{10 + i}M"})["id"]
        for i in range(20)
    ]
    first = start_scheduler("first")
    second = start_scheduler("second", expect_leader=False)
    time.sleep(1.0)
    assert first.is_leader and not second.is_leader

    clock.move_to(clock.now() + timedelta(minutes=45))
    for instance_id in cases:
        wait_for(
            lambda i=instance_id: case_row(i).active_elements == ["after_wait_duration_variable"],
            message=f"case {instance_id} fired",
        )
    time.sleep(SETTLE)
    assert [audit_count(i, "element.completed", "timer_wait_duration_variable") for i in cases] == [1] * len(cases)

    # The leader dies: the standby takes over and fires the timers that fall due afterwards.
    first.stop()
    assert second.wait_until_leader(10)
    later = admin.start("wait_duration_variable", {"municipality_code": "GM0668", "wait_for": "PT5M"})["id"]
    clock.move_to(clock.now() + timedelta(minutes=6))
    wait_for(
        lambda: case_row(later).active_elements == ["after_wait_duration_variable"], message="fired by the new leader"
    )
    assert audit_count(later, "element.completed", "timer_wait_duration_variable") == 1
