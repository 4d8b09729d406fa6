"""Only one scheduler acts; a standby takes over when it stops; a case never advances twice for one timer."""

import threading
import time
from datetime import timedelta

import pytest

from engine.core.errors import Conflict
from engine.identity.actor import Actor
from engine.cases.service import fire_timers
from tests.support.databases import BACKEND
from tests.timers.conftest import wait_for


@pytest.fixture
def timers(deploy_fixture):
    deploy_fixture("timers")


def test_one_scheduler_acts_and_a_standby_takes_over(timers, as_user, clock, start_scheduler, case_row, audit_count):
    admin = as_user("beheerder")
    first = start_scheduler("first")
    second = start_scheduler("second", expect_leader=False)
    time.sleep(0.6)  # several of the standby's retries
    assert first.is_leader and not second.is_leader
    assert second._aps.get_jobs() == []

    case = admin.start("wait_duration_variable", {"municipality_code": "GM0668", "wait_for": "PT5M"})
    clock.move_to(clock.now() + timedelta(minutes=6))
    wait_for(lambda: case_row(case["id"]).active_elements == ["after_wait_duration_variable"], message="first fires")
    wait_for(lambda: first.stats["fired"] == 1, message="the count of the first")  # counted just after the save
    assert second.stats["fired"] == 0

    first.stop()
    assert second.wait_until_leader(10)
    later = admin.start("wait_duration_variable", {"municipality_code": "GM0668", "wait_for": "PT5M"})
    clock.move_to(clock.now() + timedelta(minutes=6))
    wait_for(lambda: case_row(later["id"]).active_elements == ["after_wait_duration_variable"], message="second fires")
    wait_for(lambda: second.stats["fired"] == 1, message="the count of the second")
    assert audit_count(case["id"], "timer.fired") == 1 and audit_count(later["id"], "timer.fired") == 1


def test_two_firings_of_one_timer_at_the_same_moment_advance_the_case_once(
    timers, app, as_user, clock, case_row, audit_count
):
    """What keeps a hand-over safe: even if two schedulers fired the same case at once, the lock version
    lets only one save through."""
    case = as_user("beheerder").start("wait_duration_variable", {"municipality_code": "GM0668", "wait_for": "PT5M"})
    clock.move_to(clock.now() + timedelta(minutes=6))
    barrier = threading.Barrier(2)
    outcomes = []

    def fire():
        with app.app_context():
            barrier.wait()
            try:
                outcomes.append("fired" if fire_timers(case["id"], Actor.system("scheduler")) else "nothing")
            except Conflict:
                outcomes.append("conflict")

    threads = [threading.Thread(target=fire) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) in (["conflict", "fired"], ["fired", "nothing"])
    assert audit_count(case["id"], "timer.fired") == 1
    assert audit_count(case["id"], "task.created", "after_wait_duration_variable") == 1
    assert case_row(case["id"]).lock_version == 2


@pytest.mark.postgresql_only
def test_after_the_leader_connection_is_cut_one_scheduler_acts_and_timers_fire_once(
    timers, app, as_user, clock, start_scheduler, case_row, audit_count
):
    import sqlalchemy as sa

    from engine.db.extensions import db

    first = start_scheduler("first")
    second = start_scheduler("second", expect_leader=False)
    with app.app_context():  # the server ends the leader's session: its advisory lock is released
        db.session.execute(
            sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": first.coordinator.conn.info.backend_pid}
        )
        db.session.commit()
    wait_for(
        lambda: (
            first.is_leader != second.is_leader
            and (first.is_leader or second.is_leader)
            and (first._ready.is_set() or second._ready.is_set())
        ),
        message="exactly one leader again",
    )
    case = as_user("beheerder").start("wait_duration_variable", {"municipality_code": "GM0668", "wait_for": "PT5M"})
    clock.move_to(clock.now() + timedelta(minutes=6))
    wait_for(lambda: case_row(case["id"]).active_elements == ["after_wait_duration_variable"], message="the timer")
    time.sleep(0.5)
    assert audit_count(case["id"], "timer.fired") == 1
    assert not (first.is_leader and second.is_leader)


@pytest.mark.skipif(BACKEND != "sqlite", reason="the SQLite lease (PostgreSQL's advisory lock has no clock)")
def test_a_clock_that_jumps_forward_does_not_hand_the_lead_to_a_standby(app, clock, start_scheduler):
    """The lease's expiry is a wall-clock time: after a jump of six minutes it looks expired, yet its holder
    is alive. The standby takes over only a lease it has seen unrenewed for a whole lease period."""
    first = start_scheduler("first")
    second = start_scheduler("second", expect_leader=False)
    time.sleep(0.5)
    clock.move_to(clock.now() + timedelta(minutes=6))
    time.sleep(1.5)  # several of the standby's retries (every 0.2 s)
    assert first.is_leader and not second.is_leader
