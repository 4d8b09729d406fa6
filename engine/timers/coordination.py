"""Who acts, and how the acting scheduler hears about changes, per database.

PostgreSQL: a session advisory lock on a dedicated connection. The holder LISTENs on the same connection
for the NOTIFY a trigger sends when a case's due time or a process version changes. When the holder dies
its connection closes, the lock is released, and a standby that retries `pg_try_advisory_lock` takes over.

SQLite (one host): a lease row with an expiry, renewed by the holder; a trigger writes changes into the
`timer_change` outbox, which the holder reads by id (an index range) and prunes.

Both call `on_change(changes)` with a list of (kind, ref, version): ("case", instance id, lock version
after the change) or ("definition", process id, None). A coordinator only reports changes; the scheduler
reads the current rows itself.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from datetime import timedelta
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ..db.extensions import db
from ..core.timeutil import as_utc, utcnow
from .models import SchedulerLease, TimerChange

log = logging.getLogger(__name__)
LEASE_NAME = "timers"
OnChange = Callable[[list], None]


def _parse(payload: str) -> tuple:
    kind, _, rest = payload.partition(":")
    if kind == "case":
        ref, _, version = rest.partition(":")
        return kind, ref, int(version) if version.isdigit() else None
    return kind, rest, None


def _digest(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()  # noqa: S324 (a name, not a secret)


class PostgresCoordinator:
    def __init__(self, app, settings):
        self.app = app
        self.settings = settings
        self.conn = None
        with app.app_context():
            url = db.engine.url.set(drivername="postgresql")
        self.conninfo = url.render_as_string(hide_password=False)
        self.key = None
        self.channel = None

    def _connect(self):
        import psycopg

        conn = psycopg.connect(self.conninfo, autocommit=True)
        schema = conn.execute(
            "SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.oid = to_regclass('process_instance')"
        ).fetchone()
        if schema is None:
            conn.close()
            raise RuntimeError("The table process_instance does not exist: run the migrations first.")
        digest = _digest(schema[0])
        # The trigger's channel (see migration 0005) and a lock key private to this schema.
        self.channel = "vb_timers_" + digest[:16]
        self.key = int(_digest("vb_timers_lock:" + schema[0])[:15], 16)
        self.conn = conn

    def _close(self):
        if self.conn is not None:
            try:
                self.conn.close()
            except Exception:  # already broken: nothing left to release
                pass
        self.conn = None

    def acquire(self, stop: threading.Event) -> bool:
        while not stop.is_set():
            try:
                if self.conn is None or self.conn.closed:
                    self._connect()
                if self.conn.execute("SELECT pg_try_advisory_lock(%s)", (self.key,)).fetchone()[0]:
                    self.conn.execute(f'LISTEN "{self.channel}"')
                    return True
            except Exception as err:  # database down or restarting: keep trying
                log.warning("Scheduler leadership: %s", err)
                self._close()
            stop.wait(self.settings.retry_seconds)
        return False

    def follow(self, on_change: OnChange, stop: threading.Event) -> None:
        """Until leadership is lost (the connection broke) or `stop` is set."""
        conn = self.conn
        try:
            while not stop.is_set():
                batch = [n.payload for n in conn.notifies(timeout=self.settings.heartbeat_seconds, stop_after=1)]
                if batch:
                    # Gather what arrives in the next moments too: one query for a burst, not one per change.
                    batch.extend(n.payload for n in conn.notifies(timeout=0.02, stop_after=2_000))
                    on_change([_parse(p) for p in batch if ":" in p])
                else:
                    conn.execute("SELECT 1")  # an idle heartbeat: raises when the connection is gone
        except Exception as err:
            if not stop.is_set():
                log.warning("Scheduler lost its database connection, and with it leadership: %s", err)
            self._close()

    def release(self) -> None:
        if self.conn is not None and not self.conn.closed:
            try:
                self.conn.execute("SELECT pg_advisory_unlock(%s)", (self.key,))
            except Exception:  # closing releases it anyway
                pass
        self._close()


class SqliteCoordinator:
    def __init__(self, app, settings, holder: str):
        self.app = app
        self.settings = settings
        self.holder = holder
        self.mark = 0
        self.holding = False
        self._seen, self._seen_at = None, 0.0  # another holder's lease as last read, and since when

    def _try_lease(self) -> bool:
        """Take or keep the lease. Another holder's lease is taken over only when this standby has seen it
        unrenewed for a whole lease period on its own monotonic clock: its expiry is a wall-clock time, and
        a clock that jumps forward (NTP, a suspended VM) makes a live holder's lease look expired, after which
        two schedulers would act until the holder's next renewal."""
        now = utcnow()
        expires = now + timedelta(seconds=self.settings.lease_seconds)
        with self.app.app_context():
            try:
                row = db.session.execute(
                    sa.select(SchedulerLease.holder, SchedulerLease.expires_at).where(SchedulerLease.name == LEASE_NAME)
                ).first()
                if row is None:
                    db.session.add(SchedulerLease(name=LEASE_NAME, holder=self.holder, expires_at=expires))
                    db.session.commit()
                    return True
                if row.holder != self.holder:
                    seen, at = (row.holder, row.expires_at), time.monotonic()
                    if self._seen != seen:
                        self._seen, self._seen_at = seen, at
                    if at - self._seen_at < self.settings.lease_seconds or as_utc(row.expires_at) >= now:
                        db.session.rollback()
                        return False
                taken = db.session.execute(
                    sa.update(SchedulerLease)
                    .where(
                        SchedulerLease.name == LEASE_NAME,
                        SchedulerLease.holder == row.holder,
                        SchedulerLease.expires_at == row.expires_at,
                    )
                    .values(holder=self.holder, expires_at=expires)
                ).rowcount
                db.session.commit()
                return bool(taken)
            except IntegrityError:  # another standby inserted the row first
                db.session.rollback()
                return False

    def _renew(self) -> bool:
        expires = utcnow() + timedelta(seconds=self.settings.lease_seconds)
        with self.app.app_context():
            renewed = db.session.execute(
                sa.update(SchedulerLease)
                .where(SchedulerLease.name == LEASE_NAME, SchedulerLease.holder == self.holder)
                .values(expires_at=expires)
            ).rowcount
            db.session.commit()
        return bool(renewed)

    def acquire(self, stop: threading.Event) -> bool:
        while not stop.is_set():
            try:
                if self._try_lease():
                    with self.app.app_context():
                        self.mark = db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(TimerChange.id), 0)))
                    self.holding = True
                    return True
            except Exception as err:
                log.warning("Scheduler leadership: %s", err)
            stop.wait(self.settings.retry_seconds)
        return False

    def _read_changes(self) -> list:
        with self.app.app_context():
            rows = db.session.execute(
                sa.select(TimerChange.id, TimerChange.kind, TimerChange.ref, TimerChange.version)
                .where(TimerChange.id > self.mark)
                .order_by(TimerChange.id)
                .limit(5_000)
            ).all()
            db.session.rollback()
        if rows:
            self.mark = rows[-1][0]
        return [(kind, ref, version) for _, kind, ref, version in rows]

    def _prune(self) -> None:
        with self.app.app_context():
            db.session.execute(sa.delete(TimerChange).where(TimerChange.id <= self.mark))
            db.session.commit()

    def follow(self, on_change: OnChange, stop: threading.Event) -> None:
        renew_every = self.settings.lease_seconds / 3
        last_renewal = last_prune = time.monotonic()
        try:
            while not stop.wait(self.settings.poll_seconds):
                changes = self._read_changes()
                while changes:
                    on_change(changes)
                    changes = self._read_changes()
                now = time.monotonic()
                if now - last_renewal >= renew_every:
                    if not self._renew():
                        log.warning("Scheduler lease was taken over by another scheduler.")
                        self.holding = False
                        return
                    last_renewal = now
                if now - last_prune >= 60:
                    self._prune()
                    last_prune = now
        except Exception as err:
            log.warning("Scheduler stops acting after a database error: %s", err)
            self.holding = False

    def release(self) -> None:
        if not self.holding:
            return
        self.holding = False
        try:
            with self.app.app_context():
                db.session.execute(
                    sa.delete(SchedulerLease).where(
                        SchedulerLease.name == LEASE_NAME, SchedulerLease.holder == self.holder
                    )
                )
                db.session.commit()
        except Exception as err:  # the lease expires on its own
            log.warning("Could not release the scheduler lease: %s", err)
