"""Reporting: pseudonymised aggregates over cases, for the year-end evaluation of the vangnet.

Diagram scripts have no database access; the one function they may call for figures is registered as a
script helper by `init_app` (see `script_functions`).
"""

from .script_functions import init_app

__all__ = ["init_app"]
