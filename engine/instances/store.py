"""The SQL of one case step, as SQLAlchemy Core statements on the tables.

A step is the hot path of the whole host (every task completion, message and timer goes through it), so its
few statements skip the ORM and SQLAlchemy's execution layer: they are prepared once per dialect and run with
the driver's cursor on the session's connection, in the session's transaction (see `engine.prepared`).
Everything else (lists, admin, reports) uses the ORM models.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from ..crypto.models import CaseKey
from ..definitions.models import ProcessVersion
from ..extensions import db
from ..messages.models import MessageSubscription
from ..prepared import Prepared, Raw
from ..tasks.models import HumanTask, TaskCandidate
from ..timeutil import utcnow
from ..webhooks.models import OutboundSubscription
from .models import AuditEvent, ProcessInstance

INSTANCES = ProcessInstance.__table__
TASKS = HumanTask.__table__
CANDIDATES = TaskCandidate.__table__
SUBSCRIPTIONS = MessageSubscription.__table__
AUDIT = AuditEvent.__table__

_OUTBOUND = OutboundSubscription.__table__
# Whether any outbound webhook subscription is active: read with the case (one EXISTS on a small table), so
# the many steps of a deployment without subscribers skip the outbox query.
_OUTBOX_ACTIVE = sa.exists().where(_OUTBOUND.c.active.is_(True)).label("outbox_active")
_CASE_COLUMNS = (
    INSTANCES.c.id, INSTANCES.c.process_version_id, INSTANCES.c.process_id, INSTANCES.c.business_key,
    INSTANCES.c.municipality_code, INSTANCES.c.status, INSTANCES.c.lock_version, INSTANCES.c.incident,
    INSTANCES.c.started_by, INSTANCES.c.status.label("loaded_status"), INSTANCES.c.next_timer_due_at,
    _OUTBOX_ACTIVE,
)
_SELECT_CASE = Prepared(sa.select(*_CASE_COLUMNS).where(INSTANCES.c.id == sa.bindparam("id")))
_SELECT_STATE = Prepared(sa.select(INSTANCES.c.state).where(INSTANCES.c.id == sa.bindparam("id")))
_TASK_COLUMNS = (
    TASKS.c.id, TASKS.c.instance_id, TASKS.c.process_id, TASKS.c.element_id, TASKS.c.name, TASKS.c.candidate_groups,
    TASKS.c.assignee, TASKS.c.municipality_code, TASKS.c.form_file_id, TASKS.c.status,
)
# A task completion needs the task and its case: one statement, one round trip
_SELECT_TASK_AND_CASE = Prepared(
    sa.select(*_TASK_COLUMNS, *_CASE_COLUMNS).select_from(TASKS.join(INSTANCES, INSTANCES.c.id == TASKS.c.instance_id))
    .where(TASKS.c.id == sa.bindparam("id"))
)


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
    loaded_status: str | None = None  # as loaded: a save writes the indexed columns only when they change
    next_timer_due_at: object = None
    outbox_active: bool | None = None  # any outbound subscription active when loaded (None: not known)


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


# Locking a case for the rest of the transaction. PostgreSQL: a row lock. SQLite has no row locks, and its
# reads outside a write transaction may miss a commit that lands just after them: a no-op UPDATE takes the
# database write lock first.
_TOUCH_CASE = Prepared(sa.update(INSTANCES).where(INSTANCES.c.id == sa.bindparam("id"))
                       .values(lock_version=INSTANCES.c.lock_version))
_LOCK_CASE = Prepared(sa.select(INSTANCES.c.id).where(INSTANCES.c.id == sa.bindparam("id")).with_for_update())
_TOUCH_CASE_BY_KEY = Prepared(sa.update(INSTANCES).where(INSTANCES.c.business_key == sa.bindparam("key"))
                              .values(lock_version=INSTANCES.c.lock_version))
_WAITS_FOR = sa.exists().where(SUBSCRIPTIONS.c.message_name == sa.bindparam("message"),
                               SUBSCRIPTIONS.c.correlation_key == sa.bindparam("key"),
                               SUBSCRIPTIONS.c.instance_id == INSTANCES.c.id)
_LOCK_CASE_BY_KEY = Prepared(  # FOR UPDATE is left out on SQLite (the UPDATE above took the lock)
    sa.select(*_CASE_COLUMNS, _WAITS_FOR.label("waits")).where(INSTANCES.c.business_key == sa.bindparam("key"))
    .with_for_update(of=INSTANCES)
)


_VERSIONS = ProcessVersion.__table__
_LATEST_VERSION = Prepared(
    sa.select(_VERSIONS.c.id, _OUTBOX_ACTIVE).where(_VERSIONS.c.process_id == sa.bindparam("process_id"))
    .order_by(_VERSIONS.c.version.desc()).limit(1)
)


def latest_version(process_id: str, connection: Raw | None = None) -> tuple[int, bool] | None:
    """(id of the newest deployed version of the process, whether any outbound subscription is active),
    asked on every case start; None if the process is not deployed."""
    row = _LATEST_VERSION.first(connection or Raw(), {"process_id": process_id})
    return (row[0], bool(row[1])) if row is not None else None


def send_latest_version(process_id: str, connection: Raw):
    """`latest_version` sent in a batch (`Raw.batch`) with other statements; returns a function that gives
    its answer once the batch has ended."""
    cursor = _LATEST_VERSION.send(connection, {"process_id": process_id}, connection.driver.cursor())

    def answer() -> tuple[int, bool] | None:
        rows = _LATEST_VERSION.sent_rows(connection, cursor)
        return (rows[0][0], bool(rows[0][1])) if rows else None

    return answer


def lock_case(instance_id: str, connection: Raw | None = None) -> None:
    """Take the write lock on one case for the rest of the transaction."""
    connection = connection or Raw()
    if connection.dialect.name == "sqlite":
        _TOUCH_CASE.execute(connection, {"id": instance_id})
    else:
        _LOCK_CASE.first(connection, {"id": instance_id})


def lock_case_for_message(business_key: str, message_name: str,
                          connection: Raw | None = None) -> tuple[CaseRow | None, bool]:
    """The case with this business key, locked and freshly read, and whether it waits for the message (a
    subscription under this key); (None, False) if no case has the key. One statement on PostgreSQL."""
    connection = connection or Raw()
    if connection.dialect.name == "sqlite":
        _TOUCH_CASE_BY_KEY.execute(connection, {"key": business_key})
    return _locked_case(_LOCK_CASE_BY_KEY.first(connection, {"key": business_key, "message": message_name}))


def send_lock_case_for_message(business_key: str, message_name: str, connection: Raw):
    """`lock_case_for_message` sent in a batch (`Raw.batch`); returns a function that gives its answer once
    the batch has ended. The lock is taken where the statement stands in the batch."""
    if connection.dialect.name == "sqlite":
        _TOUCH_CASE_BY_KEY.execute(connection, {"key": business_key})
    cursor = _LOCK_CASE_BY_KEY.send(connection, {"key": business_key, "message": message_name},
                                    connection.driver.cursor())

    def answer() -> tuple[CaseRow | None, bool]:
        rows = _LOCK_CASE_BY_KEY.sent_rows(connection, cursor)
        return _locked_case(rows[0] if rows else None)

    return answer


def _locked_case(row) -> tuple[CaseRow | None, bool]:
    if row is None:
        return None, False
    return CaseRow(*row[:-1]), bool(row[-1])


# Statements of the current transaction that travel with the next case step's batch (`ride_along`)
RIDERS = "vb_step_riders"


class Rider:
    """A write that goes out with the next case step saved in this transaction, in that step's batch (one
    round trip less on PostgreSQL). `write(writer, case)` is called inside the batch; afterwards `case` is
    the CaseRow of the step it rode with, or None if no step was saved (then the caller writes itself)."""

    __slots__ = ("write", "case")

    def __init__(self, write):
        self.write, self.case = write, None


def ride_along(write) -> Rider:
    """Register `write` for the next case step of the current transaction (begun here if none is open, so
    that its commit or rollback drops a rider that no step took)."""
    rider = Rider(write)
    db.session.connection()
    db.session.info.setdefault(RIDERS, []).append(rider)
    return rider


def take_riders(orm_session) -> list[Rider]:
    """The riders waiting for a step (CaseSession.save sends them in its batch); none are left behind."""
    return orm_session.info.pop(RIDERS, [])


def load_case(instance_id: str, connection: Raw | None = None) -> CaseRow | None:
    row = _SELECT_CASE.first(connection or Raw(), {"id": instance_id})
    return CaseRow(*row) if row is not None else None


def load_state(instance_id: str, connection: Raw | None = None) -> bytes | None:
    row = _SELECT_STATE.first(connection or Raw(), {"id": instance_id})
    return row[0] if row is not None else None


def load_task_and_case(task_id: str, connection: Raw | None = None) -> tuple[TaskRow | None, CaseRow | None]:
    row = _SELECT_TASK_AND_CASE.first(connection or Raw(), {"id": task_id})
    if row is None:
        return None, None
    split = len(_TASK_COLUMNS)
    return TaskRow(*row[:split]), CaseRow(*row[split:])


# Statements are built once: building them per call costs more than running them.
# Status and next timer are indexed: an UPDATE that sets them rewrites their index entries even when the
# value is the same, so each step sets them only when they change (one statement per combination).
_ALWAYS = ("state", "lock_version", "updated_at", "active_elements", "variables", "incident", "completed_at")
_INDEXED = ("status", "next_timer_due_at")
_STEP_COLUMNS = _ALWAYS + _INDEXED


def _update_case(columns) -> Prepared:
    return Prepared(
        sa.update(INSTANCES)
        .where(INSTANCES.c.id == sa.bindparam("match_id"), INSTANCES.c.lock_version == sa.bindparam("match_version"))
        .values({name: sa.bindparam(name, type_=INSTANCES.c[name].type) for name in columns})
    )


_UPDATE_CASE = {(status, timer): _update_case(_ALWAYS + (("status",) if status else ()) + (("next_timer_due_at",) if timer else ()))
                for status in (False, True) for timer in (False, True)}
_CLOSE_TASK = Prepared(
    sa.update(TASKS).where(TASKS.c.id == sa.bindparam("match_id"))
    .values(status=sa.bindparam("new_status"), completed_at=sa.bindparam("at", type_=TASKS.c.completed_at.type),
            completed_by=sa.bindparam("by"))
)
_DELETE_SUBSCRIPTION = Prepared(sa.delete(SUBSCRIPTIONS).where(
    SUBSCRIPTIONS.c.instance_id == sa.bindparam("match_instance"),
    SUBSCRIPTIONS.c.task_id == sa.bindparam("match_task"),
    SUBSCRIPTIONS.c.message_name == sa.bindparam("match_message"),
))


def _insert(table: sa.Table, columns) -> Prepared:
    """An INSERT of every row with the same columns (rows give each; missing ones are None)."""
    return Prepared(sa.insert(table).values({name: sa.bindparam(name, type_=table.c[name].type) for name in columns}))


_TASK_INSERT_COLUMNS = ("id", "instance_id", "process_id", "element_id", "name", "lane", "candidate_groups",
                        "assignee", "municipality_code", "form_key", "form_file_id", "due_at", "status",
                        "created_at", "claimed_at", "completed_at", "completed_by")
_INSERT_TASK = _insert(TASKS, _TASK_INSERT_COLUMNS)
_INSERT_CANDIDATE = _insert(CANDIDATES, ("task_id", "group_name"))
_SUBSCRIPTION_COLUMNS = ("instance_id", "task_id", "element_id", "message_name", "correlation_key", "created_at")
_INSERT_SUBSCRIPTION = _insert(SUBSCRIPTIONS, _SUBSCRIPTION_COLUMNS)
_AUDIT_COLUMNS = ("instance_id", "at", "actor", "event", "element_id", "element_name", "task_id", "data_keys",
                  "details")
_INSERT_AUDIT = _insert(AUDIT, _AUDIT_COLUMNS)


def _complete(rows: list[dict], columns) -> list[dict]:
    return [{name: row.get(name) for name in columns} for row in rows]


_INSERT_CASE: dict[tuple, Prepared] = {}
_INSERT_CASE_KEY = _insert(CaseKey.__table__, ("owner_id", "kek_id", "wrapped", "created_at"))


class StepWriter:
    """Writes one step of one case on one connection (the session's, inside its transaction).

    Use inside `batch()`: on PostgreSQL the step's statements then travel as one round trip, and whether
    the case was still current (`case_was_current`) is known when the batch has ended."""

    def __init__(self, connection: Raw | None = None):
        self.connection = connection or Raw()
        self._update = None

    def batch(self):
        return self.connection.batch()

    def insert_case(self, values: dict) -> None:
        columns = tuple(sorted(values))
        statement = _INSERT_CASE.get(columns)
        if statement is None:
            statement = _INSERT_CASE[columns] = _insert(INSTANCES, columns)
        statement.send(self.connection, values)

    def insert_case_key(self, row: dict) -> None:
        _INSERT_CASE_KEY.send(self.connection, row)

    def update_case(self, instance_id: str, expected_version: int, values: dict, unchanged=()) -> None:
        """The optimistic-lock save (see `case_was_current`). `unchanged`: indexed columns (status,
        next_timer_due_at) known to keep their value, left out of the UPDATE."""
        status, timer = "status" not in unchanged, "next_timer_due_at" not in unchanged
        params = {name: values[name] for name in _ALWAYS}
        if status:
            params["status"] = values["status"]
        if timer:
            params["next_timer_due_at"] = values["next_timer_due_at"]
        params.update(match_id=instance_id, match_version=expected_version)
        self._update = _UPDATE_CASE[status, timer].send(self.connection, params, self.connection.driver.cursor())

    def case_was_current(self) -> bool:
        """After the batch: whether the UPDATE found the case at the version this step started from (False:
        another request saved it first)."""
        return self._update is None or self._update.rowcount == 1

    def close_tasks(self, task_ids: list, status: str, at, completed_by: str | None = None) -> None:
        if task_ids:
            _CLOSE_TASK.executemany(self.connection, [{"match_id": task_id, "new_status": status, "at": at,
                                                       "by": completed_by} for task_id in task_ids])

    def open_tasks(self, rows: list[dict], candidates: list[dict]) -> None:
        """Rows for newly ready tasks. Engine task ids are fresh UUIDs for every activation (loops create new
        tasks), so a ready task never has a row yet; a feature that resets a case to an earlier task must
        delete the rows of the tasks it resets."""
        _INSERT_TASK.executemany(self.connection, rows)  # rows of plan_human_tasks carry every column
        _INSERT_CANDIDATE.executemany(self.connection, candidates)

    def delete_subscriptions(self, instance_id: str, keys: list[tuple]) -> None:
        _DELETE_SUBSCRIPTION.executemany(self.connection, [
            {"match_instance": instance_id, "match_task": task_id, "match_message": message_name}
            for task_id, message_name in keys])

    def insert_subscriptions(self, rows: list[dict]) -> None:
        now = utcnow()
        _INSERT_SUBSCRIPTION.executemany(self.connection, [{**row, "created_at": row.get("created_at") or now}
                                                           for row in _complete(rows, _SUBSCRIPTION_COLUMNS)])

    def insert_audit(self, rows: list[dict]) -> None:
        _INSERT_AUDIT.executemany(self.connection, rows)  # CaseSession._write_audit gives every column
