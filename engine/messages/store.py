"""The SQL of message subscriptions in a case step, and the locked read of a case for a message: run on the
step's connection, in its batch (see `engine.instances.store`)."""

from __future__ import annotations

import sqlalchemy as sa

from ..instances.store import CASE_COLUMNS, INSTANCES, TOUCH_CASE_BY_KEY, CaseRow, complete_rows, insert_statement
from ..db.prepared import Prepared, Raw
from ..core.timeutil import utcnow
from .models import MessageSubscription

SUBSCRIPTIONS = MessageSubscription.__table__

_DELETE_SUBSCRIPTION = Prepared(
    sa.delete(SUBSCRIPTIONS).where(
        SUBSCRIPTIONS.c.instance_id == sa.bindparam("match_instance"),
        SUBSCRIPTIONS.c.task_id == sa.bindparam("match_task"),
        SUBSCRIPTIONS.c.message_name == sa.bindparam("match_message"),
    )
)
_SUBSCRIPTION_COLUMNS = ("instance_id", "task_id", "element_id", "message_name", "correlation_key", "created_at")
_INSERT_SUBSCRIPTION = insert_statement(SUBSCRIPTIONS, _SUBSCRIPTION_COLUMNS)

_WAITS_FOR = sa.exists().where(
    SUBSCRIPTIONS.c.message_name == sa.bindparam("message"),
    SUBSCRIPTIONS.c.correlation_key == sa.bindparam("key"),
    SUBSCRIPTIONS.c.instance_id == INSTANCES.c.id,
)
_LOCK_CASE_BY_KEY = Prepared(  # FOR UPDATE is left out on SQLite (the UPDATE above took the lock)
    sa.select(*CASE_COLUMNS, _WAITS_FOR.label("waits"))
    .where(INSTANCES.c.business_key == sa.bindparam("key"))
    .with_for_update(of=INSTANCES)
)


def delete_subscriptions(connection: Raw, instance_id: str, keys: list[tuple]) -> None:
    _DELETE_SUBSCRIPTION.executemany(
        connection,
        [
            {"match_instance": instance_id, "match_task": task_id, "match_message": message_name}
            for task_id, message_name in keys
        ],
    )


def insert_subscriptions(connection: Raw, rows: list[dict]) -> None:
    now = utcnow()
    _INSERT_SUBSCRIPTION.executemany(
        connection,
        [{**row, "created_at": row.get("created_at") or now} for row in complete_rows(rows, _SUBSCRIPTION_COLUMNS)],
    )


def lock_case_for_message(
    business_key: str, message_name: str, connection: Raw | None = None
) -> tuple[CaseRow | None, bool]:
    """The case with this business key, locked and freshly read, and whether it waits for the message (a
    subscription under this key); (None, False) if no case has the key. One statement on PostgreSQL."""
    connection = connection or Raw()
    if connection.dialect.name == "sqlite":
        TOUCH_CASE_BY_KEY.execute(connection, {"key": business_key})
    return _locked_case(_LOCK_CASE_BY_KEY.first(connection, {"key": business_key, "message": message_name}))


def send_lock_case_for_message(business_key: str, message_name: str, connection: Raw):
    """`lock_case_for_message` sent in a batch (`Raw.batch`); returns a function that gives its answer once
    the batch has ended. The lock is taken where the statement stands in the batch."""
    if connection.dialect.name == "sqlite":
        TOUCH_CASE_BY_KEY.execute(connection, {"key": business_key})
    cursor = _LOCK_CASE_BY_KEY.send(
        connection, {"key": business_key, "message": message_name}, connection.driver.cursor()
    )

    def answer() -> tuple[CaseRow | None, bool]:
        rows = _LOCK_CASE_BY_KEY.sent_rows(connection, cursor)
        return _locked_case(rows[0] if rows else None)

    return answer


def _locked_case(row) -> tuple[CaseRow | None, bool]:
    if row is None:
        return None, False
    return CaseRow(*row[:-1]), bool(row[-1])
