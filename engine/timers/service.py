"""The admin side of timers: a case's waiting timers, firing one now, moving its due time; overdue tasks
per role; the schedules of timer start events. Every change goes through a CaseSession, so it is saved
with the case's lock version and recorded in its audit trail, and the case's `next_timer_due_at` (and so
the scheduler's job) follows."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from uuid import UUID

import sqlalchemy as sa
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.util.task import TaskState

from ..definitions.service import version_info
from ..core.errors import Conflict, Forbidden, NotFound, Unprocessable
from ..db.extensions import db
from ..access import policy
from ..identity.actor import Actor
from ..identity.roles import BEHEERDER, PROCESBEHEERDER
from ..instances import cache
from ..instances.models import RUNNING, ProcessInstance
from ..cases.service import get_visible_case
from ..instances.session import CaseSession, load_workflow
from ..runtime.inspection import waiting_timers
from ..instances.task_rows import OPEN, HumanTask, TaskCandidate
from ..core.timeutil import utcnow
from .models import TimerStartOccurrence
from .start_events import catch_up_bound, current_schedules

KINDS = {
    DurationTimerEventDefinition: "timeDuration",
    TimeDateEventDefinition: "timeDate",
    CycleTimerEventDefinition: "timeCycle",
}


def _require_admin(actor: Actor, instance_id: str) -> ProcessInstance:
    instance = get_visible_case(instance_id, actor)  # 404 for a case the caller may not see
    if not policy.can_administer_cases(actor):
        raise Forbidden("Managing the timers of a case needs the role beheerder.")
    return instance


def _timer_definition(task):
    definition = task.task_spec.event_definition
    if isinstance(definition, MultipleEventDefinition):
        found = [d for d in definition.event_definitions if isinstance(d, TimerEventDefinition)]
        return found[0] if found else None
    return definition if isinstance(definition, TimerEventDefinition) else None


def _describe(task, timer) -> dict:
    spec = task.task_spec
    value = task.internal_data.get("event_value")
    cycles = value.get("cycles") if isinstance(value, dict) else None
    return {
        "task_id": timer.task_id,
        "element_id": timer.element_id,
        "element_name": timer.element_name,
        "element_type": type(spec).__name__,
        "kind": KINDS.get(type(_timer_definition(task)), "timer"),
        "expression": timer.expression,
        "due_at": timer.due_at,
        "interrupting": getattr(spec, "cancel_activity", None),
        "remaining_cycles": None if cycles is None or cycles < 0 else cycles,
    }


def list_case_timers(instance_id: str, actor: Actor) -> list[dict]:
    instance = _require_admin(actor, instance_id)
    workflow, waiting = load_workflow(instance, version_info(instance.process_version_id))
    try:
        result = []
        for timer in waiting_timers(workflow):
            task = workflow.get_task_from_id(UUID(timer.task_id))
            result.append(_describe(task, timer))
        return sorted(
            result, key=lambda t: (t["due_at"] is None, t["due_at"] or datetime.max.replace(tzinfo=timezone.utc))
        )
    finally:
        cache.put(instance.id, instance.lock_version, workflow, waiting)  # read only: keep it warm for the next step


def case_timers(instance_id: str, actor: Actor) -> tuple[ProcessInstance, list[dict]]:
    """The case and its waiting timers (`list_case_timers`). The row is read again: a timer fired or moved
    in this request changed its status and next due time in SQL the session did not see."""
    timers = list_case_timers(instance_id, actor)
    instance = db.session.get(ProcessInstance, instance_id)
    db.session.refresh(instance)
    return instance, timers


def _open_timer(instance_id: str, task_id: str, actor: Actor):
    instance = _require_admin(actor, instance_id)
    if instance.status != RUNNING:
        raise Conflict(f"This case is {instance.status}; its timers cannot be changed now.", status=instance.status)
    try:
        task_uuid = UUID(task_id)
    except (ValueError, TypeError):
        raise NotFound("This case has no waiting timer with that task id.") from None
    session = CaseSession.open(instance, actor)
    try:
        task = session.workflow.get_task_from_id(task_uuid)
    except TaskNotFoundException:
        task = None
    if (
        task is None
        or task.state != TaskState.WAITING
        or _timer_definition(task) is None
        or task.internal_data.get("event_value") is None
    ):
        session.put_back()
        db.session.rollback()
        raise NotFound("This case has no waiting timer with that task id; list them with GET .../timers.")
    return session, task, _timer_definition(task)


def _current_due(task, definition) -> str | None:
    value = task.internal_data.get("event_value")
    if isinstance(definition, CycleTimerEventDefinition):
        return value.get("next") if isinstance(value, dict) else None
    return value if isinstance(value, str) else None


def _set_due(task, definition, moment: datetime) -> None:
    """Write the engine's own stored due time (what it compares with the clock)."""
    iso = moment.astimezone(timezone.utc).isoformat()
    if isinstance(definition, CycleTimerEventDefinition):
        value = dict(task.internal_data["event_value"])
        value["next"] = iso
        task.internal_data["event_value"] = value
    else:
        task.internal_data["event_value"] = iso


