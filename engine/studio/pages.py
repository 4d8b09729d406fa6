"""The studio's and the operations' web pages (session sign-in of the web app, CSRF on every form).

The editors are JavaScript islands (bpmn-js, dmn-js, form-js) that talk to /api/v1/studio; deploying,
the version list and the operations pages are plain server-rendered forms.
"""

from __future__ import annotations

import json
import logging

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError

from ..core.errors import ApiError, Conflict, Forbidden, NotFound, Unprocessable
from ..access import policy
from ..web.i18n import _
from ..web.security import csrf
from ..identity.auth import current_actor
from ..web.session_auth import login_required
from ..definitions.approvals import ApprovalRequired
from . import service, starter_files, workspace
from ..operations import service as operations
from ..operations.heatmap import heatmap
from ..instances.models import STATUSES
from ..web.security import _security_headers
from ..definitions.service import latest_process_versions
from ..cases.service import case_history, case_variables_for, get_visible_case
from ..cases.service import retry_case

log = logging.getLogger(__name__)
bp = Blueprint("studio_pages", __name__, template_folder="templates")
EDITABLE = ("bpmn", "dmn", "form", "test")


@bp.before_request
def _check_csrf():
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        csrf.protect()


@bp.after_request
def _headers(response):
    return _security_headers(response)


def _page_error(status: int, message: str | None = None):
    return render_template("error.html", status=status, message=message), status


@bp.errorhandler(CSRFError)
def _csrf_error(err):
    return _page_error(400, "csrf")


@bp.errorhandler(ApiError)
def _api_error(err: ApiError):
    return _page_error(err.status, err.message if err.status not in (401, 404) else None)


def _studio_actor():
    actor = current_actor(sessions=True)
    if not policy.can_deploy(actor):
        raise Forbidden(_("The studio is for process owners (procesbeheerder)."))
    return actor


def _operations_actor():
    actor = current_actor(sessions=True)
    if not policy.can_oversee(actor):
        raise Forbidden(_("Operations are for administrators (beheerder) and process owners."))
    return actor


# --- studio ----------------------------------------------------------------------------------------


@bp.get("/studio")
@login_required
def studio_index():
    _studio_actor()
    files = service.list_files()
    return render_template("studio/index.html", files=files, drafts=[f for f in files if f["draft"]])


@bp.post("/studio/new")
@login_required
def studio_new():
    actor = _studio_actor()
    file_name = (request.form.get("file_name") or "").strip()
    try:
        kind = workspace.check_file_name(file_name)
        if file_name in workspace.workspace():
            raise Conflict(_("A file named %(name)s already exists.", name=file_name))
        service.save(file_name, starter_files.blank(kind, file_name), actor)
    except (Unprocessable, Conflict) as err:
        flash(err.message, "error")
        return redirect(url_for("studio_pages.studio_index"))
    return redirect(url_for("studio_pages.studio_edit", file_name=file_name))


@bp.get("/studio/edit/<path:file_name>")
@login_required
def studio_edit(file_name):
    _studio_actor()
    detail = service.file_detail(file_name)
    config = {
        "file_name": file_name,
        "kind": detail["kind"],
        "draft": detail["draft"],
        "deployed_version": detail["deployed_version"],
        "file_url": url_for("studio.File", file_name=file_name),
        "validate_url": url_for("studio.Validate"),
        "tests_url": url_for("studio.RunTests"),
        "preview_data": {},
    }
    return render_template("studio/editor.html", file=detail, config=config)


@bp.get("/studio/edit/<path:file_name>/content")
@login_required
def studio_content(file_name):
    """The text the editor opens (the draft, else the deployed file) as a plain download."""
    _studio_actor()
    detail = service.file_detail(file_name)
    mimetype = "application/json" if detail["kind"] in ("form", "test") else "application/xml"
    return Response(detail["content"], mimetype=mimetype)


@bp.get("/studio/deploy")
@login_required
def studio_deploy_page():
    _studio_actor()
    files = service.list_files()
    report = service.run_tests()
    return render_template(
        "studio/deploy.html", drafts=[f for f in files if f["draft"]], report=report, outcome=None, failure=None
    )


@bp.post("/studio/deploy")
@login_required
def studio_deploy():
    actor = _studio_actor()
    names = request.form.getlist("files") or None
    try:
        outcome = service.deploy_drafts(actor, names)
    except (Unprocessable, ApprovalRequired) as err:  # problems, or four eyes: the page says which and why
        files = service.list_files()
        return render_template(
            "studio/deploy.html", drafts=[f for f in files if f["draft"]], report=None, outcome=None, failure=err
        ), err.status
    flash(
        _(
            "Deployed: %(list)s.",
            list=", ".join(
                f"{p['process_id']} v{p['version']}" for p in outcome["processes"] if p["status"] != "unchanged"
            )
            or _("no process changed"),
        ),
        "success",
    )
    return render_template("studio/deploy.html", drafts=[], report=None, outcome=outcome, failure=None)


