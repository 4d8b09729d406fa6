"""The reporting functions diagram scripts may call.

A script in the sandbox cannot reach the database. The year-end evaluation needs figures over a year of
cases, so the host offers exactly one read-only function that returns pseudonymised aggregates as plain JSON
values. It takes only a year and checks it.

The sandbox enforces its time limit with a line tracer, which would also trace every line of the database
driver and the aggregation: several times slower (see benchmarks/vangnet_figures.py). The function is trusted
host code doing bounded work, so it runs untraced; the script that calls it is still traced, and the time
limit is checked again as soon as the call returns. The time the host spends is not the script's: it moves the
script's deadline on, up to `HOST_TIME_FACTOR` times the script's own limit in all (a year's report over
100,000 cases takes about a second on PostgreSQL, more on a busy machine), so a script that calls it in an
endless loop still ends.
"""
from __future__ import annotations

import functools
import sys
import time

from ..runtime import script_helpers
from . import evaluation
from .vangnet import year_figures
from .cli import register_commands


HOST_TIME_FACTOR = 10


def untraced(function):
    @functools.wraps(function)
    def call(*args, **kwargs):
        previous = sys.gettrace()
        sys.settrace(None)
        started = time.monotonic()
        try:
            return function(*args, **kwargs)
        finally:
            _credit(previous, time.monotonic() - started)
            sys.settrace(previous)

    return call


def _credit(tracer, spent: float) -> None:
    """Move the sandbox's deadline (engine/runtime/sandbox.py `_Deadline`) on by the host's time, within
    its allowance."""
    if not hasattr(tracer, "deadline") or not hasattr(tracer, "seconds"):
        return
    used = getattr(tracer, "host_seconds", 0.0)
    granted = max(0.0, min(spent, HOST_TIME_FACTOR * tracer.seconds - used))
    tracer.host_seconds = used + granted
    tracer.deadline += granted


@untraced
def vangnet_year_figures(year) -> dict:
    """Pseudonymised figures of the threat cases reported in `year` (see engine/reporting/vangnet.py)."""
    return year_figures(year)


@untraced
def vangnet_report_snapshot(year) -> dict:
    """The yearly report of `year` (engine/reporting/figures.py), to keep with an evaluation case."""
    return evaluation.vangnet_report_snapshot(year)


FUNCTIONS = {"vangnet_year_figures": vangnet_year_figures, "vangnet_report_snapshot": vangnet_report_snapshot,
             "evaluation_schedule": evaluation.evaluation_schedule}


def init_app(app) -> None:
    evaluation.EvaluationSettings.from_config(app.config)  # a wrong setting stops the start, with its name
    for name, function in FUNCTIONS.items():
        script_helpers.HELPERS.setdefault(name, script_helpers.Helper(function))

    register_commands(app)
