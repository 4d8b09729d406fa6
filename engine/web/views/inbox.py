"""The inbox page (`/`), its live refresh endpoint, and the list of cases."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from flask import current_app, render_template, request

from ...definitions.service import latest_process_versions
from ...instances.service import list_cases
from ..blueprint import bp
from ..i18n import _, pick
from ..inbox import LOCAL_ZONE, PAGE_SIZE, BadFilter, InboxFilters, load_inbox
from ..session_auth import login_required, web_actor
from .common import display_names

MAX_PAGE = 1_000_000  # beyond any list; a larger number would overflow the query's offset


def process_names() -> dict:
    return {v.process_id: pick(v.name or v.process_id) for v in latest_process_versions()}


def _bad_filter(err: BadFilter):
    message = _("The filter '%(name)s' has a value that does not exist. Choose one of: %(allowed)s.",
                name=err.name, allowed=err.allowed)
    return render_template("error.html", status=400, message=message), 400


@bp.get("/")
@login_required
def inbox():
    actor = web_actor()
    try:
        filters = InboxFilters.from_args(request.args, actor)
    except BadFilter as err:
        return _bad_filter(err)
    page = load_inbox(actor, filters)
    names = process_names()
    return render_template(
        "inbox.html", page=page, filters=filters, process_names=names, actor=actor,
        assignees=display_names(r.task.assignee for r in page.rows),
        poll_seconds=current_app.config["VB_INBOX_POLL_SECONDS"],
    )


@bp.get("/inbox/updates.json")
@login_required
def inbox_updates():
    """For the live refresh: the page's signature, counts and (when changed) the new result list."""
    actor = web_actor()
    try:
        filters = InboxFilters.from_args(request.args, actor)
    except BadFilter as err:
        return err.to_dict(), 400
    page = load_inbox(actor, filters, with_options=False)
    changed = request.args.get("signature") != page.signature
    body = {"signature": page.signature, "changed": changed, "counts": page.counts}
    if changed:
        body["html"] = render_template("_inbox_results.html", page=page, filters=filters, actor=actor,
                                       process_names=process_names(),
                                       assignees=display_names(r.task.assignee for r in page.rows))
    return body


@dataclass
class CaseSearch:
    """The filters of the cases list, from its query string; each value a user could not have chosen is a
    400 that says which."""

    text: str = ""
    status: str = ""
    process: str = ""
    municipality: str = ""
    opened_from: str = ""
    opened_until: str = ""

    def query_args(self, **changes) -> dict:
        values = {"q": self.text, "status": self.status, "process": self.process, "municipality": self.municipality,
                  "from": self.opened_from, "until": self.opened_until, **changes}
        return {k: v for k, v in values.items() if v not in ("", None) and not (k == "page" and v == 1)}


def _local_midnight_utc(text: str, days: int = 0) -> datetime:
    day = date.fromisoformat(text) + timedelta(days=days)
    return datetime.combine(day, time.min, LOCAL_ZONE).astimezone(timezone.utc)


@bp.get("/cases")
@login_required
def case_list():
    actor = web_actor()
    try:
        number = max(1, int(request.args.get("page", "1")))
        if number > MAX_PAGE:
            raise ValueError(number)
    except ValueError:
        return render_template("error.html", status=400,
                               message=_("The page number must be a whole number.")), 400
    search = CaseSearch(text=(request.args.get("q") or "").strip()[:100], status=request.args.get("status") or "",
                        process=(request.args.get("process") or "").strip(),
                        municipality=(request.args.get("municipality") or "").strip().upper(),
                        opened_from=request.args.get("from") or "", opened_until=request.args.get("until") or "")
    if search.status not in ("", "running", "completed", "error", "suspended", "cancelled"):
        return render_template("error.html", status=400, message=_("That status does not exist.")), 400
    names = process_names()
    if search.process and search.process not in names:
        return _bad_filter(BadFilter("process", ", ".join(sorted(names))))
    if actor.is_municipal:
        search.municipality = ""  # a municipal user only ever sees their own municipality
    try:
        started_from = _local_midnight_utc(search.opened_from) if search.opened_from else None
        started_before = _local_midnight_utc(search.opened_until, days=1) if search.opened_until else None
    except ValueError:
        return render_template("error.html", status=400,
                               message=_("A date must be a day such as 2026-12-31.")), 400
    rows, total = list_cases(actor, status=search.status or None, process_id=search.process or None,
                             municipality_code=search.municipality or None, text=search.text or None,
                             started_from=started_from, started_before=started_before,
                             limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
    return render_template("cases.html", cases=rows, total=total, page=number, search=search, actor=actor,
                           page_count=max(1, -(-total // PAGE_SIZE)), process_names=names)
