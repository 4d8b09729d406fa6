"""The routes of the web app, one module per page family."""
from . import access_log, auth, cases, common, errors, inbox, notifications, reports, second_factor, start, tasks  # noqa: F401
