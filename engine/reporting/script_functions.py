"""The reporting functions diagram scripts may call.

A script in the sandbox cannot reach the database. The year-end evaluation needs figures over a year of
cases, so the host offers read-only functions that return pseudonymised aggregates as plain JSON values. They
take only a year and check it. They are trusted host code doing bounded work, so they run as the sandbox's
host functions (engine/runtime/sandbox.py `host_function`): untraced, their time not counted against the
script's limit (a year's report over 100,000 cases takes about a second on PostgreSQL, more on a busy machine).
"""

from __future__ import annotations

from ..runtime import script_helpers
from ..runtime.sandbox import host_function
from . import evaluation
from .vangnet import year_figures
from .cli import register_commands


@host_function
def vangnet_year_figures(year) -> dict:
    """Pseudonymised figures of the threat cases reported in `year` (see engine/reporting/vangnet.py)."""
    return year_figures(year)


@host_function
def vangnet_report_snapshot(year) -> dict:
    """The yearly report of `year` (engine/reporting/figures.py), to keep with an evaluation case."""
    return evaluation.vangnet_report_snapshot(year)


FUNCTIONS = {
    "vangnet_year_figures": vangnet_year_figures,
    "vangnet_report_snapshot": vangnet_report_snapshot,
    "evaluation_schedule": evaluation.evaluation_schedule,
}


def init_app(app) -> None:
    evaluation.EvaluationSettings.from_config(app.config)  # a wrong setting stops the start, with its name
    for name, function in FUNCTIONS.items():
        script_helpers.HELPERS.setdefault(name, script_helpers.Helper(function))

    register_commands(app)
