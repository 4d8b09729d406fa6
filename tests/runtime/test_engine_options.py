"""Connection pool settings follow the database: a server database is pinged at checkout, a file is not."""
from __future__ import annotations

from engine import create_app


def test_sqlite_connections_are_not_pinged(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'a.sqlite3'}", "VB_AUTO_MIGRATE": False})
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is False


def test_postgresql_connections_are_pinged_at_checkout():
    app = create_app({"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://postgres@127.0.0.1:5432/test",
                      "VB_AUTO_MIGRATE": False})
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True
