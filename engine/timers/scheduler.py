"""The timer scheduler: one APScheduler job per case, at the case's earliest due time.

- Cases: the scheduler keeps jobs only for case timers due within a window (the horizon), loaded from the
  indexed `process_instance.next_timer_due_at` in due order, in pages; when the window is about to end,
  the next one is loaded. Start-up and memory therefore grow with the timers due soon, not with the number
  of cases. Overdue timers (after downtime) are in the first page and fire first, in due order.
- Changes: the coordinator reports cases whose due time changed (saved by the web app, an admin, or this
  scheduler); the scheduler reads that case's current row and replaces its job. Nothing is polled per case.
- Firing: `cases.service.fire_timers` runs the case's due timers and saves with the case's lock
  version, so two schedulers (or a scheduler and a person) can never advance a case twice for one timer:
  the second save gets a Conflict, which is expected and only leads to re-reading the row.
- Timer start events: one job per timer start event at its next occurrence; see `start_events`.
Only the leader (see `coordination`) has jobs; a standby holds none.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections import Counter, OrderedDict
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler

from ..db.extensions import db
from ..identity.actor import Actor
from ..instances.models import RUNNING, ProcessInstance
from ..core.timeutil import as_utc, utcnow
from .coordination import PostgresCoordinator, SqliteCoordinator
from .firing import CONFLICT, ERROR, FIRED, SCHEDULER_ACTOR, Outcome, ProcessFiring, ThreadFiring
from .models import CASE, DEFINITION
from .settings import SchedulerSettings
from .start_events import catch_up_bound, current_schedules, start_due_occurrence
from ..notifications.reminders import next_reminder_at
from ..notifications.reminders import fire_due
from ..retention.service import sweep

log = logging.getLogger(__name__)
HORIZON_JOB = "control:horizon"
KNOWN_VERSIONS = 50_000
START_PREFIX = "start:"
RETENTION_JOB = "retention:sweep"  # control jobs have a colon; case jobs are case ids
REMINDER_JOB = "control:task-reminders"  # the due-tomorrow and overdue mails (notifications/reminders.py)
REMINDER = "reminder"  # the change feed's kind for a new reminder (migration 0016)


class TimerScheduler:
    """Use: `TimerScheduler(app).start()`; `stop()` when done. `wakeup()` makes it look at the clock now
    (tests that move the clock call it)."""

    def __init__(self, app, settings: SchedulerSettings | None = None, name: str | None = None):
        self.app = app
        self.settings = settings or SchedulerSettings.from_config(app.config)
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        with app.app_context():
            self.dialect = db.engine.dialect.name
        if self.dialect == "postgresql":
            self.coordinator = PostgresCoordinator(app, self.settings)
        else:
            self.coordinator = SqliteCoordinator(app, self.settings, self.name)
        processes = self.settings.processes
        workers = processes or self.settings.workers or (4 if self.dialect == "postgresql" else 1)
        self.firing = ProcessFiring(app, processes) if processes else ThreadFiring(app)
        self.actor = Actor.system(SCHEDULER_ACTOR)
        if logging.getLogger().getEffectiveLevel() > logging.DEBUG:
            # APScheduler logs two INFO lines per job run: per firing, that is noise (and CPU) at scale.
            logging.getLogger("apscheduler").setLevel(logging.WARNING)
        self.stats = Counter()
        self._aps = BackgroundScheduler(
            timezone=timezone.utc,
            executors={"default": ThreadPoolExecutor(workers), "control": ThreadPoolExecutor(1)},
            # Never drop a late run (misfire) and never refuse one because an earlier run of the same job
            # is still finishing: this class keeps one run per case itself (`_inflight`).
            job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1_000_000},
        )
        self._lock = threading.RLock()
        self._inflight: set[str] = set()
        self._dirty: set[str] = set()  # reported changed while being fired
        self._known: OrderedDict[str, int] = OrderedDict()  # case id -> newest lock version read
        self._attempts: Counter = Counter()
        self._horizon: datetime | None = None
        self._stop = threading.Event()
        self._leader = threading.Event()
        self._ready = threading.Event()  # leader, and the first window and start schedules are loaded
        self._thread: threading.Thread | None = None

    # --- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> TimerScheduler:
        self.firing.warm_up()
        self._aps.start(paused=True)
        self._thread = threading.Thread(target=self._control_loop, name=f"timers-{self.name}", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 15.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        if self._aps.running:
            self._aps.shutdown(wait=True)
        self.firing.close()

    def wakeup(self) -> None:
        if self._aps.running:
            self._aps.wakeup()

    @property
    def is_leader(self) -> bool:
        return self._leader.is_set()

    def wait_until_leader(self, timeout: float) -> bool:
        """Wait until this scheduler acts and has loaded its first window."""
        return self._ready.wait(timeout)

    def _control_loop(self) -> None:
        while not self._stop.is_set():
            try:
                if not self.coordinator.acquire(self._stop):
                    break
                self._activate()
                self.coordinator.follow(self._on_changes, self._stop)
            except Exception:  # never let the control thread die: log, step down, try again
                log.exception("Timer scheduler error; stepping down and retrying.")
                self._stop.wait(self.settings.retry_seconds)
            finally:
                self._deactivate()
        self.coordinator.release()

    def _activate(self) -> None:
        began = time.perf_counter()
        with self._lock:
            self._aps.remove_all_jobs()
            self._horizon = None
            self._attempts.clear()
            self._known.clear()
        self._leader.set()
        self._aps.resume()
        loaded = self._advance_horizon()
        self._refresh_start_schedules()
        self._refresh_reminders()
        sweep_minutes = self.app.config.get("VB_RETENTION_SWEEP_MINUTES") or 0
        if sweep_minutes > 0:
            self._aps.add_job(
                self._run_retention_sweep,
                "interval",
                minutes=sweep_minutes,
                id=RETENTION_JOB,
                executor="control",
                next_run_time=utcnow() + timedelta(seconds=min(5.0, sweep_minutes * 60)),
                replace_existing=True,
            )
        self.stats["startup_ms"] = round((time.perf_counter() - began) * 1000, 1)
        self.stats["startup_loaded"] = loaded
        self._ready.set()
        log.info(
            "Timer scheduler %s acts: %d case timers due until %s loaded in %.1f ms.",
            self.name,
            loaded,
            self._horizon.isoformat() if self._horizon else "-",
            self.stats["startup_ms"],
        )

    def _deactivate(self) -> None:
        self._ready.clear()
        if not self._leader.is_set():
            return
        self._leader.clear()
        with self._lock:
            if self._aps.running:
                self._aps.pause()
                self._aps.remove_all_jobs()
            self._horizon = None
        log.info("Timer scheduler %s no longer acts.", self.name)

    # --- the window of case timers held as jobs ------------------------------------------------------

    def _rows_in(self, after: datetime | None, until: datetime, cursor=None, limit=None):
        due, ident = ProcessInstance.next_timer_due_at, ProcessInstance.id
        query = sa.select(ident, due).where(ProcessInstance.status == RUNNING, due.is_not(None), due <= until)
        if after is not None:
            query = query.where(due > after)
        if cursor is not None:
            query = query.where(sa.or_(due > cursor[1], sa.and_(due == cursor[1], ident > cursor[0])))
        query = query.order_by(due, ident)
        if limit is not None:
            query = query.limit(limit)
        with self.app.app_context():
            with db.engine.connect() as connection:
                return [(row[0], as_utc(row[1])) for row in connection.execute(query)]

    def _advance_horizon(self) -> int:
        """Load the case timers due in (current horizon, now + window], in pages, in due order."""
        settings = self.settings
        previous = self._horizon
        target = utcnow() + timedelta(seconds=settings.horizon_seconds)
        if previous is not None and target < previous:
            target = previous
        loaded, cursor = 0, None
        with self._lock:
            # Raise the horizon first: a change reported while pages load is then scheduled by its
            # handler, and the page (possibly older) only adds jobs that are missing.
            self._horizon = target
        while True:
            rows = self._rows_in(previous, target, cursor, settings.page_size)
            with self._lock:
                self._aps.pause()  # one wake-up per page instead of one per job added
                try:
                    for instance_id, due in rows:
                        loaded += self._add_if_absent(instance_id, due)
                finally:
                    if self.is_leader:
                        self._aps.resume()
            if len(rows) < settings.page_size:
                break
            cursor = rows[-1]
            if self._case_job_count() >= settings.max_jobs:
                # Too many: stop at this due time (all its ties included) and load more later.
                for instance_id, due in self._rows_in(cursor[1] - timedelta(microseconds=1), cursor[1]):
                    with self._lock:
                        loaded += self._add_if_absent(instance_id, due)
                with self._lock:
                    self._horizon = cursor[1]
                break
        lead = timedelta(seconds=min(settings.horizon_lead_seconds, settings.horizon_seconds / 2))
        self._aps.add_job(
            self._run_horizon,
            "date",
            run_date=max(utcnow(), self._horizon - lead),
            id=HORIZON_JOB,
            executor="control",
            replace_existing=True,
        )
        self.stats["loaded"] += loaded
        return loaded

    def _run_horizon(self) -> None:
        if not self.is_leader:
            return
        if self._case_job_count() >= self.settings.max_jobs:
            self._aps.add_job(
                self._run_horizon,
                "date",
                run_date=utcnow() + timedelta(seconds=1),
                id=HORIZON_JOB,
                executor="control",
                replace_existing=True,
            )
            return
        try:
            self._advance_horizon()
        except Exception:
            log.exception("Loading the next window of timers failed; retrying.")
            self._aps.add_job(
                self._run_horizon,
                "date",
                run_date=utcnow() + timedelta(seconds=self.settings.retry_seconds),
                id=HORIZON_JOB,
                executor="control",
                replace_existing=True,
            )

    def _remember(self, instance_id: str, lock_version: int) -> bool:
        """Note the newest lock version read for a case (a bounded memory: old entries are forgotten)."""
        self._known[instance_id] = max(lock_version, self._known.get(instance_id, 0))
        self._known.move_to_end(instance_id)
        while len(self._known) > KNOWN_VERSIONS:
            self._known.popitem(last=False)
        return True

    def _case_job_count(self) -> int:
        return sum(1 for job in self._aps.get_jobs() if not job.id.startswith(("control:", START_PREFIX)))

    def _add_if_absent(self, instance_id: str, due: datetime) -> int:
        if instance_id in self._inflight or self._aps.get_job(instance_id) is not None:
            return 0
        self._add_case_job(instance_id, due)
        return 1

    def _add_case_job(self, instance_id: str, run_at: datetime) -> None:
        self._aps.add_job(
            self._run_case, "date", run_date=run_at, args=[instance_id], id=instance_id, replace_existing=True
        )

    def _remove_job(self, job_id: str) -> None:
        try:
            self._aps.remove_job(job_id)
        except JobLookupError:
            pass

    # --- changes reported by the coordinator -----------------------------------------------------------

    def _on_changes(self, changes: list) -> None:
        # A change this scheduler has already seen (its own save, read back after firing) needs no read.
        cases = sorted(
            {
                ref
                for kind, ref, version in changes
                if kind == CASE and (version is None or self._known.get(ref, 0) < version)
            }
        )
        definitions = sorted({ref for kind, ref, _ in changes if kind == DEFINITION})
        self.stats["changes_skipped"] += sum(1 for kind, _, _ in changes if kind == CASE) - len(cases)
        for start in range(0, len(cases), 500):
            self._reschedule(cases[start : start + 500])
        if definitions:
            self._refresh_start_schedules()
        if any(kind == REMINDER for kind, _, _ in changes):
            self._refresh_reminders()
        self.stats["changes"] += len(changes)

    def _reschedule(self, instance_ids: list, fired: bool = True) -> None:
        """Make each case's job match its current row. Reads and writes happen under one lock so a later
        read can never be overtaken by an earlier one."""
        query = sa.select(
            ProcessInstance.id, ProcessInstance.status, ProcessInstance.next_timer_due_at, ProcessInstance.lock_version
        ).where(ProcessInstance.id.in_(instance_ids))
        with self._lock:
            if not self.is_leader or self._horizon is None:
                return
            with self.app.app_context():
                with db.engine.connect() as connection:
                    rows = {row[0]: (row[1], as_utc(row[2]), row[3]) for row in connection.execute(query)}
            now = utcnow()
            for instance_id in instance_ids:
                if instance_id in self._inflight:
                    self._dirty.add(instance_id)  # its run must read the row again when it ends
                    continue
                self._apply(instance_id, *rows.get(instance_id, (None, None, None)), now=now, fired=fired)

    def _apply(self, instance_id: str, status, due, lock_version, now: datetime, fired: bool) -> None:
        """Set one case's job from its row (call with the lock held)."""
        if lock_version is not None:
            self._remember(instance_id, lock_version)
        if status != RUNNING or due is None or due > self._horizon:
            self._remove_job(instance_id)
            self._attempts.pop(instance_id, None)
            return
        if due <= now and not fired:
            # Due, yet the last run fired nothing (or failed): try again later, not in a tight loop.
            self._attempts[instance_id] += 1
            delay = min(0.5 * 2 ** (self._attempts[instance_id] - 1), self.settings.max_backoff_seconds)
            self._add_case_job(instance_id, now + timedelta(seconds=delay))
            return
        if fired:
            self._attempts.pop(instance_id, None)
        self._add_case_job(instance_id, due)

    # --- firing -----------------------------------------------------------------------------------------

    def _run_case(self, instance_id: str) -> None:
        with self._lock:
            if instance_id in self._inflight or not self.is_leader:
                return
            self._inflight.add(instance_id)
            self._dirty.discard(instance_id)
        outcome = Outcome(ERROR)
        try:
            outcome = self.firing.fire(instance_id)
            self.stats[{FIRED: "fired", CONFLICT: "conflicts", ERROR: "errors"}.get(outcome.result, "nothing_due")] += 1
        finally:
            try:
                self._after_run(instance_id, outcome)
            except Exception:
                log.exception("Rescheduling case %s failed.", instance_id)

    def _after_run(self, instance_id: str, outcome: Outcome) -> None:
        with self._lock:
            self._inflight.discard(instance_id)
            changed_meanwhile = instance_id in self._dirty
            self._dirty.discard(instance_id)
            if outcome.result == FIRED and not changed_meanwhile and self.is_leader and self._horizon:
                # The row as this firing saved it; a change made after it is reported by the change feed.
                self._apply(
                    instance_id, outcome.status, outcome.next_due, outcome.lock_version, now=utcnow(), fired=True
                )
                return
        # A conflict means another save won: its row is the truth, so read it and go on at once.
        self._reschedule([instance_id], fired=outcome.result in (FIRED, CONFLICT))

    # --- timer start events --------------------------------------------------------------------------

    def _refresh_start_schedules(self) -> None:
        with self.app.app_context():
            schedules = current_schedules()
            wanted = {}
            for schedule in schedules:
                if schedule.error or schedule.occurrences is None:
                    log.error(
                        "Timer start event %s of %s has no usable schedule: %s",
                        schedule.element_id,
                        schedule.process_id,
                        schedule.error,
                    )
                    continue
                next_at = schedule.occurrences.next_after(catch_up_bound(schedule))
                if next_at is not None:
                    wanted[START_PREFIX + schedule.process_id + ":" + schedule.element_id] = (schedule, next_at)
            db.session.rollback()
        with self._lock:
            if not self.is_leader:
                return
            for job in self._aps.get_jobs():
                if job.id.startswith(START_PREFIX) and job.id not in wanted:
                    job.remove()
            now = utcnow()
            for job_id, (schedule, next_at) in wanted.items():
                attempts = self._attempts.get(job_id, 0)
                run_at = next_at
                if attempts and next_at <= now:  # still owed after a failed start: retry, but not in a loop
                    run_at = now + timedelta(seconds=min(5 * 2 ** (attempts - 1), self.settings.max_backoff_seconds))
                self._aps.add_job(
                    self._run_start,
                    "date",
                    run_date=run_at,
                    id=job_id,
                    executor="control",
                    args=[schedule.process_id, schedule.element_id],
                    replace_existing=True,
                )

    def _run_start(self, process_id: str, element_id: str) -> None:
        if not self.is_leader:
            return
        job_id = START_PREFIX + process_id + ":" + element_id
        try:
            started = None
            with self.app.app_context():
                for schedule in current_schedules():
                    if schedule.process_id == process_id and schedule.element_id == element_id:
                        started = start_due_occurrence(schedule, self.actor)
            if started is not None:
                self.stats["started"] += 1
                self._attempts.pop(job_id, None)
            else:  # nothing owed (another scheduler started it) or nothing due yet: never loop on it
                self._attempts[job_id] += 1
        except Exception:
            self._attempts[job_id] += 1
            log.exception("Starting %s from its timer start event %s failed.", process_id, element_id)
        self._refresh_start_schedules()

    # --- due-date reminders of tasks (mails) ------------------------------------------------------------

    def _refresh_reminders(self) -> None:
        """One job at the earliest reminder; a new reminder (the change feed) or a run moves it."""
        with self.app.app_context():
            at = next_reminder_at()
        with self._lock:
            if not self.is_leader:
                return
            if at is None:
                self._remove_job(REMINDER_JOB)
            else:
                self._aps.add_job(
                    self._run_reminders,
                    "date",
                    run_date=max(at, utcnow()),
                    id=REMINDER_JOB,
                    executor="control",
                    replace_existing=True,
                )

    def _run_reminders(self) -> None:
        if not self.is_leader:
            return
        try:
            with self.app.app_context():
                self.stats["reminder_mails"] += fire_due()
        except Exception:
            log.exception("Turning due-date reminders into mails failed; retrying.")
            self._aps.add_job(
                self._run_reminders,
                "date",
                run_date=utcnow() + timedelta(seconds=self.settings.retry_seconds),
                id=REMINDER_JOB,
                executor="control",
                replace_existing=True,
            )
            return
        self._refresh_reminders()

    def _run_retention_sweep(self) -> None:
        """Purge the closed cases past their retention (engine/retention), as the acting scheduler only."""
        if not self.is_leader:
            return
        try:
            with self.app.app_context():
                purged = sweep()
            self.stats["purged"] = self.stats.get("purged", 0) + purged
            if purged:
                log.info("Retention sweep: %d case(s) purged.", purged)
        except Exception:
            log.exception("The retention sweep failed; it runs again at its next interval.")

    # --- foreground use (the `scheduler` command) --------------------------------------------------------

    def run_until_stopped(self, stop: threading.Event) -> None:
        self.start()
        try:
            while not stop.wait(1.0):
                if self._thread is not None and not self._thread.is_alive():
                    break
        finally:
            self.stop()
