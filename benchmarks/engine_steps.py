"""Per-completion cost of the engine host against a bare SpiffWorkflow floor, measured in one run.

    .venv/bin/python -m benchmarks.engine_steps [--cases 60] [--long-steps 550]

Floor: the same user-task completions on a bare in-memory SpiffWorkflow (default script engine), each
followed by serializing the state (the library's converter, spec left out) and one committed write of it
to SQLite (WAL, synchronous=NORMAL: the settings the host uses).
Host: `engine.tasks.service.complete` (authorisation, form validation, engine run, compaction, derived rows,
audit, optimistic-lock save, commit) on a SQLite file, one app context per completion as in a request.
Long case: per-completion cost after 500 completed steps against the first steps of the same case.
Encryption: the host as it runs (state and variables sealed with the case's AES-256-GCM key) against the same
host with the sealing step left out (plain bytes written, which the loader reads as rows from before
encryption), in interleaved rounds of the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from .plain_sealing import PlainSealing

MODELS = Path(__file__).resolve().parent / "models"
FORM_DATA = {"note": "Contact gehad met de wethouder", "amount": 1250}


def floor_run(cases: int, workdir: Path) -> list[float]:
    from SpiffWorkflow.bpmn import BpmnWorkflow
    from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
    from SpiffWorkflow.camunda.parser import CamundaParser
    from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG
    from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask
    from SpiffWorkflow.util.task import TaskState

    parser = CamundaParser()
    parser.add_bpmn_file(str(MODELS / "bench_ten_steps.bpmn"))
    spec = parser.get_spec("bench_ten_steps")
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(CAMUNDA_CONFIG))
    connection = sqlite3.connect(workdir / "floor.sqlite3", isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("CREATE TABLE IF NOT EXISTS state (id INTEGER PRIMARY KEY, lock INTEGER, body TEXT)")
    timings = []
    for case in range(cases):
        workflow = BpmnWorkflow(spec)
        workflow.do_engine_steps()
        connection.execute("INSERT OR REPLACE INTO state VALUES (?, 1, ?)", (case, "{}"))
        while True:
            ready = workflow.get_tasks(state=TaskState.READY, spec_class=UserTask)
            if not ready:
                break
            start = time.perf_counter()
            task = ready[0]
            task.data.update(FORM_DATA)
            task.run()
            workflow.do_engine_steps()
            state = serializer.to_dict(workflow)
            state.pop("spec")
            state.pop("subprocess_specs")
            body = json.dumps(state)
            connection.execute("BEGIN")
            connection.execute("UPDATE state SET body = ?, lock = lock + 1 WHERE id = ?", (body, case))
            connection.execute("COMMIT")
            timings.append(time.perf_counter() - start)
    connection.close()
    return timings


def _host(workdir: Path):
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'host.sqlite3'}"
    from engine import create_app
    from engine.app.cli import deploy_folders
    from engine.demo.users import seed_demo

    app = create_app({"VB_DEMO": True})
    with app.app_context():
        seed_demo()
        deploy_folders([MODELS], actor="bench")
    return app


def host_run(app, cases: int) -> list[float]:
    import sqlalchemy as sa

    from engine.db.extensions import db
    from engine.identity.actor import Actor
    from engine.identity.service import get_user
    from engine.cases.service import start_case
    from engine.instances.task_rows import OPEN, HumanTask
    from engine.tasks.service import complete

    with app.app_context():
        actor = Actor.for_user(get_user("gemeente.westbetuwe"))
        ids = [start_case("bench_ten_steps", {"municipality_code": "GM0668"}, actor).id for _ in range(cases)]
    timings = []
    for instance_id in ids:
        while True:
            with app.app_context():
                task_id = db.session.scalar(
                    sa.select(HumanTask.id).where(HumanTask.instance_id == instance_id, HumanTask.status == OPEN)
                )
            if task_id is None:
                break
            start = time.perf_counter()
            with app.app_context():
                complete(task_id, dict(FORM_DATA), actor)
            timings.append(time.perf_counter() - start)
    return timings


def long_case(app, steps: int) -> tuple[list[float], list[float]]:
    import sqlalchemy as sa

    from engine.db.extensions import db
    from engine.identity.actor import Actor
    from engine.identity.service import get_user
    from engine.cases.service import start_case
    from engine.instances.task_rows import OPEN, HumanTask
    from engine.tasks.service import complete

    with app.app_context():
        actor = Actor.for_user(get_user("gemeente.westbetuwe"))
        instance_id = start_case("bench_loop", {"municipality_code": "GM0668", "limit": steps + 10}, actor).id
    timings = []
    for _ in range(steps):
        with app.app_context():
            task_id = db.session.scalar(
                sa.select(HumanTask.id).where(HumanTask.instance_id == instance_id, HumanTask.status == OPEN)
            )
        start = time.perf_counter()
        with app.app_context():
            complete(task_id, dict(FORM_DATA), actor)
        timings.append(time.perf_counter() - start)
    return timings[:50], timings[500:550]


def ms(values) -> str:
    return f"median {statistics.median(values) * 1000:.2f} ms, mean {statistics.fmean(values) * 1000:.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=60)
    parser.add_argument("--long-steps", type=int, default=550)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        app = _host(workdir)
        floor_run(5, workdir)  # warm-up: imports, caches
        host_run(app, 5)
        floor, host, plain = [], [], []
        for _ in range(3):  # interleaved rounds, so load on the machine hits all alike
            floor += floor_run(args.cases // 3, workdir)
            host += host_run(app, args.cases // 3)
            with PlainSealing():
                plain += host_run(app, args.cases // 3)
        ratio = statistics.median(host) / statistics.median(floor)
        sealing = statistics.median(host) / statistics.median(plain)
        print(f"completions: floor {len(floor)}, host {len(host)}, host without encryption {len(plain)}")
        print(f"floor (bare SpiffWorkflow + serialize + SQLite commit): {ms(floor)}")
        print(f"host  (service layer, SQLite, case data sealed):        {ms(host)}")
        print(f"host  without encryption (same run):                    {ms(plain)}")
        print(f"ratio host/floor (medians): {ratio:.2f}x   target <= 2.0x")
        print(f"ratio encrypted/unencrypted host (medians): {sealing:.3f}x   target <= 1.1x")
        early, late = long_case(app, args.long_steps)
        growth = statistics.median(late) / statistics.median(early)
        print(f"long case: steps 1-50 {ms(early)}; steps 501-550 {ms(late)}")
        print(f"ratio after 500 steps / fresh (medians): {growth:.2f}x   target <= 1.3x")


if __name__ == "__main__":
    main()
