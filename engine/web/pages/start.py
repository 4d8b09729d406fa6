"""Starting a new case (a melding) from the process's start form."""

from __future__ import annotations

import json

from flask import flash, redirect, render_template, request, url_for

from ...definitions.service import get_latest_version, latest_process_versions
from ...core.errors import Conflict, NotFound, Unprocessable
from ...access import policy
from ...cases.service import start_case, start_form_of
from ..blueprint import bp
from ..i18n import _, pick, translate_errors
from ...identity.auth import current_actor
from ..session_auth import login_required
from .common import error_summary, form_config


def startable(actor) -> list:
    """(version, form) of every process the actor may start from a start form."""
    result = []
    for version in latest_process_versions(executable_only=True):
        if not policy.can_start(actor, version.model.get("starter_groups", [])):
            continue
        form = start_form_of(version)
        if form is not None:
            result.append((version, form))
    return result


def _startable_version(actor, process_id: str):
    version = get_latest_version(process_id)  # NotFound for unknown processes
    if not version.executable or not policy.can_start(actor, version.model.get("starter_groups", [])):
        raise NotFound("No such process.")
    form = start_form_of(version)
    if form is None:
        raise NotFound("This process has no start form.")
    return version, form


@bp.get("/start")
@login_required
def start_list():
    return render_template("start_list.html", processes=startable(current_actor(sessions=True)))


def _render(version, form, data, errors=None, status=200):
    errors = translate_errors(errors)
    return render_template(
        "start.html",
        version=version,
        name=pick(version.name or version.process_id),
        form_config=form_config(form.schema, data, errors),
        errors=error_summary(form.schema, errors) if errors else [],
    ), status


@bp.get("/start/<process_id>")
@login_required
def start_form(process_id):
    actor = current_actor(sessions=True)
    version, form = _startable_version(actor, process_id)
    data = {}
    if actor.municipality_code and "municipality_code" in form.top_level_keys:
        data["municipality_code"] = actor.municipality_code
    return _render(version, form, data)


@bp.post("/start/<process_id>")
@login_required
def start_submit(process_id):
    actor = current_actor(sessions=True)
    version, form = _startable_version(actor, process_id)
    try:
        variables = json.loads(request.form.get("variables") or "null")
    except json.JSONDecodeError:
        variables = None
    if not isinstance(variables, dict):
        return _render(version, form, {}, {"_form": [_("The form could not be read. Fill it in again.")]}, 400)
    try:
        case = start_case(process_id, variables, actor)
    except Unprocessable as err:
        return _render(version, form, variables, err.errors or {"_form": [err.message]}, 422)
    except Conflict as err:
        return _render(version, form, variables, {"_form": [err.message]}, 409)
    flash(_("Your report has been received as case %(key)s.", key=case.business_key), "success")
    return redirect(url_for("web.case_page", case_id=case.id))