@bp.get("/studio/processes/<process_id>/versions")
@login_required
def studio_versions(process_id):
    _studio_actor()
    return render_template("studio/versions.html", process_id=process_id, versions=service.process_versions(process_id))


@bp.get("/studio/export.zip")
@login_required
def studio_export():
    _studio_actor()
    return Response(
        service.export_zip(),
        mimetype="application/zip",
        headers={"Content-Disposition": 'attachment; filename="veilig-bestuur-processes.zip"'},
    )


# --- operations ------------------------------------------------------------------------------------

PAGE_SIZE = 50


def _int_arg(name: str, minimum: int = 0, maximum: int = 1_000_000):
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise Unprocessable(_("'%(name)s' must be a whole number.", name=name)) from None
    if value < minimum:
        raise Unprocessable(_("'%(name)s' must be at least %(min)d.", name=name, min=minimum))
    if value > maximum:
        raise Unprocessable(_("'%(name)s' must be at most %(max)d.", name=name, max=maximum))
    return value


@bp.get("/operations")
@login_required
def operations_cases():
    actor = _operations_actor()
    status = request.args.get("status") or None
    if status and status not in STATUSES:
        raise Unprocessable(_("Unknown status."))
    filters = {
        "process_id": (request.args.get("process_id") or "").strip() or None,
        "version": _int_arg("version", 1),
        "status": status,
        "municipality_code": (request.args.get("municipality_code") or "").strip() or None,
        "min_age_days": _int_arg("min_age_days"),
        "max_age_days": _int_arg("max_age_days"),
    }
    page = _int_arg("page", 1) or 1
    rows, total = operations.list_cases(actor, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, **filters)

    return render_template(
        "studio/operations.html",
        rows=rows,
        total=total,
        filters=filters,
        page=page,
        page_count=max(1, -(-total // PAGE_SIZE)),
        statuses=STATUSES,
        processes=latest_process_versions(),
        incidents=operations.list_incidents(actor, limit=20),
        may_act=policy.can_administer_cases(actor),
        query={k: v for k, v in request.args.items() if k != "page" and v},
    )


@bp.get("/operations/cases/<case_id>")
@login_required
def operations_case(case_id):
    actor = _operations_actor()

    instance = get_visible_case(case_id, actor)
    variables = case_variables_for(actor, instance, channel="page", activity="case.operate")
    return render_template(
        "studio/operations_case.html",
        case=instance,
        summary=operations.case_summary(instance),
        history=case_history(instance),
        variables_json=json.dumps(variables, indent=2, ensure_ascii=False),
        may_act=policy.can_administer_cases(actor),
    )


@bp.post("/operations/cases/<case_id>/<action>")
@login_required
def operations_act(case_id, action):
    actor = _operations_actor()
    actions = {"suspend": operations.suspend, "resume": operations.resume, "cancel": operations.cancel}
    if action not in actions and action != "retry":
        raise NotFound()
    try:
        if action == "retry":
            try:
                variables = json.loads(request.form.get("variables") or "{}")
            except json.JSONDecodeError as err:
                raise Unprocessable(
                    _("The data is not valid JSON (line %(line)d): %(msg)s", line=err.lineno, msg=err.msg)
                ) from None
            if not isinstance(variables, dict):
                raise Unprocessable(_("The data must be a JSON object of variable names and values."))
            row = retry_case(case_id, variables, actor)
            flash(_("The case was retried; its status is now: %(status)s.", status=row.status), "success")
        else:
            actions[action](case_id, request.form.get("reason", ""), actor)
            flash(
                {
                    "suspend": _("The case is suspended."),
                    "resume": _("The case is resumed."),
                    "cancel": _("The case is cancelled."),
                }[action],
                "success",
            )
    except (Unprocessable, Conflict) as err:
        flash(err.message, "error")
    return redirect(url_for("studio_pages.operations_case", case_id=case_id))


@bp.get("/operations/heatmap/<process_id>")
@login_required
def operations_heatmap(process_id):
    _operations_actor()
    data = heatmap(process_id, _int_arg("version", 1))
    xml = data.pop("xml")
    return render_template(
        "studio/heatmap.html", data=data, config={"elements": data["elements"], "max_now": data["max_now"]}, xml=xml
    )
