"""The routes of the web app, one module per page family."""
from . import access_log, auth, cases, common, errors, inbox, start, tasks  # noqa: F401
