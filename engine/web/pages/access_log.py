"""The read log in the web app: a case's own log for the office holder it is about and the privacy officer,
and the privacy officer's search with its CSV export."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import Response, abort, render_template, request

from ...accesslog import service as accesslog
from ...access import policy
from ...cases.service import case_with_readable_log
from ...runtime.script_helpers import LOCAL_ZONE
from ..blueprint import bp
from ..i18n import _
from ...identity.auth import current_actor
from ..session_auth import login_required
from ...identity.service import display_names

PAGE_SIZE = 200


def _labels() -> dict:
    return {
        "activities": {
            "case.read": _("Case data opened"),
            "case.history": _("History opened"),
            "task.read": _("Task opened"),
            "case.operate": _("Opened by an administrator"),
            "case.documents": _("Documents listed"),
            "document.content": _("Document downloaded"),
            "case.notes": _("Notes read"),
        },
        "channels": {"api": _("API"), "page": _("web page"), "export": _("export")},
        "categories": {
            "ordinary": _("case data"),
            "sensitive": _("sensitive data (home, family, measures)"),
            "audit_trail": _("audit trail"),
            "documents": _("documents"),
            "notes": _("notes"),
        },
    }


@bp.get("/cases/<case_id>/access-log")
@login_required
def case_access_log(case_id):
    actor = current_actor(sessions=True)
    instance = case_with_readable_log(case_id, actor)
    if instance is None:
        abort(404)
    entries, total = accesslog.entries_for_case(instance.id, PAGE_SIZE, 0)
    return render_template(
        "access_log.html",
        case=instance,
        entries=entries,
        total=total,
        names=display_names([e.username for e in entries]),
        filters={},
        **_labels(),
    )


def _day(name: str, end: bool = False):
    text = request.args.get(name) or ""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None, ""
    moment = datetime.combine(day + (timedelta(days=1) if end else timedelta()), time(), tzinfo=LOCAL_ZONE)
    return moment, text


@bp.get("/access-log")
@login_required
def access_log_search():
    actor = current_actor(sessions=True)
    if not policy.can_search_access_log(actor):
        abort(404)
    since, since_text = _day("since")
    until, until_text = _day("until", end=True)
    username = (request.args.get("username") or "").strip()[:120]
    entries, total = accesslog.search(username or None, since, until, None, PAGE_SIZE, 0)
    if request.args.get("format") == "csv":
        return Response(
            accesslog.as_csv(entries),
            mimetype="text/csv",
            headers={"Content-Disposition": "attachment; filename=leeslog.csv"},
        )
    filters = {k: v for k, v in (("username", username), ("since", since_text), ("until", until_text)) if v}
    return render_template(
        "access_log.html",
        case=None,
        entries=entries,
        total=total,
        filters=filters,
        names=display_names([e.username for e in entries]),
        **_labels(),
    )
