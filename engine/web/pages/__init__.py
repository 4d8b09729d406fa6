"""The routes of the web app, one module per page family."""

from . import (  # noqa: F401 (each module registers its routes when imported)
    access_log,
    auth,
    case_documents,
    case_list,
    cases,
    common,
    errors,
    inbox,
    notifications,
    reports,
    second_factor,
    start,
    tasks,
    theme,
)
