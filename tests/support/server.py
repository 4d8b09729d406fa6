"""A real HTTP server for end-to-end tests: gunicorn in a subprocess, on a free port, on the test database."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.support.openapi import checked_session

PROJECT = Path(__file__).resolve().parent.parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    def __init__(self, database_url: str, workers: int = 1, threads: int = 4, env: dict | None = None):
        self.database_url = database_url
        self.workers = workers
        self.threads = threads
        self.extra_env = env or {}
        self.port = free_port()
        self.process = None
        self.log_path = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> LiveServer:
        # VB_DEMO: the tests sign in as the demo users
        env = dict(
            os.environ, DATABASE_URL=self.database_url, SECRET_KEY="live-test-secret", VB_AUTO_MIGRATE="1", VB_DEMO="1"
        )
        env.update(self.extra_env)
        self.log_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"vb-live-{self.port}.log"
        log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "python:engine.app.gunicorn_conf",
                "--preload",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--threads",
                str(self.threads),
                "--graceful-timeout",
                "2",
                "engine.app.wsgi:app",
            ],
            cwd=PROJECT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log_path.read_text()[-3000:]}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("server did not become healthy in time")

    def kill(self) -> None:
        """SIGKILL the whole server (master and workers): no clean shutdown, no finished requests."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def login(self, username: str, password: str = "demo") -> HttpUser:
        response = self.session().post(
            self.url + "/api/v1/auth/token", json={"username": username, "password": password}, timeout=10
        )
        response.raise_for_status()
        return HttpUser(self.url, response.json()["access_token"], self.document())

    def document(self) -> dict:
        """The server's own OpenAPI document: every answer an HttpUser receives is checked against it."""
        if getattr(self, "_document", None) is None:
            self._document = requests.get(self.url + "/api/v1/openapi.json", timeout=30).json()
        return self._document

    def session(self) -> requests.Session:
        """A session without a token (the webhook intake, the token route) whose answers are checked too."""
        return checked_session(requests.Session(), self.document())


class HttpUser:
    def __init__(self, base: str, token: str, document: dict | None = None):
        self.base = base
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"
        if document is not None:
            checked_session(self.session, document)

    def get(self, path, **kwargs):
        return self.session.get(self.base + path, timeout=kwargs.pop("timeout", 30), **kwargs)

    def post(self, path, **kwargs):
        return self.session.post(self.base + path, timeout=kwargs.pop("timeout", 30), **kwargs)
