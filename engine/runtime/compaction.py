"""Keep a case's task tree small however long the case runs.

SpiffWorkflow keeps every task a case ever ran in one tree and walks that tree on every engine step, so the
cost of a step grows with the case's history; worse, its tree iterator stops at depth 1,000, and a case
whose loop ran about 250 times is then reported as complete. A case that loops (check-ins, reminders)
must not slow down or silently end.

Compaction removes only finished history the engine no longer reads:
- dead subtrees: finished subtrees hanging off a completed task (ended branches, cancelled joins of
  earlier iterations, completed multi-instance children once their parent has completed);
- the middle of long chains of completed tasks with one child each, keeping the top of the chain and the
  `keep` tasks right above the live part (joins and resets look only that far up).
Live tasks (anything not completed or cancelled, including tasks in error) and their ancestors near the
frontier are never touched. The audit trail keeps the history of what happened.
"""

from __future__ import annotations

from SpiffWorkflow.util.task import TaskState

_DONE = TaskState.COMPLETED | TaskState.CANCELLED


def _is_done(task) -> bool:
    return bool(task.state & _DONE)


def compact_workflow(workflow, threshold: int = 60, keep: int = 8) -> int:
    """Compact the top workflow and its subprocesses when a tree holds more than `threshold` tasks and has
    grown by half since it was last compacted (a case whose live part is large is not walked every step).

    Returns the number of tasks removed.
    """
    removed = 0
    for sub in list(workflow.subprocesses.values()):
        if sub.parent_task_id in _all_task_ids(workflow) and _due(sub, threshold):
            removed += _compact_tree(workflow, sub, keep)
    if _due(workflow, threshold):
        removed += _compact_tree(workflow, workflow, keep)
    return removed


def _due(tree, threshold: int) -> bool:
    size = len(tree.tasks)
    return size > threshold and size > 1.5 * getattr(tree, "_compacted_size", 0)


def _all_task_ids(top):
    ids = set(top.tasks)
    for sub in top.subprocesses.values():
        ids.update(sub.tasks)
    return ids


def _live_closure(tree):
    """Ids of every task that is live or has a live descendant."""
    live = set()
    for task in tree.tasks.values():
        if _is_done(task):
            continue
        node = task
        while node is not None and node.id not in live:
            live.add(node.id)
            node = node.parent
    return live


def _compact_tree(top, tree, keep: int) -> int:
    root = tree.task_tree
    live = _live_closure(tree)
    if not live:
        tree._compacted_size = len(tree.tasks)
        return 0
    doomed = []

    # 1. Dead subtrees below completed tasks.
    for task_id in list(live):
        task = tree.tasks[task_id]
        if not _is_done(task):
            continue  # a live parent (multi-instance, subprocess) may still read its finished children
        for child in task.children:
            if child.id not in live:
                doomed.append(child)

    # 2. The middle of long single-child chains of completed tasks on the live part of the tree.
    relinks = []
    stack = [root]
    while stack:
        top_of_chain = stack.pop()
        chain = []
        node = top_of_chain
        while True:
            live_children = [c for c in node.children if c.id in live]
            if len(live_children) != 1 or not _is_done(node):
                break
            child = live_children[0]
            if not _is_done(child):
                break
            chain.append(child)
            node = child
        # chain holds completed single-child descendants of top_of_chain; keep the last `keep`.
        if len(chain) > keep + 1:
            cut = chain[: len(chain) - keep]
            relinks.append((top_of_chain, cut, chain[len(chain) - keep]))
        stack.extend(c for c in node.children if c.id in live)

    removed = 0
    for task in doomed:
        removed += _drop_subtree(top, tree, task)
    for head, cut, tail in relinks:
        removed += _splice(top, tree, head, cut, tail)
    if tree.last_task is not None and tree.last_task.id not in tree.tasks:
        tree.last_task = None
    tree._compacted_size = len(tree.tasks)  # in memory only: after a reload the first check compacts again
    return removed


def _drop_subtree(top, tree, task) -> int:
    count = 0
    stack = [task]
    ids = []
    while stack:
        node = stack.pop()
        ids.append(node.id)
        stack.extend(node.children)
    parent = task.parent
    if parent is not None and task.id in parent._children:
        parent._children.remove(task.id)
    for task_id in ids:
        _forget_subprocess(top, task_id)
        if tree.tasks.pop(task_id, None) is not None:
            count += 1
    return count


def _splice(top, tree, head, cut, tail) -> int:
    """Remove the tasks in `cut` (a single-child chain under `head`) and hang `tail` under `head`."""
    first = cut[0]
    index = head._children.index(first.id)
    head._children[index] = tail.id
    tail._parent = head.id
    count = 0
    for task in cut:
        for child in task.children:
            if child.id != tail.id and child not in cut:
                count += _drop_subtree(top, tree, child)
        _forget_subprocess(top, task.id)
        if tree.tasks.pop(task.id, None) is not None:
            count += 1
    return count


def _forget_subprocess(top, task_id):
    sub = top.subprocesses.pop(task_id, None)
    if sub is None:
        return
    for inner_id in list(sub.tasks):
        _forget_subprocess(top, inner_id)
