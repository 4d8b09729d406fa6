"""Serve the app for `make run`: gunicorn on 127.0.0.1:$PORT, with the timer scheduler, the outbound
webhook dispatcher and the mail sender beside it.

All run as child processes; Ctrl+C (SIGINT) or SIGTERM stops them all, and when one of them exits the others
are stopped too, so the demo never keeps serving without its timers (or the reverse).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from ..core.config import serve_settings


def _commands(port: str, workers: str) -> dict:
    web = [
        sys.executable,
        "-m",
        "gunicorn",
        "-c",
        "python:engine.app.gunicorn_conf",
        "--preload",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        workers,
        "--threads",
        "4",
        "--access-logfile",
        "-",
        "engine.app.wsgi:app",
    ]
    scheduler = [sys.executable, "-m", "flask", "--app", "engine", "scheduler"]
    dispatcher = [sys.executable, "-m", "flask", "--app", "engine", "webhooks-dispatch"]
    mail = [sys.executable, "-m", "flask", "--app", "engine", "mail-send"]
    return {"web": web, "scheduler": scheduler, "webhook dispatcher": dispatcher, "mail sender": mail}


def _stop_all(children: dict, grace: float = 10.0) -> None:
    for child in children.values():
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for child in children.values():
        try:
            child.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def main() -> int:
    settings = serve_settings()
    port = settings["port"]
    stopping = []

    def _on_signal(signum, _frame):
        stopping.append(signum)

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    children = {name: subprocess.Popen(command) for name, command in _commands(port, settings["workers"]).items()}
    print(
        f"Serving on http://127.0.0.1:{port} with the timer scheduler, webhook dispatcher and mail sender  (Ctrl+C to stop)",
        flush=True,
    )
    exited = None
    try:
        while not stopping and exited is None:
            exited = next((name for name, child in children.items() if child.poll() is not None), None)
            time.sleep(0.2)
    finally:
        _stop_all(children)
    if exited is not None:
        print(f"The {exited} process exited (code {children[exited].returncode}); stopped the others.", flush=True)
        return children[exited].returncode or 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
