"""Derive the human task rows of a case from its engine state, when the case is saved."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.util.task import TaskState

from ..definitions.bpmn_model import MAX_PRIORITY, MIN_PRIORITY, NORMAL_PRIORITY
from ..definitions.version_model import candidate_groups, form_file_id
from ..identity.roles import normalise_role
from ..runtime.bpmn_parser import parse_local_datetime, strip_el
from ..runtime.inspection import ready_user_tasks
from ..instances.task_rows import CANCELLED, COMPLETED, OPEN
from .store import close_tasks, open_tasks

_VARIABLE = re.compile(r"^\$\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}$")
_DURATION = re.compile(r"^P(?!$)")
_MUNICIPALITY_CODE = re.compile(r"^GM\d{4}$")


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


def resolve_candidate_groups(model: dict, task, problems: list) -> list:
    """The roles of a task as it opens: its static groups and the roles its group variables hold
    (`${case_handler_group}`: a role, a comma-separated text of roles, or a list of them). A variable that holds
    no role is reported and adds nothing; without any role left, the lane's role holds the task."""
    written = model.get("candidate_groups") or []
    if not any(g.startswith("${") for g in written):
        return candidate_groups(model)
    groups = []
    for text in written:  # in the order the diagram names them
        match = _VARIABLE.match(text)
        if not match:
            groups.append(normalise_role(text))
            continue
        value = task.data.get(match.group(1))
        names = value if isinstance(value, list) else str(value or "").split(",")
        found = [normalise_role(str(n)) for n in names if str(n).strip()]
        if not found or None in found:
            problems.append(f"candidate group {text}: {match.group(1)} holds no role")
        groups += [g for g in found if g]
    groups = list(dict.fromkeys(g for g in groups if g))
    return groups or candidate_groups({"lane": model.get("lane")})


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


def resolve_priority(text: str | None, task, script_engine) -> int:
    """`camunda:priority`: a whole number or an expression giving one, held to 0-100; 50 when unset."""
    if not text:
        return NORMAL_PRIORITY
    value = script_engine.evaluate(task, strip_el(text)) if text.startswith("${") else text
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"the priority must be a whole number, not {type(value).__name__}")
    return max(MIN_PRIORITY, min(MAX_PRIORITY, int(value)))


@dataclass
class TaskPlan:
    """How the open task rows of a case change in this step (computed before compaction, from the engine)."""

    completed: list = field(default_factory=list)
    cancelled: list = field(default_factory=list)
    new_rows: list = field(default_factory=list)
    events: list = field(default_factory=list)


def plan_human_tasks(
    case, workflow, version_model: dict, ready_before: dict, now: datetime, ready_tasks: list | None = None
) -> TaskPlan:
    """`ready_before`: {task id: (element id, name)} of the tasks ready when the case was loaded, which are
    exactly its open rows."""
    plan = TaskPlan()
    ready = {str(t.id): t for t in (ready_user_tasks(workflow) if ready_tasks is None else ready_tasks)}
    for task_id in sorted(set(ready_before) - set(ready)):
        engine_task = _find_task(workflow, task_id)
        if engine_task is not None and engine_task.state == TaskState.COMPLETED:
            plan.completed.append(task_id)
        else:
            element_id, element_name = ready_before[task_id]
            plan.cancelled.append(task_id)
            plan.events.append(
                {
                    "event": "task.cancelled",
                    "task_id": task_id,
                    "data_keys": [],
                    "details": {},
                    "element_id": element_id,
                    "element_name": element_name,
                }
            )
    for task_id, task in ready.items():
        if task_id in ready_before:
            continue
        model = task_model(version_model, task)
        problems = []
        groups = resolve_candidate_groups(model, task, problems)
        script_engine = workflow.script_engine
        row = {
            "id": task_id,
            "instance_id": case.id,
            "process_id": task.workflow.spec.name,
            "element_id": task.task_spec.bpmn_id,
            "name": model.get("name") or task.task_spec.bpmn_name or task.task_spec.bpmn_id,
            "lane": model.get("lane"),
            "candidate_groups": groups,
            "assignee": _safely(
                problems,
                "assignee",
                lambda: resolve_assignee(model.get("assignee"), task, script_engine),  # noqa: B023 (called at once)
            ),
            "municipality_code": case.municipality_code or task_municipality(task),
            "form_key": (model.get("form") or {}).get("ref"),
            "form_file_id": form_file_id(version_model, model.get("form")),
            "due_at": _safely(
                problems,
                "due date",
                lambda: resolve_due_date(model.get("due_date"), task, script_engine, now),  # noqa: B023
            ),
            "priority": _safely(
                problems,
                "priority",
                lambda: resolve_priority(model.get("priority"), task, script_engine),  # noqa: B023
                NORMAL_PRIORITY,
            ),
            "status": OPEN,
            "created_at": now,
            "claimed_at": None,
            "completed_at": None,
            "completed_by": None,
        }
        plan.new_rows.append(row)
        plan.events.append(
            {
                "event": "task.created",
                "element_id": row["element_id"],
                "element_name": row["name"],
                "task_id": task_id,
                "data_keys": [],
                "details": {"candidate_groups": groups, "assignee": row["assignee"], "problems": problems},
            }
        )
    return plan


def apply_human_tasks(writer, plan: TaskPlan, actor_name: str, completed_task_id: str | None, now: datetime) -> list:
    """Write a TaskPlan with a StepWriter (in the step's transaction). Returns its audit events."""
    completed = list(plan.completed)
    if completed_task_id in completed:
        completed.remove(completed_task_id)
        close_tasks(writer.connection, [completed_task_id], COMPLETED, now, actor_name)
    close_tasks(writer.connection, completed, COMPLETED, now)
    close_tasks(writer.connection, plan.cancelled, CANCELLED, now)
    candidates = [
        {"task_id": row["id"], "instance_id": row["instance_id"], "group_name": group}
        for row in plan.new_rows
        for group in row["candidate_groups"]
    ]
    open_tasks(writer.connection, plan.new_rows, candidates)
    return plan.events


def task_municipality(task) -> str | None:
    """The municipality a task of a national case (one without a municipality of its own, such as the
    toolkit rollout by BZK) is addressed to: the task's own `municipality_code`, e.g. set from the element of
    a multi-instance over municipalities. Only national cases use it, so a municipal case's tasks can never be
    moved to another municipality by case data."""
    value = task.data.get("municipality_code")
    if isinstance(value, str) and _MUNICIPALITY_CODE.match(value.strip().upper()):
        return value.strip().upper()
    return None


def _find_task(workflow, task_id: str):
    try:
        return workflow.get_task_from_id(_uuid(task_id))
    except TaskNotFoundException:  # dropped from the tree with a cancelled branch
        return None


def _safely(problems: list, what: str, compute, fallback=None):
    """Evaluate an assignee, due date or priority; a broken expression leaves the fallback and is reported,
    not fatal."""
    try:
        return compute()
    except Exception as err:  # expressions come from diagrams: report, do not fail the step
        problems.append(f"{what}: {err}")
        return fallback


def _uuid(value: str):
    from uuid import UUID

    return UUID(value)
