"""A real timer scheduler (APScheduler threads, the database's leadership and change feed) inside the test
process, and a clock that tests move. The scheduler sleeps on real time until its next job, so after moving
the clock a test calls `clock.move_to(...)`, which also wakes every running scheduler to look again."""

from __future__ import annotations

import time
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa
import time_machine

from engine.db.extensions import db
from engine.instances.models import AuditEvent, ProcessInstance
from engine.timers.scheduler import TimerScheduler
from engine.timers.settings import SchedulerSettings

FAST = SchedulerSettings(
    poll_seconds=0.05,
    heartbeat_seconds=0.2,
    retry_seconds=0.2,
    lease_seconds=30.0,
    horizon_seconds=900.0,
    horizon_lead_seconds=60.0,
)


def wait_for(predicate, timeout: float = 15.0, interval: float = 0.05, message: str = "condition"):
    """Poll `predicate` on real time until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {message}")
        time.sleep(interval)


class Clock:
    def __init__(self, traveller, schedulers):
        self.traveller = traveller
        self.schedulers = schedulers

    def move_to(self, moment: datetime) -> None:
        self.traveller.move_to(moment)
        for scheduler in self.schedulers:
            scheduler.wakeup()

    def now(self) -> datetime:
        return datetime.now(timezone.utc)


@pytest.fixture(autouse=True)
def long_tokens(request):
    """These tests move the clock by days and years; the demo users' tokens must outlive that."""
    if "app" in request.fixturenames:
        request.getfixturevalue("app").config["VB_TOKEN_TTL_SECONDS"] = 20 * 366 * 86400


@pytest.fixture
def running_schedulers():
    return []


@pytest.fixture
def clock(running_schedulers):
    """Starts at Thursday 24 December 2026 10:00 Dutch time (09:00 UTC); time then runs at real speed."""
    with time_machine.travel(datetime(2026, 12, 24, 9, 0, tzinfo=timezone.utc), tick=True) as traveller:
        yield Clock(traveller, running_schedulers)


@pytest.fixture
def start_scheduler(app, running_schedulers):
    """Start a real scheduler (as the `scheduler` command does) and wait until it acts or stands by."""
    started = []

    def start(name=None, settings=FAST, expect_leader=True):
        scheduler = TimerScheduler(app, settings, name=name).start()
        started.append(scheduler)
        running_schedulers.append(scheduler)
        if expect_leader:
            assert scheduler.wait_until_leader(10), "the scheduler did not take the lead"
        return scheduler

    yield start
    for scheduler in started:
        scheduler.stop()


@pytest.fixture
def db_read(app):
    """Run a query in a fresh app context (sees what the scheduler committed)."""

    def read(fn):
        with app.app_context():
            try:
                return fn(db.session)
            finally:
                db.session.remove()

    return read


@pytest.fixture
def audit_count(db_read):
    def count(instance_id, event, element_id=None):
        def query(session):
            q = (
                sa.select(sa.func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.instance_id == instance_id, AuditEvent.event == event)
            )
            if element_id:
                q = q.where(AuditEvent.element_id == element_id)
            return session.scalar(q)

        return db_read(query)

    return count


@pytest.fixture
def case_row(db_read):
    def row(instance_id):
        return db_read(
            lambda s: s.execute(
                sa.select(
                    ProcessInstance.status,
                    ProcessInstance.next_timer_due_at,
                    ProcessInstance.active_elements,
                    ProcessInstance.lock_version,
                ).where(ProcessInstance.id == instance_id)
            ).one()
        )

    return row
