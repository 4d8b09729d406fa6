"""Which start event a new case begins at, before it first runs (runtime/ knows no database).

A case started by a person begins at its none start event, and its timer start events are cancelled; a case
created for one occurrence of a timer schedule fires exactly that timer start event
(engine/timers/start_events.py creates those cases).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from SpiffWorkflow.bpmn.specs.event_definitions.simple import NoneEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition, TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.util.task import TaskState


def settle_start_events(workflow, fire_element_id: str | None = None) -> str | None:
    """Decide, before a new case first runs, which timer start event (if any) fires.

    - `fire_element_id` (a case created for a timer occurrence): that start event fires once; the case's
      other start events are cancelled.
    - None (a person starts the case): with a none start event the case starts there and its timer start
      events are cancelled; a process that has only timer start events runs once now, from the
      first of them, instead of waiting inside the case.
    Returns the id of the start event fired, or None.
    """
    starts = [t for t in workflow.get_tasks(spec_class=StartEvent) if t.state & TaskState.NOT_FINISHED_MASK]
    timers = [t for t in starts if _is_timer(t.task_spec.event_definition)]
    if not timers:
        return None
    if fire_element_id is None:
        if any(isinstance(t.task_spec.event_definition, NoneEventDefinition) for t in starts):
            # cancelled here, not left to the engine: a cycle whose start lies in the past (R/2017-01-15...)
            # would fire at once in the same run and take its branch in a case a person started
            for task in timers:
                task.cancel()
            return None
        target = timers[0]
    else:
        found = [t for t in timers if t.task_spec.bpmn_id == fire_element_id]
        if not found:
            raise ValueError(f"The process has no timer start event '{fire_element_id}'.")
        target = found[0]
    for task in starts:
        if task is not target:
            task.cancel()
    definition = target.task_spec.event_definition
    if isinstance(definition, CycleTimerEventDefinition):
        # One turn of the cycle, due a moment ago: the engine runs its branch once and then ends the event.
        due = (datetime.now(timezone.utc) - timedelta(seconds=1)).isoformat()
        target.internal_data["event_value"] = {"cycles": 1, "next": due, "duration": 1.0}
    else:
        target.internal_data["event_fired"] = True
    return target.task_spec.bpmn_id


def _is_timer(definition) -> bool:
    return isinstance(definition, TimerEventDefinition)