def fire_timer_now(instance_id: str, task_id: str, actor: Actor) -> ProcessInstance:
    session, task, definition = _open_timer(instance_id, task_id, actor)
    previous = _current_due(task, definition)
    now = utcnow()
    _set_due(task, definition, now - timedelta(milliseconds=1))
    session.record(
        "timer.fired_now",
        task.task_spec.bpmn_id,
        task.task_spec.bpmn_name,
        str(task.id),
        due_at=previous,
        fired_at=now.isoformat(),
    )
    session.advance()
    if isinstance(definition, CycleTimerEventDefinition) and previous and task.state == TaskState.WAITING:
        # This turn of the cycle came early; the turns after it stay where the diagram put them.
        value = task.internal_data.get("event_value")
        if isinstance(value, dict) and value.get("cycles"):
            following = datetime.fromisoformat(previous) + timedelta(seconds=value["duration"])
            _set_due(task, definition, max(following, now + timedelta(seconds=1)))
    return session.save()


def move_timer(instance_id: str, task_id: str, due_at: datetime, actor: Actor) -> ProcessInstance:
    if due_at.tzinfo is None:
        raise Unprocessable("due_at needs a time zone offset.", errors={"due_at": ["Add an offset, e.g. +01:00."]})
    if due_at <= utcnow():
        raise Unprocessable(
            "The new due time has passed; to fire the timer now, use POST .../fire.",
            errors={"due_at": ["Must be in the future."]},
        )
    session, task, definition = _open_timer(instance_id, task_id, actor)
    previous = _current_due(task, definition)
    _set_due(task, definition, due_at)
    session.record(
        "timer.moved",
        task.task_spec.bpmn_id,
        task.task_spec.bpmn_name,
        str(task.id),
        due_at=previous,
        moved_to=due_at.astimezone(timezone.utc).isoformat(),
    )
    return session.save()


# --- overdue tasks per role, for those who oversee all cases -----------------------------------------


def overdue_tasks(
    actor: Actor,
    candidate_group: str | None = None,
    municipality_code: str | None = None,
    limit: int = 50,
    offset: int = 0,
):
    if not actor.has_role(BEHEERDER, PROCESBEHEERDER):
        raise Forbidden(
            "The overview of all overdue tasks needs the role beheerder or procesbeheerder; "
            "your own overdue tasks are at GET /api/v1/tasks?overdue=true."
        )
    now = utcnow()
    query = sa.select(HumanTask).where(HumanTask.status == OPEN, HumanTask.due_at.is_not(None), HumanTask.due_at < now)
    if candidate_group:
        query = query.where(
            sa.exists().where(TaskCandidate.task_id == HumanTask.id, TaskCandidate.group_name == candidate_group)
        )
    if municipality_code:
        query = query.where(HumanTask.municipality_code == municipality_code)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.order_by(HumanTask.due_at, HumanTask.id).limit(limit).offset(offset)).all()
    counts = (
        sa.select(TaskCandidate.group_name, sa.func.count())
        .join(HumanTask, HumanTask.id == TaskCandidate.task_id)
        .where(HumanTask.status == OPEN, HumanTask.due_at.is_not(None), HumanTask.due_at < now)
    )
    if municipality_code:
        counts = counts.where(HumanTask.municipality_code == municipality_code)
    by_role = dict(db.session.execute(counts.group_by(TaskCandidate.group_name)).all())
    return rows, total, by_role


# --- timer start events ---------------------------------------------------------------------------------


def start_schedules(actor: Actor) -> list[dict]:
    if not actor.has_role(BEHEERDER, PROCESBEHEERDER):
        raise Forbidden("The schedules of timer start events need the role beheerder or procesbeheerder.")
    result = []
    for schedule in current_schedules():
        last = db.session.scalar(
            sa.select(TimerStartOccurrence)
            .where(
                TimerStartOccurrence.process_id == schedule.process_id,
                TimerStartOccurrence.element_id == schedule.element_id,
            )
            .order_by(TimerStartOccurrence.occurrence_at.desc())
            .limit(1)
        )
        next_at = None
        if schedule.occurrences is not None:
            next_at = schedule.occurrences.next_after(catch_up_bound(schedule))
        result.append(
            {
                "process_id": schedule.process_id,
                "element_id": schedule.element_id,
                "kind": schedule.kind,
                "text": schedule.text,
                "version_id": schedule.version_id,
                "next_occurrence": next_at,
                "last_occurrence": last.occurrence_at if last else None,
                "last_business_key": last.business_key if last else None,
                "error": schedule.error,
            }
        )
    return result
