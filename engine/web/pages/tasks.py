"""The task page: the task's form (form-js), prefilled with the case data; claim, release, complete."""

from __future__ import annotations

import json

from flask import flash, redirect, render_template, request, url_for

from ...accesslog import service as accesslog
from ...core.errors import Conflict, Unprocessable
from ...access import policy
from ...instances.models import ProcessInstance
from ...cases.service import case_variables_for
from ...tasks import service as tasks
from ...instances.task_rows import OPEN
from ..blueprint import bp
from ..case_view import report_snapshot, task_context
from ..i18n import _, pick, translate_errors
from ..security import safe_next
from ...identity.auth import current_actor
from ..session_auth import login_required
from ...identity.service import display_names
from .common import error_summary, form_config
from .inbox import process_names


def read_case(actor, instance: ProcessInstance, task) -> dict:
    """The case data the viewer may read (shielded values masked), read once for the form and its context."""
    return case_variables_for(
        actor, instance, channel=accesslog.PAGE, activity="task.read", purpose=f"Taak / task {task.element_id}"
    )


def prefill(visible: dict) -> dict:
    """The form's values: masked values are left out, so they are never sent back."""
    return {k: v for k, v in visible.items() if v != "***"}


def render_task(task_id: str, submitted: dict | None = None, errors: dict | None = None, status: int = 200):
    actor = current_actor(sessions=True)
    task = tasks.get_visible_task(task_id, actor)
    instance, can_see_case = tasks.case_of_task(task, actor)
    form = tasks.task_form(task)
    is_open = task.status == OPEN
    may_work = is_open and policy.can_work_task(actor, task) and task.assignee in (None, actor.username)
    visible = read_case(actor, instance, task)
    data = prefill(visible)
    own_keys = form.top_level_keys if form else set()
    context = task_context(actor, instance, task.element_id, own_keys, visible) if can_see_case else []
    if submitted:
        data.update(submitted)  # nothing the user typed is lost when the server refuses it
    errors = translate_errors(errors)
    config = form_config(form.schema, data, errors, read_only=not may_work) if form else None
    if config is not None and may_work:  # where a filepicker's files become documents of the case
        config["documents_url"] = url_for("web.add_case_document", case_id=task.instance_id)
    return render_template(
        "task.html",
        task=task,
        instance=instance,
        form_config=config,
        may_work=may_work,
        is_open=is_open,
        errors=error_summary(form.schema, errors) if (form and errors) else [],
        names=display_names([task.assignee, task.completed_by, *(step.actor for step in context)]),
        process_names=process_names(),
        can_see_case=can_see_case,
        context=context,
        report=report_snapshot(visible) if can_see_case else None,
    ), status


@bp.get("/tasks/<task_id>")
@login_required
def task_page(task_id):
    return render_task(task_id)


def _submitted_variables():
    raw = request.form.get("variables", "")
    try:
        value = json.loads(raw) if raw else None
    except json.JSONDecodeError:
        value = None
    return value if isinstance(value, dict) else None


@bp.post("/tasks/<task_id>")
@login_required
def complete_task(task_id):
    actor = current_actor(sessions=True)
    task = tasks.get_visible_task(task_id, actor, open_only=False)
    variables = _submitted_variables()
    if variables is None:
        return render_task(task_id, errors={"_form": [_("The form could not be read. Fill it in again.")]}, status=400)
    try:
        tasks.complete(task_id, variables, actor)
    except Unprocessable as err:
        return render_task(task_id, submitted=variables, errors=err.errors or {"_form": [err.message]}, status=422)
    except Conflict as err:
        flash(_("This task could not be completed: %(reason)s", reason=_conflict_reason(err)), "error")
        return redirect(url_for("web.task_page", task_id=task_id))
    flash(_("Task '%(name)s' is completed.", name=pick(task.name)), "success")
    return redirect(url_for("web.inbox"))


def _conflict_reason(err: Conflict) -> str:
    if err.extra.get("assignee"):
        return _(
            "it is claimed by %(name)s.",
            name=display_names([err.extra["assignee"]]).get(err.extra["assignee"], err.extra["assignee"]),
        )
    if err.extra.get("status"):
        return _("it is no longer open.")
    return _("someone else changed the case at the same moment. Try again.")


@bp.post("/tasks/<task_id>/claim")
@login_required
def claim_task(task_id):
    actor = current_actor(sessions=True)
    try:
        task = tasks.claim(task_id, actor)
        flash(_("You have claimed '%(name)s'.", name=pick(task.name)), "success")
    except Conflict as err:
        flash(_("This task could not be claimed: %(reason)s", reason=_conflict_reason(err)), "error")
    return redirect(safe_next(request.form.get("next"), url_for("web.task_page", task_id=task_id)))


@bp.post("/tasks/<task_id>/unclaim")
@login_required
def unclaim_task(task_id):
    actor = current_actor(sessions=True)
    try:
        task = tasks.unclaim(task_id, actor)
        flash(_("You have released '%(name)s'; your colleagues can pick it up.", name=pick(task.name)), "success")
    except Conflict as err:
        flash(_("This task could not be released: %(reason)s", reason=_conflict_reason(err)), "error")
    return redirect(safe_next(request.form.get("next"), url_for("web.task_page", task_id=task_id)))
