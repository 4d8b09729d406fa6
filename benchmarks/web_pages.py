"""Server time of the web app's inbox and case pages with 10,000 open tasks on SQLite or PostgreSQL.

    make bench-web   (or: .venv/bin/python -m benchmarks.web_pages [--cases 10000] [--requests 200]
                                                                [--database FILE | --database-url URL])

Every case is started through the service layer (start_case), so all rows are real: 10,000 cases of the
test process `simple_case` (8,000 of West Betuwe, 2,000 of Amsterdam), 1,000 of them started three days ago
(their triage is overdue), 1,000 triaged with acute danger so the police have a task, and 100 claimed.
That leaves 10,000 open tasks. Each page is then requested through Flask's test client as a signed-in
user (the whole request: session, policy, queries, templates), after a warm-up, and the median, 95th
percentile and maximum are printed, next to two baselines measured in the same run: /healthz (one
trivial query) and the REST API's task list (50 tasks, JSON) for the same user.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import re
import statistics
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def _percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def build(app, cases: int) -> dict:
    import sqlalchemy as sa
    import time_machine

    from engine.app.cli import deploy_folders
    from engine.demo.users import seed_demo
    from engine.db.extensions import db
    from engine.identity.actor import Actor
    from engine.identity.service import get_user
    from engine.cases.service import start_case
    from engine.tasks import service as tasks
    from engine.instances.task_rows import HumanTask

    with app.app_context():
        seed_demo()
        deploy_folders([PROJECT / "tests" / "fixtures" / "basic"], actor="bench")
        west = Actor.for_user(get_user("gemeente.westbetuwe"))
        amsterdam = Actor.for_user(get_user("gemeente.amsterdam"))
        started = time.perf_counter()
        ids = []
        overdue = cases // 10
        with time_machine.travel(datetime.now(timezone.utc) - timedelta(days=3), tick=True):
            for n in range(overdue):
                ids.append(
                    start_case("simple_case", {"summary": f"melding {n}", "municipality_code": "GM0668"}, west).id
                )
        for n in range(overdue, cases):
            actor, code = (amsterdam, "GM0363") if n % 5 == 0 else (west, "GM0668")
            ids.append(start_case("simple_case", {"summary": f"melding {n}", "municipality_code": code}, actor).id)
        start_seconds = time.perf_counter() - started
        # Triage 10% with acute danger: the police get a task of their own.
        triaged = ids[overdue : overdue + cases // 10]
        for instance_id in triaged:
            task_id = db.session.scalar(sa.select(HumanTask.id).where(HumanTask.instance_id == instance_id))
            task = db.session.get(HumanTask, task_id)
            actor = amsterdam if task.municipality_code == "GM0363" else west
            tasks.complete(task_id, {"acute_danger": True, "category": "bedreiging"}, actor)
        for task_id in db.session.scalars(
            sa.select(HumanTask.id)
            .where(
                HumanTask.status == "open", HumanTask.municipality_code == "GM0668", HumanTask.element_id == "triage"
            )
            .limit(100)
        ):
            tasks.claim(task_id, west)
        open_tasks = db.session.scalar(
            sa.select(sa.func.count()).select_from(HumanTask).where(HumanTask.status == "open")
        )
        sample_tasks = list(
            db.session.scalars(
                sa.select(HumanTask.id)
                # the gemeente's own tasks: the police's task of a triaged case is not for its task page
                .where(
                    HumanTask.status == "open",
                    HumanTask.municipality_code == "GM0668",
                    HumanTask.element_id == "triage",
                )
                .limit(500)
            )
        )
    return {
        "ids": ids,
        "triaged": triaged,
        "open_tasks": open_tasks,
        "start_seconds": start_seconds,
        "tasks": sample_tasks,
    }


def existing(app) -> dict:
    """The ids the measurements need, from a database built by an earlier run."""
    import sqlalchemy as sa

    from engine.db.extensions import db
    from engine.instances.models import ProcessInstance
    from engine.instances.task_rows import HumanTask

    with app.app_context():
        ids = list(db.session.scalars(sa.select(ProcessInstance.id).order_by(ProcessInstance.started_at)))
        triaged = list(
            db.session.scalars(
                sa.select(HumanTask.instance_id).where(
                    HumanTask.element_id == "police_check", HumanTask.status == "open"
                )
            )
        )
        open_tasks = db.session.scalar(
            sa.select(sa.func.count()).select_from(HumanTask).where(HumanTask.status == "open")
        )
        sample = list(
            db.session.scalars(
                sa.select(HumanTask.id)
                # the gemeente's own tasks: the police's task of a triaged case is not for its task page
                .where(
                    HumanTask.status == "open",
                    HumanTask.municipality_code == "GM0668",
                    HumanTask.element_id == "triage",
                )
                .limit(500)
            )
        )
    return {"ids": ids, "triaged": triaged, "open_tasks": open_tasks, "start_seconds": 0.0, "tasks": sample}


def signed_in(app, username):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"username": username, "password": "demo", "csrf_token": token})
    assert response.status_code == 302, "sign-in failed"
    return client


def api_client(app, username):
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"username": username, "password": "demo"}).get_json()[
        "access_token"
    ]
    return client, {"Authorization": f"Bearer {token}"}


def measure(name, request, count, warmup=20) -> dict:
    for _ in range(warmup):
        request()
    times = []
    for _ in range(count):
        started = time.perf_counter()
        response = request()
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (name, response.status_code)
    return {"name": name, "p50": statistics.median(times), "p95": _percentile(times, 0.95), "max": max(times)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument(
        "--database", type=Path, help="a SQLite file: built there when missing, reused (not rebuilt) when it exists"
    )
    parser.add_argument(
        "--database-url", default=None, help="PostgreSQL: built in a schema of its own, dropped at the end"
    )
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)
    if args.database_url:
        from .webhooks_setup import BenchDatabase

        os.environ["BENCH_DATABASE_URL"] = args.database_url
        database = BenchDatabase("postgresql")
        try:
            print(f"Building {args.cases} cases on PostgreSQL ...", flush=True)
            app = database.app()
            data = build(app, args.cases)
            print(f"  {args.cases} cases started through the service layer in {data['start_seconds']:.1f} s.")
            with app.app_context():
                from engine.db.extensions import db

                # as autovacuum does soon after such a load: statistics, and the visibility map that lets the
                # inbox's counts read the index alone
                with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                    connection.exec_driver_sql("VACUUM ANALYZE")
            return report(app, data, args, "PostgreSQL")
        finally:
            database.close()

    from engine import create_app

    path = args.database or Path(tempfile.mkdtemp(prefix="vb-bench-web-")) / "bench.sqlite3"
    reuse = path.exists()
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path.resolve()}", "VB_DEMO": True, "SECRET_KEY": "bench"})
    if reuse:
        print(f"Reusing {path} ...", flush=True)
        data = existing(app)
    else:
        print(f"Building {args.cases} cases in {path} ...", flush=True)
        data = build(app, args.cases)
        print(f"  {args.cases} cases started through the service layer in {data['start_seconds']:.1f} s.")
    return report(app, data, args, "SQLite")


def report(app, data: dict, args, backend: str) -> int:
    print(
        f"  {data['open_tasks']} open tasks; load average of this machine: "
        + ", ".join(f"{x:.1f}" for x in os.getloadavg()),
        flush=True,
    )

    random.seed(1)
    gemeente = signed_in(app, "gemeente.westbetuwe")
    politie = signed_in(app, "politie")
    api, headers = api_client(app, "gemeente.westbetuwe")
    triaged, task_ids = data["triaged"], data["tasks"]
    with app.app_context():
        import sqlalchemy as sa

        from engine.db.extensions import db
        from engine.instances.models import ProcessInstance

        west_cases = list(
            db.session.scalars(sa.select(ProcessInstance.id).where(ProcessInstance.municipality_code == "GM0668"))
        )
    n = args.requests
    signature = gemeente.get("/inbox/updates.json").get_json()["signature"]
    rows = [
        measure("baseline: GET /healthz", lambda: gemeente.get("/healthz"), n),
        measure("baseline: API GET /api/v1/tasks (50, JSON)", lambda: api.get("/api/v1/tasks", headers=headers), n),
        measure("inbox, gemeente (8,000 visible tasks)", lambda: gemeente.get("/"), n),
        measure("inbox, overdue only, latest first", lambda: gemeente.get("/?due=overdue&sort=-due"), n),
        measure("inbox, page 40 of 160", lambda: gemeente.get("/?sort=oldest&page=40"), n),
        measure(
            "inbox refresh (JSON, nothing changed)",
            lambda: gemeente.get(f"/inbox/updates.json?signature={signature}"),
            n,
        ),
        measure(
            "inbox refresh (JSON, changed: with the new list)",
            lambda: gemeente.get("/inbox/updates.json?signature=outdated"),
            n,
        ),
        measure("inbox, politie, one municipality", lambda: politie.get("/?municipality=GM0668"), n),
        measure("case page (open case)", lambda: gemeente.get(f"/cases/{random.choice(west_cases)}"), n),
        measure("case page (triaged case)", lambda: politie.get(f"/cases/{random.choice(triaged)}"), n),
        measure("task page", lambda: gemeente.get(f"/tasks/{random.choice(task_ids)}"), n),
    ]
    baseline = rows[0]["p50"]
    print(f"\n{n} requests per page after 20 warm-up requests, server time in ms (Flask test client, {backend}):\n")
    print("| page | p50 | p95 | max | p50 / healthz |")
    print("|---|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row['name']} | {row['p50']:.1f} | {row['p95']:.1f} | {row['max']:.1f} | {row['p50'] / baseline:.1f}x |"
        )
    print("\nLoad average at the end: " + ", ".join(f"{x:.1f}" for x in os.getloadavg()))
    slow = [r["name"] for r in rows[2:] if r["p95"] >= 100]
    print("\nTarget p95 < 100 ms: " + ("met for every page." if not slow else f"NOT met for: {', '.join(slow)}"))
    slower = [r["name"] for r in rows[2:] if r["p95"] >= 20]
    print("Goal p95 < 20 ms: " + ("met for every page." if not slower else f"NOT met for: {', '.join(slower)}"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
