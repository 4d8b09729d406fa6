"""Timer benchmark: 10,000 waiting cases whose timers fall due within one minute.

    .venv/bin/python -m benchmarks.timers                       # SQLite file in a temporary folder
    .venv/bin/python -m benchmarks.timers --database-url postgresql://postgres@127.0.0.1:5432/test

What it does, with the real `flask --app engine scheduler` process:
1. deploys a diagram whose intermediate timer waits until `fire_at` (case data), then opens a user task;
2. adds FAR cases whose timers fall due in 30 days (rows copied in SQL: they only have to be in the index),
   and measures the scheduler's start-up with no timer due soon;
3. starts CASES real cases whose `fire_at` is spread evenly over one minute, a little later;
4. starts the scheduler again: start-up with CASES timers due; then its CPU time while nothing is due;
5. lets the timers fire and prints the lateness of each firing (audit time of `timer.fired` minus the
   due time): p50, p99, max, and the firing rate.
Figures and the command are recorded in docs/timers.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa

from engine.crypto.keyring import new_key_text

ROOT = Path(__file__).resolve().parent.parent
STARTUP = re.compile(r"acts: (\d+) case timers due until \S+ loaded in ([\d.]+) ms")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=10_000, help="cases whose timers fall due within the spread")
    parser.add_argument("--spread", type=float, default=60.0, help="seconds over which their timers fall due")
    parser.add_argument("--far", type=int, default=100_000, help="cases whose timers fall due in 30 days")
    parser.add_argument("--idle", type=float, default=20.0, help="seconds of idle CPU measurement")
    parser.add_argument("--baseline", type=int, default=300, help="cases fired one by one without the scheduler")
    parser.add_argument("--workers", type=int, default=0, help="VB_TIMER_WORKERS for the scheduler (0: default)")
    parser.add_argument("--processes", type=int, default=0, help="VB_TIMER_PROCESSES for the scheduler (0: threads)")
    parser.add_argument(
        "--database-url",
        default=None,
        help="PostgreSQL URL; a private schema is created and dropped. Default: a SQLite file.",
    )
    return parser.parse_args()


class Database:
    def __init__(self, url: str | None):
        self.schema = None
        self.admin = None
        if url is None:
            self.tmp = tempfile.mkdtemp(prefix="vb-bench-")
            self.url = f"sqlite:///{self.tmp}/bench.sqlite3"
            return
        base = url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url
        self.schema = f"vbbench_{os.getpid()}_{secrets.token_hex(3)}"
        self.admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{self.schema}"')
        separator = "&" if "?" in base else "?"
        self.url = f"{base}{separator}options={quote('-csearch_path=' + self.schema)}"

    def close(self):
        if self.admin is not None:
            with self.admin.connect() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA "{self.schema}" CASCADE')
            self.admin.dispose()


class Scheduler:
    """The `flask --app engine scheduler` command as a child process, with its output collected."""

    def __init__(self, url: str, workers: int, processes: int):
        env = dict(os.environ, DATABASE_URL=url, VB_AUTO_MIGRATE="0", PYTHONUNBUFFERED="1", LOG_LEVEL="INFO")
        if workers:
            env["VB_TIMER_WORKERS"] = str(workers)
        if processes:
            env["VB_TIMER_PROCESSES"] = str(processes)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "engine", "scheduler"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.append(line)

    def startup(self, timeout=300.0) -> tuple[int, float]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.lines:
                match = STARTUP.search(line)
                if match:
                    return int(match.group(1)), float(match.group(2))
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError("The scheduler did not start:\n" + "".join(self.lines[-30:]))

    def cpu_seconds(self, own_only: bool = False) -> float:
        """CPU time of the scheduler and its worker processes (if any), or of the scheduler process alone."""
        pids = [self.process.pid]
        if own_only:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        try:
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
            pids += [int(p) for p in children]
        except OSError:
            pass
        total = 0.0
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> int:
    sys.stdout.reconfigure(line_buffering=True)  # progress shows up when the output goes to a file
    args = parse_args()
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("VB_MASTER_KEY", new_key_text())  # one key for this process and the schedulers it starts
    database = Database(args.database_url)
    try:
        return run(args, database)
    finally:
        database.close()


def run(args, database) -> int:
    from engine import create_app
    from engine.app.cli import deploy_folders
    from engine.db.extensions import db
    from engine.identity.actor import Actor
    from engine.instances.models import AuditEvent, ProcessInstance
    from engine.instances import cache
    from engine.cases.service import fire_timers, start_case

    app = create_app({"SQLALCHEMY_DATABASE_URI": database.url, "VB_AUTO_MIGRATE": True})
    backend = "PostgreSQL" if database.schema else "SQLite"
    mode = f"{args.processes} worker processes" if args.processes else f"threads ({args.workers or 'default'})"
    print(
        f"Timer benchmark on {backend}: {args.cases} cases due within {args.spread:.0f} s, "
        f"{args.far} cases due in 30 days; firing in {mode}; {os.cpu_count()} CPUs; load average {load_average()}"
    )
    actor = Actor.system("benchmark")
    with app.app_context():
        deploy_folders([ROOT / "benchmarks" / "fixtures"], actor="benchmark")

        # A pilot: how fast cases start here, so the real ones are all waiting before the first falls due.
        pilot_count = 100
        began = time.perf_counter()
        far_base = datetime.now(timezone.utc) + timedelta(days=30)
        for i in range(pilot_count):
            start_case(
                "bench_timer",
                {"fire_at": (far_base + timedelta(seconds=i)).isoformat(), "municipality_code": "GM0668"},
                actor,
            )
        per_case = (time.perf_counter() - began) / pilot_count

        # The baseline, in this run and on this machine: firing cases one after the other in one process,
        # without the scheduler (the same call the scheduler makes for each due case).
        baseline_ids = [
            start_case(
                "bench_timer",
                {
                    "fire_at": (datetime.now(timezone.utc) + timedelta(seconds=2)).isoformat(),
                    "municipality_code": "GM0668",
                },
                actor,
            ).id
            for _ in range(args.baseline)
        ]
        cache.clear()
        time.sleep(2.5)
        db.session.remove()
        began, cpu_began = time.perf_counter(), time.process_time()
        for instance_id in baseline_ids:
            with app.app_context():
                fire_timers(instance_id, actor)
        baseline_ms = (time.perf_counter() - began) / max(1, args.baseline) * 1000
        baseline_cpu_ms = (time.process_time() - cpu_began) / max(1, args.baseline) * 1000
        cache.clear()

        template = db.session.execute(sa.select(ProcessInstance.process_version_id)).first()[0]
        now = datetime.now(timezone.utc)
        batch = []
        for i in range(args.far):
            batch.append(
                {
                    "id": str(uuid.uuid4()),
                    "process_version_id": template,
                    "process_id": "bench_timer",
                    "business_key": f"BENCH-FAR-{i}",
                    "municipality_code": "GM0668",
                    "status": "running",
                    "lock_version": 1,
                    "started_by": "benchmark",
                    "started_at": now,
                    "updated_at": now,
                    "next_timer_due_at": far_base + timedelta(seconds=pilot_count + i),
                    "title": "far",
                    "active_elements": ["deadline"],
                    "variables": {},
                }
            )
            if len(batch) == 5_000:
                db.session.execute(sa.insert(ProcessInstance), batch)
                db.session.commit()
                batch = []
        if batch:
            db.session.execute(sa.insert(ProcessInstance), batch)
            db.session.commit()
        total_rows = db.session.scalar(sa.select(sa.func.count()).select_from(ProcessInstance))

    # Start-up with no timer due in the window, whatever the number of cases.
    scheduler = Scheduler(database.url, args.workers, args.processes)
    loaded_none, ms_none = scheduler.startup()
    scheduler.stop()

    creation_estimate = args.cases * per_case * 3 + 60  # generous: other work on the machine slows it down
    base = datetime.now(timezone.utc) + timedelta(seconds=creation_estimate + args.idle + 30)
    step = args.spread / max(1, args.cases - 1)
    print(
        f"Starting {args.cases} cases ({per_case * 1000:.1f} ms each in the pilot); the first falls due at "
        f"{base.isoformat(timespec='seconds')}"
    )
    with app.app_context():
        began = time.perf_counter()
        order = list(range(args.cases))
        import random

        random.Random(7).shuffle(order)  # saved in random order: the scheduler must sort them, not the input
        for i in order:
            start_case(
                "bench_timer",
                {"fire_at": (base + timedelta(seconds=i * step)).isoformat(), "municipality_code": "GM0668"},
                actor,
            )
        created_in = time.perf_counter() - began
    if datetime.now(timezone.utc) > base - timedelta(seconds=args.idle + 15):
        print(
            "INVALID RUN: starting the cases took longer than estimated (a busy machine?), so timers would fall "
            "due before the scheduler runs. Run again."
        )
        return 2

    scheduler = Scheduler(database.url, args.workers, args.processes)
    loaded_due, ms_due = scheduler.startup()
    idle_cpu = None
    if args.idle:
        time.sleep(1.0)  # let start-up work settle
        cpu_before, wall_before = scheduler.cpu_seconds(), time.monotonic()
        time.sleep(args.idle)
        idle_cpu = (scheduler.cpu_seconds() - cpu_before) / (time.monotonic() - wall_before)
    busy_before, own_before = scheduler.cpu_seconds(), scheduler.cpu_seconds(own_only=True)

    with app.app_context():

        def fired_count():
            return db.session.scalar(
                sa.select(sa.func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.event == "timer.fired", AuditEvent.actor == "scheduler")
            )

        deadline = base + timedelta(seconds=args.spread + 600)
        while fired_count() < args.cases and datetime.now(timezone.utc) < deadline:
            db.session.rollback()
            time.sleep(0.5)
        rows = db.session.execute(
            sa.select(AuditEvent.at, AuditEvent.details).where(
                AuditEvent.event == "timer.fired", AuditEvent.actor == "scheduler", AuditEvent.element_id == "deadline"
            )
        ).all()
    busy_cpu = scheduler.cpu_seconds() - busy_before
    own_cpu = scheduler.cpu_seconds(own_only=True) - own_before
    scheduler.stop()

    lateness = []
    for at, details in rows:
        details = details if isinstance(details, dict) else json.loads(details)
        due = datetime.fromisoformat(details["due_at"])
        at = at if at.tzinfo else at.replace(tzinfo=timezone.utc)
        lateness.append((at - due).total_seconds())
    fired_times = sorted(at if at.tzinfo else at.replace(tzinfo=timezone.utc) for at, _ in rows)
    print()
    print(f"cases in the database                     {total_rows + args.cases}")
    print(f"start-up, 0 timers due of {total_rows:>7} cases     {ms_none:8.1f} ms  ({loaded_none} loaded)")
    print(
        f"start-up, {loaded_due} timers due of {total_rows + args.cases:>7} cases {ms_due:8.1f} ms  "
        f"({ms_due / max(loaded_due, 1) * 1000:.0f} us per timer due)"
    )
    print(f"cases started in                          {created_in:8.1f} s")
    if idle_cpu is not None:
        print(f"idle CPU while nothing is due ({args.idle:.0f} s)       {idle_cpu * 100:8.3f} % of one core")
    needed = args.cases / args.spread
    print(
        f"baseline: one firing, one process, no scheduler {baseline_ms:8.2f} ms  (CPU {baseline_cpu_ms:.2f} ms; "
        f"{1000 / baseline_ms:.0f} per s; needed here: {needed:.0f} per s)"
    )
    print(f"timers fired                              {len(lateness):8d} of {args.cases}")
    if lateness:
        span = (fired_times[-1] - fired_times[0]).total_seconds()
        print(f"lateness min                              {min(lateness) * 1000:8.1f} ms")
        print(f"lateness p50                              {statistics.median(lateness) * 1000:8.1f} ms")
        print(f"lateness p99                              {percentile(lateness, 0.99) * 1000:8.1f} ms")
        print(f"lateness max                              {max(lateness) * 1000:8.1f} ms")
        rate = len(lateness) / max(span, 1e-9)
        print(
            f"firing rate                               {rate:8.1f} per s "
            f"(CPU {busy_cpu:.1f} s for {len(lateness)} firings: {busy_cpu / len(lateness) * 1000:.2f} ms each)"
        )
        print(f"CPU per firing / baseline CPU per firing  {busy_cpu / len(lateness) * 1000 / baseline_cpu_ms:8.2f}")
        if args.processes:
            print(f"scheduler bookkeeping (its own process)   {own_cpu / len(lateness) * 1000:8.2f} ms CPU per firing")
    print(f"load average after                        {load_average()}")
    return 0 if len(lateness) == args.cases else 1


if __name__ == "__main__":
    sys.exit(main())
