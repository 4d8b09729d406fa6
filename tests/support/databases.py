"""Real test databases: a migrated SQLite file per test, or a private PostgreSQL schema truncated per test.

`VB_TEST_BACKEND=postgresql` (set by `make test` when TEST_DATABASE_URL is given) selects PostgreSQL.
"""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa

BACKEND = os.environ.get("VB_TEST_BACKEND", "sqlite")
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _psycopg_url(url: str) -> str:
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def migrate(url: str) -> None:
    from engine import create_app

    create_app({"SQLALCHEMY_DATABASE_URI": url, "VB_AUTO_MIGRATE": True})


class SqliteDatabases:
    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.template = workdir / "template.sqlite3"
        migrate(f"sqlite:///{self.template}")

    def fresh(self) -> str:
        path = self.workdir / f"case-{secrets.token_hex(6)}.sqlite3"
        shutil.copyfile(self.template, path)
        return f"sqlite:///{path}"

    def close(self) -> None:
        pass


class PostgresDatabases:
    def __init__(self, workdir: Path):
        self.schema = f"vbtest_{os.getpid()}_{secrets.token_hex(3)}"
        self.admin_url = _psycopg_url(TEST_DATABASE_URL)
        self.admin = sa.create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{self.schema}"')
        separator = "&" if "?" in self.admin_url else "?"
        self.url = f"{self.admin_url}{separator}options={quote('-csearch_path=' + self.schema)}"
        migrate(self.url)
        with self.admin.connect() as conn:
            rows = conn.exec_driver_sql(
                "SELECT tablename FROM pg_tables WHERE schemaname = %s AND tablename <> 'alembic_version'",
                (self.schema,),
            ).all()
        self.tables = [r[0] for r in rows]

    def fresh(self) -> str:
        with self.admin.connect() as conn:
            names = ", ".join(f'"{self.schema}"."{t}"' for t in self.tables)
            conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        return self.url

    def close(self) -> None:
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{self.schema}" CASCADE')
        self.admin.dispose()


def make_databases(workdir: Path):
    return PostgresDatabases(workdir) if BACKEND == "postgresql" else SqliteDatabases(workdir)
