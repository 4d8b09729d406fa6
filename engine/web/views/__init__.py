"""The routes of the web app, one module per page family."""
from . import (access_log, auth, case_documents, case_list, cases, common, errors, inbox, notifications,  # noqa: F401
               reports, second_factor, start, tasks, theme)
