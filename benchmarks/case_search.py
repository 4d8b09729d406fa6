"""How long a case search takes (`engine.search.service.find_cases`, as `/cases` and the API run it), at
100,000 cases.

The benchmark writes the rows a search reads directly: N cases of the threat response over four years in
342 municipalities (a tenth of them in the viewer's municipality), with their titles, one task each (a
fifth still open, at one of four steps) with its candidate group, and the figures row that holds the office
holder's role. It then runs each search a number of times for three viewers (a gemeente user, who sees one
municipality; a police user, who sees the cases the police took part in; the administrator, who sees all)
and prints the median and the 95th percentile of each, for the first page of 25 with its total (a total
with + is where the count stopped: more than 1,000), and the load average before and after.

    .venv/bin/python -m benchmarks.case_search --cases 100000                      # SQLite file in a temporary folder
    .venv/bin/python -m benchmarks.case_search --cases 100000 \\
        --database-url postgresql://postgres@127.0.0.1:5432/test            # in a schema of its own, dropped after
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
import uuid
from datetime import datetime, timedelta, timezone

from benchmarks.report import _url

ROLES = ("burgemeester", "wethouder", "raadslid")
STEPS = ("triage", "threat_assessment", "cost_decision", "case_closure")
WORDS = ("Dreigbrief", "Bedreiging", "Intimidatie", "Online haat", "Belaging", "Vernieling")
PLACES = ("gemeentehuis", "woning", "sociale media", "raadsvergadering", "markt", "sportclub")
VIEWER_MUNICIPALITY = "GM0668"


def _rows(n: int, version_id: int, seed: int = 11):
    rng = random.Random(seed)
    others = [f"GM{code:04d}" for code in rng.sample(range(1, 2000), 341) if f"GM{code:04d}" != VIEWER_MUNICIPALITY]
    for i in range(n):
        started = datetime(2023, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=rng.randrange(4 * 365 * 86400))
        municipality = VIEWER_MUNICIPALITY if i % 10 == 0 else rng.choice(others)
        case_id = str(uuid.UUID(int=rng.getrandbits(128)))
        open_task = rng.random() < 0.2
        status = "running" if open_task or rng.random() < 0.1 else "completed"
        key = f"VB-{started.year}-{i:06d}"
        task_id = str(uuid.UUID(int=rng.getrandbits(128)))
        step = rng.choice(STEPS) if open_task else "triage"
        group = "politie" if step == "threat_assessment" or rng.random() < 0.3 else "gemeente"
        yield (
            {
                "id": case_id,
                "process_version_id": version_id,
                "process_id": "threat_response",
                "business_key": key,
                "municipality_code": municipality,
                "status": status,
                "lock_version": 1,
                "started_by": "bench",
                "started_at": started,
                "updated_at": started,
                "title": f"{rng.choice(WORDS)} {rng.choice(PLACES)}",
                "active_elements": [step] if open_task else [],
            },
            {
                "id": task_id,
                "instance_id": case_id,
                "process_id": "threat_response",
                "element_id": step,
                "name": step,
                "candidate_groups": [group],
                "municipality_code": municipality,
                "priority": 50,
                "status": "open" if open_task else "completed",
                "created_at": started,
            },
            {"task_id": task_id, "instance_id": case_id, "group_name": group},
            {
                "process_id": "threat_response",
                "year": started.year,
                "instance_id": case_id,
                "month": started.month,
                "municipality_code": municipality,
                "started_at": started,
                "closed": status == "completed",
                "office_holder_role": rng.choice(ROLES),
            },
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    url, schema = _url(args)
    admin = None
    if schema:
        import sqlalchemy as sa

        admin = sa.create_engine(url.split("?options=")[0].split("&options=")[0])
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        _run(url, args)
    finally:
        if admin is not None:
            with admin.begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')


def _write(db, n: int) -> None:
    from engine.app.cli import deploy_folders
    from engine.definitions.models import ProcessVersion
    from engine.instances.models import ProcessInstance
    from engine.reporting.models import CaseFigures
    from engine.instances.task_rows import HumanTask, TaskCandidate
    from tests.support.api import PROJECT

    deploy_folders([PROJECT / "processes", PROJECT / "forms"], actor="bench")
    version_id = db.session.scalar(db.select(ProcessVersion.id).where(ProcessVersion.process_id == "threat_response"))
    tables = [ProcessInstance.__table__, HumanTask.__table__, TaskCandidate.__table__, CaseFigures.__table__]
    batches = [[] for _ in tables]
    for rows in _rows(n, version_id):
        for batch, row in zip(batches, rows):
            batch.append(row)
        if len(batches[0]) == 5000:
            for table, batch in zip(tables, batches):
                db.session.execute(table.insert(), batch)
                batch.clear()
    for table, batch in zip(tables, batches):
        if batch:
            db.session.execute(table.insert(), batch)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        # what autovacuum does to a table after so many inserts: statistics and the visibility map, without
        # which no index-only scan skips the table
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in tables:
                conn.exec_driver_sql(f"VACUUM ANALYZE {table.name}")
    else:
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()


def _searches(month_start):
    return [
        ("first page, no filter", {}),
        ("part of a case number", {"text": "000417"}),
        ("a word of the title", {"text": "gemeentehuis"}),
        ("office holder: burgemeester", {"office_holder_role": "burgemeester"}),
        ("open task at a step", {"open_task": "cost_decision"}),
        ("one month opened", {"started_from": month_start, "started_before": month_start + timedelta(days=31)}),
        ("running, oldest first", {"status": "running", "sort": "started_at"}),
        (
            "word + period + status",
            {
                "text": "dreigbrief",
                "status": "running",
                "started_from": month_start,
                "started_before": month_start + timedelta(days=92),
            },
        ),
    ]


def _run(url: str, args) -> None:
    from engine import create_app
    from engine.db.extensions import db
    from engine.identity.actor import Actor
    from engine.search.service import find_cases

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "VB_AUTO_MIGRATE": True,
            "VB_DEMO": True,
            "SECRET_KEY": "bench",
            "TESTING": True,
        }
    )
    with app.app_context():
        started = time.perf_counter()
        _write(db, args.cases)
        print(
            f"{db.engine.dialect.name}: {args.cases:,} cases written in {time.perf_counter() - started:.1f} s; "
            f"{args.runs} runs per search, first page of 25 with its total"
        )
        viewers = {
            "gemeente": Actor("gemeente.westbetuwe", frozenset({"gemeente"}), VIEWER_MUNICIPALITY),
            "politie": Actor("politie", frozenset({"politie"})),
            "beheerder": Actor("beheerder", frozenset({"beheerder"})),
        }
        worst = 0.0
        print(f"load average {_load()} before")
        print(f"{'search':32} " + "  ".join(f"{name:>22}" for name in viewers))
        for label, criteria in _searches(datetime(2025, 3, 1, tzinfo=timezone.utc)):
            cells = []
            for actor in viewers.values():
                times, total, exact = [], 0, True
                for _ in range(args.runs):
                    t0 = time.perf_counter()
                    _, total, exact = find_cases(actor, limit=25, offset=0, **criteria)
                    times.append((time.perf_counter() - t0) * 1000)
                    db.session.rollback()
                times.sort()
                p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
                worst = max(worst, p95)
                cells.append(f"{statistics.median(times):6.1f} / {p95:6.1f} ms ({total:>5}{' ' if exact else '+'})")
            print(f"{label:32} " + "  ".join(f"{cell:>22}" for cell in cells))
        print(
            f"median / p95 (matches); the slowest p95: {worst:.1f} ms (goal: under 100 ms); "
            f"load average {_load()} after"
        )


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


if __name__ == "__main__":
    main()
