"""The SQL of one case step, as SQLAlchemy Core statements on the tables.

A step is the hot path of the whole host (every task completion, message and timer goes through it), so its
few statements skip the ORM and SQLAlchemy's execution layer: they are prepared once per dialect and run with
the driver's cursor on the session's connection, in the session's transaction (see `engine.db.prepared`).
Everything else (lists, admin, reports) uses the ORM models.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from ..crypto.models import CaseKey
from ..definitions.models import ProcessVersion
from ..db.prepared import Prepared, Raw
from .models import AuditEvent, ProcessInstance

INSTANCES = ProcessInstance.__table__
AUDIT = AuditEvent.__table__

# Whether any outbound webhook subscription is active: read with the case (one EXISTS on a small table), so
# the many steps of a deployment without subscribers skip the outbox query (webhooks/outbox.py). The table is
# named here, not imported: the case layer imports no domain (tests/runtime/test_layers.py holds this name
# and column to webhooks.models.OutboundSubscription).
_OUTBOUND = sa.table("webhook_subscription", sa.column("active", sa.Boolean))
_OUTBOX_ACTIVE = sa.exists().where(_OUTBOUND.c.active.is_(True)).label("outbox_active")
CASE_COLUMNS = (
    INSTANCES.c.id,
    INSTANCES.c.process_version_id,
    INSTANCES.c.process_id,
    INSTANCES.c.business_key,
    INSTANCES.c.municipality_code,
    INSTANCES.c.status,
    INSTANCES.c.lock_version,
    INSTANCES.c.incident,
    INSTANCES.c.started_by,
    INSTANCES.c.status.label("loaded_status"),
    INSTANCES.c.next_timer_due_at,
    _OUTBOX_ACTIVE,
)
_SELECT_CASE = Prepared(sa.select(*CASE_COLUMNS).where(INSTANCES.c.id == sa.bindparam("id")))
_SELECT_STATE = Prepared(sa.select(INSTANCES.c.state).where(INSTANCES.c.id == sa.bindparam("id")))


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


# Locking a case for the rest of the transaction. PostgreSQL: a row lock. SQLite has no row locks, and its
# reads outside a write transaction may miss a commit that lands just after them: a no-op UPDATE takes the
# database write lock first.
_TOUCH_CASE = Prepared(
    sa.update(INSTANCES).where(INSTANCES.c.id == sa.bindparam("id")).values(lock_version=INSTANCES.c.lock_version)
)
_LOCK_CASE = Prepared(sa.select(INSTANCES.c.id).where(INSTANCES.c.id == sa.bindparam("id")).with_for_update())
TOUCH_CASE_BY_KEY = Prepared(
    sa.update(INSTANCES)
    .where(INSTANCES.c.business_key == sa.bindparam("key"))
    .values(lock_version=INSTANCES.c.lock_version)
)


_VERSIONS = ProcessVersion.__table__
_LATEST_VERSION = Prepared(
    sa.select(_VERSIONS.c.id, _OUTBOX_ACTIVE)
    .where(_VERSIONS.c.process_id == sa.bindparam("process_id"))
    .order_by(_VERSIONS.c.version.desc())
    .limit(1)
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


class Rider:
    """A write that goes out in the batch of one case step, handed to that step's save by its caller (e.g. the
    outcome of the webhook delivery that starts or moves the case: one round trip less on PostgreSQL).
    `write(writer, case)` is called inside the batch; afterwards `case` is the CaseRow of that step, or None if
    the step was never saved (then the caller writes itself)."""

    __slots__ = ("write", "case")

    def __init__(self, write):
        self.write, self.case = write, None


def load_case(instance_id: str, connection: Raw | None = None) -> CaseRow | None:
    row = _SELECT_CASE.first(connection or Raw(), {"id": instance_id})
    return CaseRow(*row) if row is not None else None


def load_state(instance_id: str, connection: Raw | None = None) -> bytes | None:
    row = _SELECT_STATE.first(connection or Raw(), {"id": instance_id})
    return row[0] if row is not None else None


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


_UPDATE_CASE = {
    (status, timer): _update_case(_ALWAYS + (("status",) if status else ()) + (("next_timer_due_at",) if timer else ()))
    for status in (False, True)
    for timer in (False, True)
}


def insert_statement(table: sa.Table, columns) -> Prepared:
    """An INSERT of every row with the same columns (rows give each; missing ones are None)."""
    return Prepared(sa.insert(table).values({name: sa.bindparam(name, type_=table.c[name].type) for name in columns}))


_AUDIT_COLUMNS = (
    "instance_id",
    "at",
    "actor",
    "event",
    "element_id",
    "element_name",
    "task_id",
    "data_keys",
    "details",
)
_INSERT_AUDIT = insert_statement(AUDIT, _AUDIT_COLUMNS)


def complete_rows(rows: list[dict], columns) -> list[dict]:
    return [{name: row.get(name) for name in columns} for row in rows]


_INSERT_CASE: dict[tuple, Prepared] = {}
_INSERT_CASE_KEY = insert_statement(CaseKey.__table__, ("owner_id", "kek_id", "wrapped", "created_at"))


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
            statement = _INSERT_CASE[columns] = insert_statement(INSTANCES, columns)
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

    def insert_audit(self, rows: list[dict]) -> None:
        _INSERT_AUDIT.executemany(self.connection, rows)  # CaseSession._write_audit gives every column
