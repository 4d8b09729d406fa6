"""The scheduler as operators run it: `flask --app engine scheduler` as its own process, a standby that
takes over when that process is killed, and `make run`'s launcher that starts and stops it with the web app."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import replace
from datetime import datetime, timezone

import pytest
import requests

from tests.support.api import PROJECT
from tests.timers.conftest import FAST, wait_for

pytestmark = pytest.mark.slow


def _env(database_url, **extra):
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        VB_AUTO_MIGRATE="0",
        VB_TIMER_POLL_SECONDS="0.1",
        VB_TIMER_RETRY_SECONDS="0.3",
        VB_TIMER_HEARTBEAT_SECONDS="0.3",
        PYTHONUNBUFFERED="1",
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


class Output:
    """Collects a child's output lines on a thread (so the pipe never fills and tests can wait for a line)."""

    def __init__(self, process):
        self.lines = []
        self.thread = threading.Thread(target=self._read, args=(process.stdout,), daemon=True)
        self.thread.start()

    def _read(self, stream):
        for line in stream:
            self.lines.append(line)

    def text(self):
        return "".join(self.lines)


def _spawn_scheduler(database_url, **extra):
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "engine", "scheduler"],
        cwd=PROJECT,
        env=_env(database_url, **extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    process.output = Output(process)
    return process


def _stop(process, sig=signal.SIGTERM, timeout=20):
    if process.poll() is None:
        process.send_signal(sig)
    try:
        return process.wait(timeout)
    finally:
        if process.poll() is None:
            process.kill()


def test_the_scheduler_command_fires_a_timer_on_real_time_and_stops_on_sigterm(
    deploy_fixture, as_user, database_url, case_row
):
    deploy_fixture("timers")
    scheduler = _spawn_scheduler(database_url)
    try:
        case = as_user("beheerder").start("wait_duration_variable", {"municipality_code": "GM0668", "wait_for": "PT3S"})
        due = datetime.fromisoformat(case["next_timer_due_at"])
        wait_for(
            lambda: case_row(case["id"]).active_elements == ["after_wait_duration_variable"],
            timeout=30,
            message="the scheduler process to fire",
        )
        fired = datetime.now(timezone.utc)
        assert fired >= due
    finally:
        code = _stop(scheduler)
    scheduler.output.thread.join(5)
    output = scheduler.output.text()
    assert code == 0, output
    assert "Timer scheduler stopped." in output


def test_a_standby_takes_over_when_the_scheduler_process_is_killed(
    deploy_fixture, as_user, database_url, start_scheduler, case_row
):
    deploy_fixture("timers")
    leader = _spawn_scheduler(database_url, VB_TIMER_LEASE_SECONDS=2)
    try:
        wait_for(lambda: " acts: " in leader.output.text(), timeout=60, message="the scheduler process to act")
        standby = start_scheduler(
            "standby", settings=replace(FAST, lease_seconds=2, retry_seconds=0.2), expect_leader=False
        )
        time.sleep(1.5)
        assert leader.poll() is None
        assert not standby.is_leader, "the scheduler process should be the one acting"
        leader.send_signal(signal.SIGKILL)  # no clean release: the lock or lease must fail over by itself
        leader.wait(10)
        assert standby.wait_until_leader(15)
        case = as_user("beheerder").start("wait_duration_variable", {"municipality_code": "GM0668", "wait_for": "PT1S"})
        wait_for(
            lambda: case_row(case["id"]).active_elements == ["after_wait_duration_variable"],
            timeout=20,
            message="the standby to fire",
        )
    finally:
        _stop(leader, signal.SIGKILL)


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as handle:
            return [int(p) for p in handle.read().split()]
    except FileNotFoundError:
        return []


def test_make_run_starts_the_scheduler_beside_the_web_app_and_ctrl_c_stops_both(database_url):
    port = _free_port()
    launcher = subprocess.Popen(
        [sys.executable, "-m", "engine.app.serve"],
        cwd=PROJECT,
        env=_env(database_url, PORT=port, WEB_CONCURRENCY=1),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:

        def healthy():
            try:
                return requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
            except requests.RequestException:
                return False

        wait_for(healthy, timeout=60, interval=0.3, message="the web app")
        children = _children(launcher.pid)
        commands = [open(f"/proc/{c}/cmdline").read().replace("\0", " ") for c in children]
        assert any("gunicorn" in c for c in commands) and any("scheduler" in c for c in commands), commands
        launcher.send_signal(signal.SIGINT)
        assert launcher.wait(30) == 0
        for child in children:
            assert not os.path.exists(f"/proc/{child}") or "zombie" in open(f"/proc/{child}/status").read().lower()
    finally:
        _stop(launcher, signal.SIGKILL)


def test_worker_processes_fire_each_timer_once(deploy_fixture, as_user, database_url, case_row, audit_count):
    deploy_fixture("timers")
    admin = as_user("beheerder")
    scheduler = _spawn_scheduler(database_url, VB_TIMER_PROCESSES=2)
    try:
        wait_for(lambda: " acts: " in scheduler.output.text(), timeout=60, message="the scheduler process to act")
        cases = [
            admin.start("wait_duration_variable", {"municipality_code": "GM0668", "wait_for": "PT2S"})["id"]
            for _ in range(12)
        ]
        for instance_id in cases:
            wait_for(
                lambda i=instance_id: case_row(i).active_elements == ["after_wait_duration_variable"],
                timeout=60,
                message="a worker process to fire",
            )
        assert [audit_count(i, "timer.fired") for i in cases] == [1] * len(cases)
    finally:
        code = _stop(scheduler)
    assert code == 0, scheduler.output.text()
