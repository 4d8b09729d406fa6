"""Scheduler settings: the `VB_TIMER_*` keys of the app config (from the environment by `core/config.py`, or set by
tests), else the defaults below."""

from __future__ import annotations

from dataclasses import dataclass


def _value(config, name: str, default, cast):
    raw = config.get(name)
    return cast(raw) if raw not in (None, "") else default


@dataclass(frozen=True)
class SchedulerSettings:
    horizon_seconds: float = 900.0  # case timers due within this window are kept as jobs in memory
    horizon_lead_seconds: float = 60.0  # load the next window this long before the current one ends
    max_jobs: int = 100_000  # never hold more case jobs than this; the window shrinks instead
    page_size: int = 1_000  # rows per query when loading a window
    workers: int = 0  # threads firing cases; 0: 1 on SQLite (one writer), 4 on PostgreSQL
    processes: int = 0  # >0: fire cases in this many worker processes (uses every core)
    poll_seconds: float = 1.0  # SQLite: how often the change outbox is read (an index range)
    heartbeat_seconds: float = 2.0  # PostgreSQL: how often an idle listener checks its connection
    lease_seconds: float = 30.0  # SQLite: leadership lease; renewed every third of it
    retry_seconds: float = 5.0  # a standby retries leadership this often
    max_backoff_seconds: float = 300.0  # a case that stays due without firing is retried up to this apart

    @classmethod
    def from_config(cls, config) -> SchedulerSettings:
        return cls(
            horizon_seconds=_value(config, "VB_TIMER_HORIZON_SECONDS", cls.horizon_seconds, float),
            horizon_lead_seconds=_value(config, "VB_TIMER_HORIZON_LEAD_SECONDS", cls.horizon_lead_seconds, float),
            max_jobs=_value(config, "VB_TIMER_MAX_JOBS", cls.max_jobs, int),
            page_size=_value(config, "VB_TIMER_PAGE_SIZE", cls.page_size, int),
            workers=_value(config, "VB_TIMER_WORKERS", cls.workers, int),
            processes=_value(config, "VB_TIMER_PROCESSES", cls.processes, int),
            poll_seconds=_value(config, "VB_TIMER_POLL_SECONDS", cls.poll_seconds, float),
            heartbeat_seconds=_value(config, "VB_TIMER_HEARTBEAT_SECONDS", cls.heartbeat_seconds, float),
            lease_seconds=_value(config, "VB_TIMER_LEASE_SECONDS", cls.lease_seconds, float),
            retry_seconds=_value(config, "VB_TIMER_RETRY_SECONDS", cls.retry_seconds, float),
            max_backoff_seconds=_value(config, "VB_TIMER_MAX_BACKOFF_SECONDS", cls.max_backoff_seconds, float),
        )
