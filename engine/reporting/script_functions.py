"""The reporting functions diagram scripts may call.

A script in the sandbox cannot reach the database. The year-end evaluation needs figures over a year of
cases, so the host offers exactly one read-only function that returns pseudonymised aggregates as plain JSON
values. It takes only a year, checks it, and does a bounded amount of work: the sandbox's time limit still
applies to the script that calls it.
"""
from __future__ import annotations

from ..runtime import script_helpers
from .vangnet import year_figures


def vangnet_year_figures(year) -> dict:
    """Pseudonymised figures of the threat cases reported in `year` (see engine/reporting/vangnet.py)."""
    return year_figures(year)


FUNCTIONS = {"vangnet_year_figures": vangnet_year_figures}


def init_app(app) -> None:
    for name, function in FUNCTIONS.items():
        script_helpers.HELPERS.setdefault(name, function)
