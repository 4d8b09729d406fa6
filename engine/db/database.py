"""Database engine settings and migrations."""

from __future__ import annotations

import logging

from flask_migrate import upgrade as alembic_upgrade
from sqlalchemy import event

from . import pool_liveness
from .extensions import db

log = logging.getLogger(__name__)


def configure_engine(app) -> None:
    """PostgreSQL: pooled connections checked at checkout (engine/db/pool_liveness.py). SQLite: WAL journal, a
    busy timeout instead of instant 'database is locked', foreign keys on."""
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "postgresql":
            app.extensions["vb_pool_liveness"] = pool_liveness.install(engine, app.config["VB_DB_PING_IDLE_SECONDS"])
            return
        if engine.dialect.name != "sqlite":
            return

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA busy_timeout={int(app.config['VB_SQLITE_BUSY_TIMEOUT_MS'])}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()


def upgrade(app) -> None:
    """Apply every Alembic migration (idempotent). Several processes may start at once: on PostgreSQL an
    advisory lock makes them take turns."""
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "postgresql":
            with engine.connect() as connection:
                connection.exec_driver_sql("SELECT pg_advisory_lock(727001)")
                try:
                    alembic_upgrade(directory=app.extensions["migrate"].directory)
                finally:
                    connection.exec_driver_sql("SELECT pg_advisory_unlock(727001)")
                    connection.commit()
        else:
            alembic_upgrade(directory=app.extensions["migrate"].directory)
        # Connections opened here must not be inherited by forked workers (gunicorn --preload).
        engine.dispose()
