"""What the webhook benchmarks share: a throw-away database (SQLite file or PostgreSQL schema), migrated,
with the demo users and the test stand-in of threat_response deployed; secrets; the machine's load."""

from __future__ import annotations

import base64
import os
import secrets
import tempfile
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa

from engine.crypto.keyring import new_key_text

PROJECT = Path(__file__).resolve().parent.parent
FIXTURE = PROJECT / "tests" / "fixtures" / "webhooks"
SECRETS = {
    s: "whsec_" + base64.b64encode(f"benchmark-only-{s}-{'x' * 16}".encode()).decode()
    for s in ("politie", "om", "ivp", "bzk")
}
SECRET_ENV = {f"VB_WEBHOOK_SECRET_{s.upper()}": v for s, v in SECRETS.items()}


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} CPUs"


class BenchDatabase:
    """`backend` is sqlite or postgresql (BENCH_DATABASE_URL, default the local test database)."""

    def __init__(self, backend: str):
        self.backend = backend
        self.workdir = Path(tempfile.mkdtemp(prefix="vb-bench-"))
        if backend == "sqlite":
            self.url = f"sqlite:///{self.workdir / 'bench.sqlite3'}"
            self.admin = None
        else:
            base = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
            base = base.replace("postgresql://", "postgresql+psycopg://", 1)
            self.schema = f"vbbench_{os.getpid()}_{secrets.token_hex(3)}"
            self.admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
            with self.admin.connect() as conn:
                conn.exec_driver_sql(f'CREATE SCHEMA "{self.schema}"')
            separator = "&" if "?" in base else "?"
            self.url = f"{base}{separator}options={quote('-csearch_path=' + self.schema)}"

    def app(self):
        from engine import create_app

        os.environ.update(SECRET_ENV)
        os.environ.setdefault("VB_MASTER_KEY", new_key_text())  # the same key for this process and its servers
        return create_app({"SQLALCHEMY_DATABASE_URI": self.url, "VB_AUTO_MIGRATE": True, "VB_DEMO": True})

    def prepare(self):
        """Migrate, seed the demo users and deploy the fixture; returns the app (for in-process work)."""
        from engine.app.cli import deploy_folders
        from engine.demo.users import seed_demo

        app = self.app()
        with app.app_context():
            seed_demo()
            deploy_folders([FIXTURE], actor="benchmark")
        return app

    def close(self):
        if self.admin is not None:
            with self.admin.connect() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA "{self.schema}" CASCADE')
            self.admin.dispose()
