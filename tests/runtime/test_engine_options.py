"""Connection pool settings follow the database: pooled PostgreSQL connections are checked at checkout
(engine/db/pool_liveness.py), an SQLite file has no connection to lose."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from engine import create_app
from engine.db.extensions import db

POSTGRESQL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def test_sqlite_connections_are_not_checked(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'a.sqlite3'}", "VB_AUTO_MIGRATE": False})
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is False
    assert "vb_pool_liveness" not in app.extensions


@pytest.fixture
def pg_app():
    app = create_app({"SQLALCHEMY_DATABASE_URI": POSTGRESQL, "VB_AUTO_MIGRATE": False, "VB_DB_PING_IDLE_SECONDS": 0.5})
    yield app
    with app.app_context():
        db.engine.dispose()


def _backend_pid(app) -> int:
    with app.app_context():
        pid = db.session.scalar(sa.text("SELECT pg_backend_pid()"))
        db.session.commit()
        return pid


def _terminate(pid: int) -> None:
    admin = sa.create_engine(POSTGRESQL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        assert conn.scalar(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}) is True
    admin.dispose()


@pytest.mark.postgresql_only
def test_a_connection_reused_at_once_is_not_pinged(pg_app):
    check = pg_app.extensions["vb_pool_liveness"]
    first = _backend_pid(pg_app)
    assert [_backend_pid(pg_app) for _ in range(5)] == [first] * 5  # the same pooled connection
    assert check.pings == 0


@pytest.mark.postgresql_only
def test_a_connection_the_server_ended_is_replaced_without_a_failed_request(pg_app):
    check = pg_app.extensions["vb_pool_liveness"]
    first = _backend_pid(pg_app)
    _terminate(first)  # as a server restart does to every connection: a FATAL message, then the socket closes
    time.sleep(0.2)
    second = _backend_pid(pg_app)  # no error: the dead connection was noticed at checkout and replaced
    assert second != first
    assert check.pings == 1
    assert _backend_pid(pg_app) == second and check.pings == 1


@pytest.mark.postgresql_only
def test_a_connection_idle_for_long_is_pinged(pg_app):
    check = pg_app.extensions["vb_pool_liveness"]
    first = _backend_pid(pg_app)
    time.sleep(0.6)  # longer than VB_DB_PING_IDLE_SECONDS
    assert _backend_pid(pg_app) == first
    assert check.pings == 1
