"""Prepared statements on the driver's cursor behave as SQLAlchemy would, in the session's transaction
(on SQLite and, in the PostgreSQL pass, on PostgreSQL)."""

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from engine.db.extensions import db
from engine.instances.models import AuditEvent
from engine.db.prepared import Prepared, Raw

AUDIT = AuditEvent.__table__
INSERT = Prepared(
    sa.insert(AUDIT).values(
        {
            name: sa.bindparam(name, type_=AUDIT.c[name].type)
            for name in (
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
        }
    )
)
SELECT = Prepared(
    sa.select(AUDIT.c.event, AUDIT.c.at, AUDIT.c.data_keys, AUDIT.c.details)
    .where(AUDIT.c.instance_id == sa.bindparam("instance"))
    .order_by(AUDIT.c.id)
)
NEWEST = Prepared(
    sa.select(AUDIT.c.event).where(AUDIT.c.instance_id == sa.bindparam("instance")).order_by(AUDIT.c.id.desc()).limit(1)
)
RENAME = Prepared(sa.update(AUDIT).where(AUDIT.c.event == sa.bindparam("old")).values(event=sa.bindparam("new")))
RETURNING = Prepared(
    sa.text(
        "INSERT INTO audit_event (instance_id, at, actor, event, data_keys, details) "
        "VALUES (:instance, :at, 'x', 'text.insert', '[]', '{}') RETURNING id"
    ).bindparams(sa.bindparam("at", type_=AUDIT.c.at.type))
)
AT = datetime(2026, 11, 28, 9, 15, 30, 123456, tzinfo=timezone(timedelta(hours=1)))


def row(event, **extra):
    return {
        "instance_id": "case-1",
        "at": AT,
        "actor": "tester",
        "event": event,
        "element_id": None,
        "element_name": None,
        "task_id": None,
        "data_keys": ["a", "b"],
        "details": {"n": 1, "nested": [True]},
        **extra,
    }


def test_values_are_written_and_read_as_sqlalchemy_does(app):
    with app.app_context():
        INSERT.executemany(Raw(), [row("one"), row("two")])
        db.session.commit()
        rows = SELECT.all(Raw(), {"instance": "case-1"})
        assert rows == [
            ("one", AT, ["a", "b"], {"n": 1, "nested": [True]}),
            ("two", AT, ["a", "b"], {"n": 1, "nested": [True]}),
        ]
        assert rows[0][1].tzinfo is not None and rows[0][1].utcoffset() == timedelta(0)
        orm = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.instance_id == "case-1")).all()
        assert [(e.event, e.at, e.data_keys, e.details) for e in orm] == rows


def test_a_limit_carried_by_the_statement_and_a_rowcount(app):
    with app.app_context():
        INSERT.executemany(Raw(), [row("one"), row("two"), row("two")])
        assert NEWEST.first(Raw(), {"instance": "case-1"}) == ("two",)
        assert NEWEST.first(Raw(), {"instance": "nobody"}) is None
        assert RENAME.execute(Raw(), {"old": "two", "new": "three"}) == 2
        db.session.commit()


def test_a_text_statement_returns_its_rows(app):
    with app.app_context():
        first = RETURNING.first(Raw(), {"instance": "case-2", "at": AT})
        second = RETURNING.first(Raw(), {"instance": "case-2", "at": AT})
        db.session.commit()  # SQLite refuses to commit while a RETURNING statement has rows left
        assert isinstance(first[0], int) and second[0] > first[0]


def test_statements_share_the_sessions_transaction(app):
    with app.app_context():
        INSERT.executemany(Raw(), [row("kept")])
        db.session.commit()
        INSERT.executemany(Raw(), [row("rolled back")])
        db.session.add(AuditEvent(instance_id="case-1", actor="orm", event="orm too", data_keys=[], details={}))
        db.session.flush()
        assert [r[0] for r in SELECT.all(Raw(), {"instance": "case-1"})] == ["kept", "rolled back", "orm too"]
        db.session.rollback()
        assert [r[0] for r in SELECT.all(Raw(), {"instance": "case-1"})] == ["kept"]


CANDIDATE = Prepared(
    sa.insert(
        sa.table("task_candidate", sa.column("task_id"), sa.column("instance_id"), sa.column("group_name"))
    ).values(task_id=sa.bindparam("task"), instance_id="case-1", group_name=sa.bindparam("group"))
)


def test_driver_errors_are_sqlalchemy_errors(app):
    """Callers handle a constraint violation the same way whichever way the statement ran."""
    with app.app_context():
        with pytest.raises(sa.exc.IntegrityError):  # no such task: the foreign key refuses it
            CANDIDATE.executemany(Raw(), [{"task": "no-such-task", "group": "gemeente"}])
        db.session.rollback()


def test_a_batch_tells_the_rowcount_after_it_ended(app):
    with app.app_context():
        INSERT.executemany(Raw(), [row("one")])
        db.session.commit()
        connection = Raw()
        with connection.batch():
            hit = RENAME.send(connection, {"old": "one", "new": "uno"}, connection.driver.cursor())
            miss = RENAME.send(connection, {"old": "nothing", "new": "x"}, connection.driver.cursor())
            INSERT.executemany(connection, [row("two"), row("three")])
        assert (hit.rowcount, miss.rowcount) == (1, 0)
        db.session.commit()
        assert [r[0] for r in SELECT.all(Raw(), {"instance": "case-1"})] == ["uno", "two", "three"]


def test_an_error_in_a_batch_is_a_sqlalchemy_error(app):
    with app.app_context():
        with pytest.raises(sa.exc.IntegrityError):
            connection = Raw()
            with connection.batch():
                INSERT.executemany(connection, [row("kept?")])
                CANDIDATE.executemany(connection, [{"task": "no-such-task", "group": "gemeente"}])
        db.session.rollback()
        assert SELECT.all(Raw(), {"instance": "case-1"}) == []
