"""The SQL of one case step, as SQLAlchemy Core statements on the tables.

A step is the hot path of the whole host (every task completion, message and timer goes through it), so its
few statements skip the ORM's unit of work and identity map: they run on the session's connection, in the
session's transaction. Everything else (lists, admin, reports) uses the ORM models.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from ..extensions import db
from ..messages.models import MessageSubscription
from ..tasks.models import HumanTask, TaskCandidate
from .models import AuditEvent, ProcessInstance

INSTANCES = ProcessInstance.__table__
TASKS = HumanTask.__table__
CANDIDATES = TaskCandidate.__table__
SUBSCRIPTIONS = MessageSubscription.__table__
AUDIT = AuditEvent.__table__

_CASE_COLUMNS = (
    INSTANCES.c.id, INSTANCES.c.process_version_id, INSTANCES.c.process_id, INSTANCES.c.business_key,
    INSTANCES.c.municipality_code, INSTANCES.c.status, INSTANCES.c.lock_version, INSTANCES.c.incident,
    INSTANCES.c.started_by,
)
_SELECT_CASE = sa.select(*_CASE_COLUMNS).where(INSTANCES.c.id == sa.bindparam("id"))
_SELECT_STATE = sa.select(INSTANCES.c.state).where(INSTANCES.c.id == sa.bindparam("id"))
_TASK_COLUMNS = (
    TASKS.c.id, TASKS.c.instance_id, TASKS.c.process_id, TASKS.c.element_id, TASKS.c.name, TASKS.c.candidate_groups,
    TASKS.c.assignee, TASKS.c.municipality_code, TASKS.c.form_file_id, TASKS.c.status,
)
_SELECT_TASK = sa.select(*_TASK_COLUMNS).where(TASKS.c.id == sa.bindparam("id"))


@dataclass
class CaseRow:
    """The columns of a case a step needs (not its state)."""

    id: str
    process_version_id: int
    process_id: str
    business_key: str
    municipality_code: str | None
    status: str
    lock_version: int
    incident: dict | None
    started_by: str
    next_timer_due_at: object = None  # set by a save


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


def _connection():
    return db.session.connection()


def load_case(instance_id: str) -> CaseRow | None:
    row = _connection().execute(_SELECT_CASE, {"id": instance_id}).first()
    return CaseRow(*row) if row is not None else None


def load_state(instance_id: str) -> str | None:
    return _connection().execute(_SELECT_STATE, {"id": instance_id}).scalar()


def load_task(task_id: str) -> TaskRow | None:
    row = _connection().execute(_SELECT_TASK, {"id": task_id}).first()
    return TaskRow(*row) if row is not None else None


# Statements are built once: building them per call costs more than running them.
_STEP_COLUMNS = ("state", "status", "lock_version", "updated_at", "next_timer_due_at", "active_elements",
                 "variables", "incident", "completed_at")
_UPDATE_CASE = (
    sa.update(INSTANCES)
    .where(INSTANCES.c.id == sa.bindparam("match_id"), INSTANCES.c.lock_version == sa.bindparam("match_version"))
    .values({name: sa.bindparam(name, type_=INSTANCES.c[name].type) for name in _STEP_COLUMNS})
)
_CLOSE_TASKS = (
    sa.update(TASKS).where(TASKS.c.id.in_(sa.bindparam("ids", expanding=True)))
    .values(status=sa.bindparam("new_status"), completed_at=sa.bindparam("at", type_=TASKS.c.completed_at.type),
            completed_by=sa.bindparam("by"))
)
_DELETE_SUBSCRIPTION = sa.delete(SUBSCRIPTIONS).where(
    SUBSCRIPTIONS.c.instance_id == sa.bindparam("match_instance"),
    SUBSCRIPTIONS.c.task_id == sa.bindparam("match_task"),
    SUBSCRIPTIONS.c.message_name == sa.bindparam("match_message"),
)
_INSERT_TASKS = sa.insert(TASKS)
_INSERT_CANDIDATES = sa.insert(CANDIDATES)
_INSERT_SUBSCRIPTIONS = sa.insert(SUBSCRIPTIONS)
_INSERT_AUDIT = sa.insert(AUDIT)


class StepWriter:
    """Writes one step of one case on one connection (the session's, inside its transaction)."""

    def __init__(self):
        self.connection = _connection()

    def insert_case(self, values: dict) -> None:
        self.connection.execute(sa.insert(INSTANCES), [values])

    def update_case(self, instance_id: str, expected_version: int, values: dict) -> bool:
        """The optimistic-lock save: True when this step's version was still current."""
        params = {name: values[name] for name in _STEP_COLUMNS}
        params.update(match_id=instance_id, match_version=expected_version)
        return self.connection.execute(_UPDATE_CASE, params).rowcount == 1

    def close_tasks(self, task_ids: list, status: str, at, completed_by: str | None = None) -> None:
        if task_ids:
            self.connection.execute(_CLOSE_TASKS, {"ids": list(task_ids), "new_status": status, "at": at,
                                                   "by": completed_by})

    def open_tasks(self, rows: list[dict], candidates: list[dict]) -> None:
        """Rows for newly ready tasks. Engine task ids are fresh UUIDs for every activation (loops create new
        tasks), so a ready task never has a row yet; a feature that resets a case to an earlier task must
        delete the rows of the tasks it resets."""
        if rows:
            self.connection.execute(_INSERT_TASKS, rows)
        if candidates:
            self.connection.execute(_INSERT_CANDIDATES, candidates)

    def delete_subscriptions(self, instance_id: str, keys: list[tuple]) -> None:
        for task_id, message_name in keys:
            self.connection.execute(_DELETE_SUBSCRIPTION, {"match_instance": instance_id, "match_task": task_id,
                                                           "match_message": message_name})

    def insert_subscriptions(self, rows: list[dict]) -> None:
        if rows:
            self.connection.execute(_INSERT_SUBSCRIPTIONS, rows)

    def insert_audit(self, rows: list[dict]) -> None:
        if rows:
            self.connection.execute(_INSERT_AUDIT, rows)
