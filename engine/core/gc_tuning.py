"""Garbage collector settings for the long-running processes (web workers, scheduler).

A worker keeps the live workflows of recent cases between requests (`instances/cache.py`): hundreds of
thousands of objects that live long. With CPython's default thresholds (700, 10, 10) the collector walks
the older generations so often that it costs more than a case step itself (measured: 1.4 ms of CPU per
webhook delivery on PostgreSQL, against 5.5 ms for everything else). Collections are made rarer, not
disabled, and what the start-up created (modules, specs, routes) is frozen out of them.
"""

from __future__ import annotations

import gc

DEFAULT = "20000,50,100"


def parse(setting: str | None) -> tuple[int, int, int] | None:
    """`"20000,50,100"` -> thresholds; `"python"` keeps CPython's defaults (None)."""
    setting = (setting or DEFAULT).strip().lower()
    if setting == "python":
        return None
    problem = ValueError(f"VB_GC_THRESHOLDS must be three numbers such as {DEFAULT}, or 'python'; got {setting!r}.")
    try:
        parts = [int(p) for p in setting.split(",")]
    except ValueError:
        raise problem from None
    if len(parts) != 3 or parts[0] < 1 or min(parts) < 0:
        raise problem
    return parts[0], parts[1], parts[2]


def tune(setting: str | None) -> tuple[int, int, int]:
    """Apply the thresholds and freeze what exists now; returns the thresholds in force."""
    thresholds = parse(setting)
    if thresholds is not None:
        gc.collect()
        gc.freeze()
        gc.set_threshold(*thresholds)
    return gc.get_threshold()
