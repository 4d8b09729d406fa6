"""The list of cases (`/cases`): search by number, title, status, process, municipality, the office holder's
role, the step with an open task and the period; sorting, paging, and the searches a user saves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from flask import flash, redirect, render_template, request, url_for

from ...definitions.service import form_definition, latest_process_versions
from ...definitions.version_model import form_file_id
from ...core.errors import ApiError
from ...cases.service import SORTS
from ...search import service as search_service
from ..blueprint import bp
from ..i18n import _, pick
from ..inbox import LOCAL_ZONE, PAGE_SIZE, BadFilter
from ...identity.auth import current_actor
from ..session_auth import login_required
from .inbox import _bad_filter, process_names

MAX_PAGE = 1_000_000  # beyond any list; a larger number would overflow the query's offset
STATUSES = ("", "running", "completed", "error", "suspended", "cancelled")


@dataclass
class CaseSearch:
    """The filters of the cases list, from its query string; each value a user could not have chosen is a
    400 that says which."""

    text: str = ""
    status: str = ""
    process: str = ""
    municipality: str = ""
    role: str = ""
    task: str = ""
    opened_from: str = ""
    opened_until: str = ""
    sort: str = ""

    @classmethod
    def from_args(cls, args) -> CaseSearch:
        return cls(
            text=(args.get("q") or "").strip()[:100],
            status=args.get("status") or "",
            process=(args.get("process") or "").strip(),
            municipality=(args.get("municipality") or "").strip().upper(),
            role=(args.get("role") or "").strip(),
            task=(args.get("task") or "").strip(),
            opened_from=args.get("from") or "",
            opened_until=args.get("until") or "",
            sort=args.get("sort") or "",
        )

    def query_args(self, **changes) -> dict:
        values = {
            "q": self.text,
            "status": self.status,
            "process": self.process,
            "municipality": self.municipality,
            "role": self.role,
            "task": self.task,
            "from": self.opened_from,
            "until": self.opened_until,
            "sort": self.sort,
            **changes,
        }
        return {k: v for k, v in values.items() if v not in ("", None) and not (k == "page" and v == 1)}


def _local_midnight_utc(text: str, days: int = 0) -> datetime:
    day = date.fromisoformat(text) + timedelta(days=days)
    return datetime.combine(day, time.min, LOCAL_ZONE).astimezone(timezone.utc)


def search_options() -> dict:
    """What the filters offer, from the deployed processes: the office holder's roles as the start forms
    name them, and the steps (user tasks) of each process."""
    roles, steps = {}, {}
    for version in latest_process_versions():
        model = version.model
        steps[version.process_id] = sorted(
            (
                (element_id, pick(task.get("name") or element_id))
                for element_id, task in (model.get("user_tasks") or {}).items()
            ),
            key=lambda item: item[1].lower(),
        )
        for start in model.get("start_events") or []:
            file_id = form_file_id(model, start.get("form"))
            if not file_id:
                continue
            for fld in form_definition(file_id).fields:
                if fld.key == "office_holder_role":
                    for option in fld.component.get("values") or []:
                        if isinstance(option, dict) and option.get("value"):
                            roles.setdefault(option["value"], pick(option.get("label") or option["value"]))
    return {"roles": roles, "steps": steps}


def _sort_labels() -> list:
    return [
        ("", _("Newest first")),
        ("started_at", _("Oldest first")),
        ("-updated_at", _("Recently changed")),
        ("business_key", _("Case number")),
    ]


def _bad_request(message: str):
    return render_template("error.html", status=400, message=message), 400


@bp.get("/cases")
@login_required
def case_list():
    actor = current_actor(sessions=True)
    try:
        number = max(1, int(request.args.get("page", "1")))
        if number > MAX_PAGE:
            raise ValueError(number)
    except ValueError:
        return _bad_request(_("The page number must be a whole number."))
    search = CaseSearch.from_args(request.args)
    if search.status not in STATUSES:
        return _bad_request(_("That status does not exist."))
    names = process_names()
    options = search_options()
    if search.process and search.process not in names:
        return _bad_filter(BadFilter("process", ", ".join(sorted(names))))
    if search.role and search.role not in options["roles"]:
        return _bad_filter(BadFilter("role", ", ".join(sorted(options["roles"]))))
    known_steps = {eid for steps in options["steps"].values() for eid, _ in steps}
    if search.task and search.task not in known_steps:
        return _bad_filter(BadFilter("task", ", ".join(sorted(known_steps))))
    if search.sort and search.sort not in SORTS:
        return _bad_filter(BadFilter("sort", ", ".join(SORTS)))
    if actor.is_municipal:
        search.municipality = ""  # a municipal user only ever sees their own municipality
    try:
        started_from = _local_midnight_utc(search.opened_from) if search.opened_from else None
        started_before = _local_midnight_utc(search.opened_until, days=1) if search.opened_until else None
    except ValueError:
        return _bad_request(_("A date must be a day such as 2026-12-31."))
    rows, total, exact = search_service.find_cases(
        actor,
        status=search.status or None,
        process_id=search.process or None,
        municipality_code=search.municipality or None,
        text=search.text or None,
        office_holder_role=search.role or None,
        open_task=search.task or None,
        started_from=started_from,
        started_before=started_before,
        sort=search.sort or "-started_at",
        limit=PAGE_SIZE,
        offset=(number - 1) * PAGE_SIZE,
    )
    # Past the count's bound (search.service.COUNT_AT_MOST) the page knows there is a next page, not how
    # many follow: "more than 1,000 cases", "page 2 of more than 40".
    return render_template(
        "cases.html",
        cases=rows,
        total=total,
        total_exact=exact,
        page=number,
        search=search,
        actor=actor,
        page_count=max(1, -(-total // PAGE_SIZE) if exact else total // PAGE_SIZE),
        process_names=names,
        options=options,
        sorts=_sort_labels(),
        saved=search_service.saved_searches(actor),
        page_url=search_service.page_url,
    )


@bp.post("/cases/saved")
@login_required
def save_case_search():
    actor = current_actor(sessions=True)
    query = CaseSearch.from_args(request.form).query_args()
    try:
        row = search_service.save_search(actor, request.form.get("name", ""), query)
    except ApiError as err:
        flash(_("The search was not saved: %(reason)s", reason=_save_refusal(err)), "error")
        return redirect(url_for("web.case_list", **query))
    flash(_("The search '%(name)s' is saved.", name=row.name), "success")
    return redirect(search_service.page_url(row))


def _save_refusal(err: ApiError) -> str:
    reason = err.extra.get("reason")
    if reason == "name_taken":
        return _("you already have a search of that name.")
    if reason == "too_many":
        return _("you keep the most saved searches allowed; delete one first.")
    return _("give it a name of 1 to 80 characters.")


@bp.post("/cases/saved/<row_id:search_id>/delete")
@login_required
def delete_case_search(search_id):
    search_service.delete_search(current_actor(sessions=True), search_id)
    flash(_("The saved search is deleted."), "success")
    return redirect(url_for("web.case_list"))
