"""Read what a workflow is waiting for: ready user tasks, timers and their due times, messages.

Waiting timers and messages come from the engine's event manager (only the waiting tasks), not from a walk
over the whole tree.
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


def ready_user_tasks(workflow) -> list:
    return workflow.get_tasks(state=TaskState.READY, spec_class=UserTask)


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
                timers.append(WaitingTimer(
                    task_id=str(task.id),
                    element_id=task.task_spec.bpmn_id or task.task_spec.name,
                    element_name=task.task_spec.bpmn_name or "",
                    kind=type(definition).__name__,
                    due_at=_due_time(task, definition),
                    expression=definition.expression,
                ))
    return timers


def next_timer_due(workflow) -> datetime | None:
    due = [t.due_at for t in waiting_timers(workflow) if t.due_at is not None]
    return min(due) if due else None


def waiting_messages(workflow) -> list[WaitingMessage]:
    waits = []
    for task in _waiting(workflow):
        for definition in _definitions(task.task_spec.event_definition):
            if isinstance(definition, MessageEventDefinition):
                waits.append(WaitingMessage(str(task.id), task.task_spec.bpmn_id or task.task_spec.name, definition.name))
    return waits


def active_elements(workflow) -> list[str]:
    """Element ids of the tasks that are ready, waiting or running now (for display and the heatmap)."""
    mask = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR
    seen = []
    for task in workflow.get_tasks(state=mask):
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
    mask = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR
    live = workflow.get_tasks(state=mask)
    ready = [t for t in live if t.state == TaskState.READY and isinstance(t.task_spec, UserTask)]
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
    mask = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR
    tasks = sorted(workflow.get_tasks(state=mask), key=lambda t: t.last_state_change)
    merged: dict = {}
    if workflow.last_task is not None:
        merged.update(workflow.last_task.data)
    for task in tasks:
        merged.update(task.data)
    return merged
