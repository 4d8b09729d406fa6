"""Run the engine on a loaded workflow until it has nothing left to do, recording each element it runs.

Script, expression and gateway errors do not escape: they become an incident (element, line, message) and
the workflow is kept as it is, so the case can be saved in the `error` state and retried later.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState

from ..runtime.inspection import has_ready_engine_task
from ..runtime.stepping import do_engine_steps
from ..runtime.sandbox import SandboxViolation

import logging

MAX_ROUNDS = 100
MAX_ELEMENTS_PER_STEP = 5_000
log_ = logging.getLogger(__name__)


class EndlessLoop(RuntimeError):
    """More elements ran in one step than any real case needs: a loop without a wait state."""


@dataclass
class StepLog:
    """What happened during one step of a case: completed elements and, possibly, an incident."""

    events: list = field(default_factory=list)
    incident: dict | None = None

    def element_completed(self, task, data_keys):
        spec = task.task_spec
        if not spec.bpmn_id:
            return  # internal engine task (start/end bookkeeping, boundary splits)
        self.events.append(
            {
                "event": "element.completed",
                "element_id": spec.bpmn_id,
                "element_name": spec.bpmn_name or "",
                "task_id": str(task.id),
                "data_keys": data_keys,
                "details": {"type": spec.__class__.__name__},
            }
        )


def changed_keys(before: dict, after: dict) -> list:
    keys = [k for k, v in after.items() if k not in before or before[k] != v]
    keys.extend(k for k in before if k not in after)
    return sorted(keys)


def describe(err: Exception) -> str:
    """The message of an engine failure; never fails itself (an exception whose str() breaks, as one with a
    None among its notes does, would otherwise turn the incident into a 500 with nothing recorded)."""
    try:
        return str(err)
    except Exception:
        parts = [str(a) for a in getattr(err, "args", ()) if a is not None]
        parts += [str(n) for n in getattr(err, "notes", None) or () if n is not None]
        return ". ".join(parts) or type(err).__name__


def _incident_from(err: Exception, workflow) -> dict:
    task = getattr(err, "task", None)
    spec = getattr(err, "task_spec", None) or (task.task_spec if task is not None else None)
    if task is None and spec is not None:
        errored = [t for t in workflow.get_tasks(state=TaskState.ERROR) if t.task_spec is spec]
        task = errored[0] if errored else None
    message = describe(err)
    if isinstance(err, SpiffWorkflowException):
        message = message.rstrip(". ")
    return {
        "element_id": getattr(spec, "bpmn_id", None) or getattr(spec, "name", None),
        "element_name": getattr(spec, "bpmn_name", None) or "",
        "task_id": str(task.id) if task is not None else None,
        "line": getattr(err, "line_number", None) or None,
        "error_line": getattr(err, "error_line", None) or None,
        "error_type": getattr(err, "error_type", None) or type(err).__name__,
        "message": message,
    }


def run_engine(workflow, log: StepLog) -> None:
    """Refresh timers and run every ready engine task until nothing changes (or an incident occurs)."""
    snapshots = {}
    budget = [MAX_ELEMENTS_PER_STEP]

    def will_complete(task):
        budget[0] -= 1
        if budget[0] < 0:
            err = EndlessLoop(
                f"More than {MAX_ELEMENTS_PER_STEP} elements ran in one step; the process loops without a wait state."
            )
            err.task = task
            raise err
        snapshots[task.id] = dict(task.data)

    def did_complete(task):
        log.element_completed(task, changed_keys(snapshots.pop(task.id, {}), task.data))

    try:
        for _ in range(MAX_ROUNDS):
            workflow.refresh_timers()
            do_engine_steps(workflow, will_complete, did_complete)
            if not has_ready_engine_task(workflow):  # a timer that fell due in the engine's last refresh
                return
        raise RuntimeError(f"The engine did not settle after {MAX_ROUNDS} rounds (a loop without a wait state?).")
    except Exception as err:  # every engine failure becomes an incident on the case, never a lost step
        log_.warning(
            "Incident while running the engine: %s",
            describe(err),
            exc_info=not isinstance(
                err, (WorkflowTaskException, SpiffWorkflowException, SandboxViolation, EndlessLoop)
            ),
        )
        log.incident = _incident_from(err, workflow)
