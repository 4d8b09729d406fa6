"""Derive the human task rows of a case from its engine state, when the case is saved."""
from __future__ import annotations

import re
from datetime import datetime, timezone

import sqlalchemy as sa
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.util.task import TaskState

from ..extensions import db
from ..identity.roles import normalise_role
from ..runtime.bpmn_parser import parse_local_datetime, strip_el
from ..runtime.inspection import ready_user_tasks
from ..timeutil import utcnow
from .models import CANCELLED, COMPLETED, OPEN, HumanTask, TaskCandidate

_VARIABLE = re.compile(r"^\$\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}$")
_DURATION = re.compile(r"^P(?!$)")


def task_model(version_model: dict, task) -> dict:
    """The host model (form, roles, due date) of a user task, from its process version."""
    element_id = task.task_spec.bpmn_id
    process_name = task.workflow.spec.name
    if process_name == version_model.get("id"):
        found = version_model.get("user_tasks", {}).get(element_id)
        if found:
            return found
    called = version_model.get("called", {})
    if process_name in called and element_id in called[process_name].get("user_tasks", {}):
        return called[process_name]["user_tasks"][element_id]
    for model in [version_model, *called.values()]:
        if element_id in model.get("user_tasks", {}):
            return model["user_tasks"][element_id]
    return {"name": task.task_spec.bpmn_name or element_id, "candidate_groups": [], "form": None}


def form_file_id(version_model: dict, reference: dict | None) -> int | None:
    if not reference:
        return None
    if reference.get("by") == "file":
        return version_model.get("form_files", {}).get(reference["ref"])
    return version_model.get("forms", {}).get(reference["ref"])


def candidate_groups(model: dict) -> list:
    groups = [normalise_role(g) for g in model.get("candidate_groups") or []]
    groups = [g for g in groups if g]
    if not groups:
        lane_role = normalise_role(model.get("lane"))
        if lane_role:
            groups = [lane_role]
    return groups


def resolve_assignee(text: str | None, task, script_engine) -> str | None:
    if not text:
        return None
    match = _VARIABLE.match(text)
    if match:
        value = task.data.get(match.group(1))
        return str(value) if value else None
    if text.startswith("${"):
        value = script_engine.evaluate(task, strip_el(text))
        return str(value) if value else None
    return text


def resolve_due_date(text: str | None, task, script_engine, now: datetime) -> datetime | None:
    """A due date from `camunda:dueDate`: an ISO duration from now, an ISO date-time, or an expression
    giving either."""
    if not text:
        return None
    value = strip_el(text).strip()
    if not (_DURATION.match(value.upper()) or re.match(r"^\d{4}-\d{2}-\d{2}", value)):
        value = script_engine.evaluate(task, value)
        if isinstance(value, datetime):
            return value.astimezone(timezone.utc)
        value = str(value)
    if value.upper().startswith("P"):
        parsed = TimerEventDefinition.parse_iso_duration(value.upper())
        return now + TimerEventDefinition.get_timedelta_from_start(parsed, now)
    return parse_local_datetime(value).astimezone(timezone.utc)


def sync_human_tasks(instance, workflow, version_model: dict, actor_name: str, completed_task_id: str | None):
    """Insert rows for newly ready user tasks and close rows of tasks that are no longer ready.

    Returns audit events describing what changed.
    """
    events = []
    now = utcnow()
    ready = {str(t.id): t for t in ready_user_tasks(workflow)}
    rows = {
        row.id: row for row in db.session.scalars(
            sa.select(HumanTask).where(HumanTask.instance_id == instance.id, HumanTask.status == OPEN)
        )
    }
    for task_id, row in rows.items():
        if task_id in ready:
            continue
        try:
            engine_task = workflow.get_task_from_id(_uuid(task_id))
        except TaskNotFoundException:  # dropped from the tree with a cancelled branch
            engine_task = None
        done = engine_task is not None and engine_task.state == TaskState.COMPLETED
        row.status = COMPLETED if done else CANCELLED
        row.completed_at = now
        if done and task_id == completed_task_id:
            row.completed_by = actor_name
        if not done:
            events.append({"event": "task.cancelled", "element_id": row.element_id, "element_name": row.name,
                           "task_id": task_id, "data_keys": [], "details": {}})
    new_ids = [tid for tid in ready if tid not in rows]
    if new_ids:
        reopened = {r.id: r for r in db.session.scalars(sa.select(HumanTask).where(HumanTask.id.in_(new_ids)))}
    else:
        reopened = {}
    for task_id in new_ids:
        task = ready[task_id]
        model = task_model(version_model, task)
        groups = candidate_groups(model)
        script_engine = workflow.script_engine
        row = reopened.get(task_id) or HumanTask(id=task_id)
        row.instance_id = instance.id
        row.process_id = task.workflow.spec.name
        row.element_id = task.task_spec.bpmn_id
        row.name = model.get("name") or task.task_spec.bpmn_name or task.task_spec.bpmn_id
        row.lane = model.get("lane")
        row.candidate_groups = groups
        problems = []
        row.assignee = _safely(problems, "assignee", lambda: resolve_assignee(model.get("assignee"), task, script_engine))
        row.municipality_code = instance.municipality_code
        row.form_key = (model.get("form") or {}).get("ref")
        row.form_file_id = form_file_id(version_model, model.get("form"))
        row.due_at = _safely(problems, "due date",
                             lambda: resolve_due_date(model.get("due_date"), task, script_engine, now))
        row.status = OPEN
        row.created_at = now
        row.claimed_at = None
        row.completed_at = None
        row.completed_by = None
        if task_id not in reopened:
            db.session.add(row)
            for group in groups:
                db.session.add(TaskCandidate(task_id=task_id, group_name=group))
        events.append({"event": "task.created", "element_id": row.element_id, "element_name": row.name,
                       "task_id": task_id, "data_keys": [], "details": {"candidate_groups": groups,
                                                                        "assignee": row.assignee,
                                                                        "problems": problems}})
    return events


def _safely(problems: list, what: str, compute):
    """Evaluate an assignee or due date; a broken expression leaves it empty and is reported, not fatal."""
    try:
        return compute()
    except Exception as err:  # expressions come from diagrams: report, do not fail the step
        problems.append(f"{what}: {err}")
        return None


def _uuid(value: str):
    from uuid import UUID

    return UUID(value)
