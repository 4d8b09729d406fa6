"""The routes of the web app, one module per page family."""
from . import (access_log, auth, case_list, cases, common, errors, inbox, notifications, reports,  # noqa: F401
               second_factor, start, tasks)
