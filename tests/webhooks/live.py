"""The app under gunicorn in a subprocess, on a free port, with its own database; and the dispatcher worker."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import requests

from tests.support.api import PROJECT
from tests.support.openapi import checked_session


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(database_url: str, extra: dict | None = None) -> dict:
    env = dict(os.environ)
    # VB_DEMO: the tests sign in as the demo users, which only the demo accepts
    env.update(
        {
            "DATABASE_URL": database_url,
            "VB_AUTO_MIGRATE": "0",
            "SECRET_KEY": "live-test-secret",
            "VB_DEMO": "1",
            "LOG_LEVEL": "WARNING",
        }
    )
    env.update(extra or {})
    return env


class Process:
    def __init__(self, args: list, env: dict, log_path):
        self.log_path = log_path
        self.log = open(log_path, "wb")
        self.proc = subprocess.Popen(args, cwd=PROJECT, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def output(self) -> str:
        self.log.flush()
        return open(self.log_path, encoding="utf-8", errors="replace").read()[-5000:]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


class LiveServer(Process):
    def __init__(self, database_url: str, log_path, workers: int = 2, threads: int = 4, extra_env: dict | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        args = [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "python:engine.app.gunicorn_conf",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--graceful-timeout",
            "5",
            "engine.app.wsgi:app",
        ]
        super().__init__(args, server_env(database_url, extra_env), log_path)
        self._wait_ready()
        self._document = None

    def session(self) -> requests.Session:
        """A session whose every answer is checked against the server's own OpenAPI document (mismatches go to
        tests/support/openapi.MISMATCHES, and fail the test that received them)."""
        if self._document is None:
            self._document = requests.get(self.url + "/api/v1/openapi.json", timeout=30).json()
        return checked_session(requests.Session(), self._document)

    def _wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.output()}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer within {timeout} s:\n{self.output()}")


class Dispatcher(Process):
    def __init__(self, database_url: str, log_path, extra_env: dict | None = None):
        args = [sys.executable, "-m", "flask", "--app", "engine", "webhooks-dispatch", "--interval", "0.1"]
        super().__init__(args, server_env(database_url, extra_env), log_path)
