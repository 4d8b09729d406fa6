"""Where a case's due timers are run: in the scheduler's own threads, or in worker processes.

Running a case's timers is mostly Python work (load the case, run the engine, save the derived rows), so
threads of one process share one core. With `VB_TIMER_PROCESSES=N` the scheduler hands each firing to
one of N worker processes (spawned, each with its own app and database connections) and keeps only the
bookkeeping; a busy minute then uses every core. Each firing returns an `Outcome`: FIRED, NOTHING,
CONFLICT or ERROR.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
from dataclasses import dataclass
from datetime import datetime
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
import os
import time

from ..core.errors import Conflict
from ..db.extensions import db
from ..identity.actor import Actor
from ..cases.service import fire_timers
from ..core.timeutil import as_utc

log = logging.getLogger(__name__)
FIRED, NOTHING, CONFLICT, ERROR = "fired", "nothing", "conflict", "error"
SCHEDULER_ACTOR = "scheduler"

_WORKER_APP = None
_WORKER_CONFIG_KEYS = (
    "SQLALCHEMY_DATABASE_URI",
    "SQLALCHEMY_ENGINE_OPTIONS",
    "SECRET_KEY",
    "VB_SCRIPT_TIME_LIMIT",
    "VB_COMPACT_THRESHOLD",
    "VB_COMPACT_KEEP",
)


@dataclass(frozen=True)
class Outcome:
    """What a firing did, and for FIRED the case's row as this firing saved it (so the scheduler need not
    read it back)."""

    result: str
    status: str | None = None
    next_due: datetime | None = None
    lock_version: int | None = None


def fire_case(app, instance_id: str) -> Outcome:
    """Run the due timers of one case and save it (see `cases.service.fire_timers`)."""
    with app.app_context():
        try:
            instance = fire_timers(instance_id, Actor.system(SCHEDULER_ACTOR))
            if instance is None:
                return Outcome(NOTHING)
            return Outcome(FIRED, instance.status, as_utc(instance.next_timer_due_at), instance.lock_version)
        except Conflict:
            # Someone saved the case at the same moment (a person, or another scheduler during a hand-over).
            return Outcome(CONFLICT)
        except Exception:
            log.exception("Firing the timers of case %s failed.", instance_id)
            db.session.rollback()
            return Outcome(ERROR)


class ThreadFiring:
    def __init__(self, app):
        self.app = app

    def warm_up(self) -> None:
        pass

    def fire(self, instance_id: str) -> Outcome:
        return fire_case(self.app, instance_id)

    def close(self) -> None:
        pass


def _init_worker(factory, config: dict) -> None:
    global _WORKER_APP
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C reaches the whole group: the scheduler stops us
    # A worker process builds its own app with the factory that built the scheduler's (handed over, not
    # imported: the factory wires every package together, this one too).
    _WORKER_APP = factory(dict(config, VB_AUTO_MIGRATE=False))


def _fire_in_worker(instance_id: str) -> Outcome:
    return fire_case(_WORKER_APP, instance_id)


def _ready_in_worker(hold: float) -> int:
    time.sleep(hold)  # keep this worker busy so that the pool starts the next one
    return os.getpid()


class ProcessFiring:
    def __init__(self, app, processes: int):
        self.config = {key: app.config[key] for key in _WORKER_CONFIG_KEYS if key in app.config}
        self.factory = app.extensions["vb_app_factory"]
        self.processes = processes
        self.pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            self.processes,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(self.factory, self.config),
        )

    def warm_up(self) -> None:
        """Start every worker process now (importing the engine takes seconds), not at the first due timer."""
        futures = [self.pool.submit(_ready_in_worker, 0.5) for _ in range(self.processes)]
        for future in futures:
            future.result()

    def fire(self, instance_id: str) -> Outcome:
        pool = self.pool
        try:
            return pool.submit(_fire_in_worker, instance_id).result()
        except BrokenProcessPool:
            log.error("A timer worker process died; starting new ones.")
            if self.pool is pool:
                self.pool = self._new_pool()
            return Outcome(ERROR)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
