"""Running a workflow's engine tasks: SpiffWorkflow 3.2's `BpmnWorkflow.do_engine_steps`, without its idle walks.

The library runs ready engine tasks (scripts, gateways, events) in rounds: each round walks every active
subprocess and then the whole tree for READY tasks, and rounds repeat until one runs nothing. Most of
those walks find nothing (the last walk of every subprocess, the last round), yet each one visits every
task of the tree through the library's tree iterator, which is the larger part of a step's engine time.

`do_engine_steps` below is the library's algorithm step for step (the same rounds, the same walks in the
same order, the same callbacks), with one addition: before a walk it checks the workflow's task tables,
a plain loop over dicts, for any READY task the engine would run. The tables hold every task a walk can
reach (the top workflow's and every subprocess's), so when they hold none the walk would find none, and it
is skipped. When they hold one, the library's own walk runs, so the tasks run in its order.
"""
from __future__ import annotations

from SpiffWorkflow.util.task import TaskState

from .inspection import has_ready_engine_task


def do_engine_steps(workflow, will_complete_task=None, did_complete_task=None) -> None:
    """Run every ready engine task until only user tasks, manual tasks or waiting tasks are left, then
    refresh the timers (as `BpmnWorkflow.do_engine_steps`)."""
    while _round(workflow, will_complete_task, did_complete_task):
        pass
    workflow.refresh_timers()


def _round(workflow, will_complete_task, did_complete_task) -> bool:
    """One round of `BpmnWorkflow._do_engine_steps`: whether it ran a task of the top workflow or
    created a subprocess (then another round follows)."""
    active = workflow.get_active_subprocesses()
    for subprocess in sorted(active, key=lambda sp: sp.depth, reverse=True):
        while _run_ready(workflow, subprocess, will_complete_task, did_complete_task):
            pass
        if subprocess.parent_task_id is not None:
            task = workflow.get_task_from_id(subprocess.parent_task_id)
            task.task_spec._update(task)
    count = _run_ready(workflow, workflow, will_complete_task, did_complete_task)
    return count > 0 or len(workflow.get_active_subprocesses()) > len(active)


def _run_ready(top, workflow, will_complete_task, did_complete_task) -> int:
    """Run the READY engine tasks that a walk of `workflow`'s tree finds, in the walk's order; the
    number run."""
    if not has_ready_engine_task(top):
        return 0  # no READY engine task anywhere in the case: the walk would find none
    count = 0
    for task in workflow.get_tasks(state=TaskState.READY):
        if not task.task_spec.manual:
            if will_complete_task is not None:
                will_complete_task(task)
            task.run()
            count += 1
            if did_complete_task is not None:
                did_complete_task(task)
    return count
