"""The SQL of the inbox rows in a case step: run on the step's connection, in its batch (see
`engine.instances.store`)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from ..instances.store import CASE_COLUMNS, INSTANCES, CaseRow, insert_statement
from ..db.prepared import Prepared, Raw
from ..instances.task_rows import HumanTask, TaskCandidate

TASKS = HumanTask.__table__
CANDIDATES = TaskCandidate.__table__

_TASK_COLUMNS = (
    TASKS.c.id,
    TASKS.c.instance_id,
    TASKS.c.process_id,
    TASKS.c.element_id,
    TASKS.c.name,
    TASKS.c.candidate_groups,
    TASKS.c.assignee,
    TASKS.c.municipality_code,
    TASKS.c.form_file_id,
    TASKS.c.status,
    TASKS.c.completed_by,  # who may see a task that is no longer open (access/policy.can_see_task)
)
# A task completion needs the task and its case: one statement, one round trip
_SELECT_TASK_AND_CASE = Prepared(
    sa.select(*_TASK_COLUMNS, *CASE_COLUMNS)
    .select_from(TASKS.join(INSTANCES, INSTANCES.c.id == TASKS.c.instance_id))
    .where(TASKS.c.id == sa.bindparam("id"))
)


@dataclass
class TaskRow:
    id: str
    instance_id: str
    process_id: str
    element_id: str
    name: str
    candidate_groups: list
    assignee: str | None
    municipality_code: str | None
    form_file_id: int | None
    status: str
    completed_by: str | None


def load_task_and_case(task_id: str, connection: Raw | None = None) -> tuple[TaskRow | None, CaseRow | None]:
    row = _SELECT_TASK_AND_CASE.first(connection or Raw(), {"id": task_id})
    if row is None:
        return None, None
    split = len(_TASK_COLUMNS)
    return TaskRow(*row[:split]), CaseRow(*row[split:])


_CLOSE_TASK = Prepared(
    sa.update(TASKS)
    .where(TASKS.c.id == sa.bindparam("match_id"))
    .values(
        status=sa.bindparam("new_status"),
        completed_at=sa.bindparam("at", type_=TASKS.c.completed_at.type),
        completed_by=sa.bindparam("by"),
    )
)
_TASK_INSERT_COLUMNS = (
    "id",
    "instance_id",
    "process_id",
    "element_id",
    "name",
    "lane",
    "candidate_groups",
    "assignee",
    "municipality_code",
    "form_key",
    "form_file_id",
    "due_at",
    "priority",
    "status",
    "created_at",
    "claimed_at",
    "completed_at",
    "completed_by",
)
_INSERT_TASK = insert_statement(TASKS, _TASK_INSERT_COLUMNS)
_INSERT_CANDIDATE = insert_statement(CANDIDATES, ("task_id", "instance_id", "group_name"))


def close_tasks(connection: Raw, task_ids: list, status: str, at, completed_by: str | None = None) -> None:
    if task_ids:
        _CLOSE_TASK.executemany(
            connection,
            [{"match_id": task_id, "new_status": status, "at": at, "by": completed_by} for task_id in task_ids],
        )


def open_tasks(connection: Raw, rows: list[dict], candidates: list[dict]) -> None:
    """Rows for newly ready tasks. Engine task ids are fresh UUIDs for every activation (loops create new
    tasks), so a ready task never has a row yet; a feature that resets a case to an earlier task must
    delete the rows of the tasks it resets."""
    _INSERT_TASK.executemany(connection, rows)  # rows of plan_human_tasks carry every column
    _INSERT_CANDIDATE.executemany(connection, candidates)
