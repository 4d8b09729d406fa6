"""The routes of the web app, one module per page family."""
from . import access_log, auth, case_documents, cases, common, errors, inbox, reports, second_factor, start, tasks  # noqa: F401
