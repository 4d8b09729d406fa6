"""Running a workflow's engine tasks: SpiffWorkflow 3.2's `BpmnWorkflow.do_engine_steps`, without its idle walks.

The library runs ready engine tasks (scripts, gateways, events) in rounds: each round walks every active
subprocess and then the whole tree for READY tasks, and rounds repeat until one runs nothing. Most of
those walks find nothing (the last walk of every subprocess, the last round), yet each one visits every
task of the tree through the library's tree iterator, which is the larger part of a step's engine time.

`do_engine_steps` below is the library's algorithm step for step (the same rounds, the same walks in the
same order, the same callbacks), with one addition: before a walk it checks the workflow's task tables,
a plain loop over dicts, for any READY task the engine would run. The tables hold every task a walk can
reach (the top workflow's and every subprocess's), so when they hold none the walk would find none, and it
is skipped. When they hold one, the walk runs: the library's iterator order (depth first, a call activity's or
subprocess's own tree before the children of its task, predicted branches not entered), written as a plain
loop (`ready_tasks`). The library's iterator also stops descending 1,000 levels down; a walk can only get
that deep in a workflow of 1,000 tasks or more, so such workflows (rare: history compaction keeps trees
small) are walked by the library itself. With `VB_VERIFY_ENGINE_WALKS` (on in the tests) every walk is
compared with the library's.
"""

from __future__ import annotations

from SpiffWorkflow.util.task import TaskState

from .inspection import has_ready_engine_task

_READY = TaskState.READY
_FUTURE = TaskState.FUTURE
_DEPTH_LIMIT = 1000  # SpiffWorkflow's TaskIterator max_depth
VERIFY = False  # set from VB_VERIFY_ENGINE_WALKS by the app factory


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
    for task in ready_tasks(top, workflow):
        if not task.task_spec.manual:
            if will_complete_task is not None:
                will_complete_task(task)
            task.run()
            count += 1
            if did_complete_task is not None:
                did_complete_task(task)
    return count


def ready_tasks(top, workflow) -> list:
    """`workflow.get_tasks(state=TaskState.READY)`: the READY tasks of `workflow` and of the subprocesses
    below it, in the library's walk order. `top` is the case's top-level workflow."""
    if len(top.tasks) + sum(len(sp.tasks) for sp in top.subprocesses.values()) >= _DEPTH_LIMIT:
        return workflow.get_tasks(state=_READY)  # the iterator's depth limit could apply
    subprocesses = top.subprocesses
    found = []
    stack = [workflow.task_tree]
    while stack:
        task = stack.pop()
        state = task._state
        if state & _READY:
            found.append(task)
        subprocess = subprocesses.get(task.id)
        if subprocess is not None:  # entered whatever the task's state (as the library does for READY)
            stack.extend(reversed([subprocess.task_tree, *task.children]))
        elif task._children and state >= _FUTURE:  # predicted (MAYBE, LIKELY) branches hold nothing READY
            stack.extend(reversed(task.children))
    if VERIFY:
        library = workflow.get_tasks(state=_READY)
        if [t.id for t in found] != [t.id for t in library]:
            raise AssertionError("The engine loop's walk differs from the library's iterator.")
    return found
