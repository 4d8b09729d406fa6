"""Read what a workflow is waiting for: ready user tasks, timers and their due times, messages.

Waiting timers and messages come from the engine's event manager (only the waiting tasks), not from a walk
over the whole tree. Ready and live tasks are found in the workflows' task tables (a plain loop over a dict
per (sub)process), which gives the same tasks as the engine's tree iterator at a fraction of its cost: this
runs on every step of every case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask
from SpiffWorkflow.util.task import TaskState


@dataclass
class WaitingTimer:
    task_id: str
    element_id: str
    element_name: str
    kind: str
    due_at: datetime | None
    expression: str


@dataclass
class WaitingMessage:
    task_id: str
    element_id: str
    message_name: str


_READY = TaskState.READY
_LIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR


def all_tasks(workflow):
    """Every task of a top-level workflow and of its subprocesses (call activities, embedded subprocesses),
    in creation order."""
    yield from workflow.tasks.values()
    for subprocess in workflow.subprocesses.values():
        yield from subprocess.tasks.values()


def ready_user_tasks(workflow) -> list:
    return [t for t in all_tasks(workflow) if t.state == _READY and isinstance(t.task_spec, UserTask)]


def has_ready_engine_task(workflow) -> bool:
    """Whether a task the engine runs by itself (not a user or manual task) is ready."""
    return any(t.state == _READY and not t.task_spec.manual for t in all_tasks(workflow))


def live_tasks(workflow) -> list:
    """Tasks that are ready, waiting, running or failed."""
    return [t for t in all_tasks(workflow) if t.state & _LIVE]


def _definitions(event_definition):
    if isinstance(event_definition, MultipleEventDefinition):
        return list(event_definition.event_definitions)
    return [event_definition]


def _waiting(workflow):
    for task in list(workflow.event_manager.tasks.values()):
        if task.state == TaskState.WAITING:
            yield task


def _due_time(task, definition) -> datetime | None:
    value = task.internal_data.get("event_value")
    if value is None or task.internal_data.get("event_fired"):
        return None
    try:
        if isinstance(definition, CycleTimerEventDefinition):
            if not isinstance(value, dict) or value.get("cycles") == 0:
                return None
            return datetime.fromisoformat(value["next"]).astimezone(timezone.utc)
        if isinstance(value, str) and value.upper().startswith("P"):
            return None
        return TimerEventDefinition.get_datetime(value) if isinstance(value, str) else None
    except (ValueError, TypeError, KeyError):
        return None


def waiting_timers(workflow) -> list[WaitingTimer]:
    timers = []
    for task in _waiting(workflow):
        for definition in _definitions(task.task_spec.event_definition):
            if isinstance(definition, TimerEventDefinition):
                timers.append(
                    WaitingTimer(
                        task_id=str(task.id),
                        element_id=task.task_spec.bpmn_id or task.task_spec.name,
                        element_name=task.task_spec.bpmn_name or "",
                        kind=type(definition).__name__,
                        due_at=_due_time(task, definition),
                        expression=definition.expression,
                    )
                )
    return timers


def next_timer_due(workflow) -> datetime | None:
    due = [t.due_at for t in waiting_timers(workflow) if t.due_at is not None]
    return min(due) if due else None


def waiting_messages(workflow) -> list[WaitingMessage]:
    waits = []
    for task in _waiting(workflow):
        for definition in _definitions(task.task_spec.event_definition):
            if isinstance(definition, MessageEventDefinition):
                waits.append(
                    WaitingMessage(str(task.id), task.task_spec.bpmn_id or task.task_spec.name, definition.name)
                )
    return waits


def active_elements(workflow) -> list[str]:
    """Element ids of the tasks that are ready, waiting or running now (for display and the heatmap)."""
    seen = []
    for task in live_tasks(workflow):
        element_id = task.task_spec.bpmn_id
        if element_id and element_id not in seen:
            seen.append(element_id)
    return seen


@dataclass
class Snapshot:
    """What a saved case exposes, read in one walk over the task tree."""

    ready_user_tasks: list
    active_elements: list
    variables: dict
    completed: bool


def snapshot(workflow) -> Snapshot:
    completed = workflow.is_completed()
    live = live_tasks(workflow)
    ready = [t for t in live if t.state == _READY and isinstance(t.task_spec, UserTask)]
    elements = []
    for task in live:
        element_id = task.task_spec.bpmn_id
        if element_id and element_id not in elements:
            elements.append(element_id)
    if completed:
        variables = dict(workflow.data)
    else:
        variables = {}
        if workflow.last_task is not None:
            variables.update(workflow.last_task.data)
        for task in sorted(live, key=lambda t: t.last_state_change):
            variables.update(task.data)
    return Snapshot(ready, elements, variables, completed)


def case_variables(workflow) -> dict:
    """The case's data as one dict: the workflow's data when it has ended, else the data of the most recent
    ready/waiting tasks merged in order of their last change (parallel branches each hold a copy)."""
    if workflow.is_completed():
        return dict(workflow.data)
    tasks = sorted(live_tasks(workflow), key=lambda t: t.last_state_change)
    merged: dict = {}
    if workflow.last_task is not None:
        merged.update(workflow.last_task.data)
    for task in tasks:
        merged.update(task.data)
    return merged
