"""Correlation time with 100,000 waiting message subscriptions.

    .venv/bin/python -m benchmarks.webhooks_correlation --backend postgresql

200 real cases of the threat_response stand-in wait for `aangifte_geregistreerd`. Measured twice in the same
run, first with only them waiting (the baseline), then after filling the subscription table to
--subscriptions rows (filler cases: rows only, each with one subscription for the same message):
  lookup   find the waiting case for a message name + business key (the indexed subscription table),
           next to the cost of any query at that moment (SELECT 1 through the same session)
  deliver  the whole correlation in the service layer: lock the case, check the index, load the case,
           catch the message, run the engine, save, commit (as an inbound webhook does, without HTTP)
  sealing  the same deliveries with the case data sealed as it runs, and with the sealing left out, interleaved
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
import uuid

import sqlalchemy as sa

from .plain_sealing import PlainSealing
from .webhooks_setup import BenchDatabase, load

MESSAGE = "aangifte_geregistreerd"
REAL_CASES = 200


def _percentiles(samples: list) -> str:
    ordered = sorted(samples)
    p = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return (
        f"median {statistics.median(ordered) * 1000:.3f} ms, p95 {p(0.95) * 1000:.3f} ms, p99 {p(0.99) * 1000:.3f} ms"
    )


def measure_lookups(keys: list, rounds: int) -> list:
    from engine.db.extensions import db
    from engine.messages.service import find_waiting

    samples = []
    for key in random.Random(1).choices(keys, k=rounds):
        began = time.perf_counter()
        found = find_waiting(MESSAGE, key)
        samples.append(time.perf_counter() - began)
        assert len(found) == 1, (key, found)
        db.session.rollback()
    return samples


def measure_round_trips(rounds: int) -> list:
    """SELECT 1 through the same session: what any query costs on this machine right now."""
    from engine.db.extensions import db

    samples = []
    for _ in range(rounds):
        began = time.perf_counter()
        db.session.execute(sa.text("SELECT 1")).scalar()
        samples.append(time.perf_counter() - began)
        db.session.rollback()
    return samples


def measure_deliveries(keys: list) -> list:
    from datetime import timedelta

    from engine.db.extensions import db
    from engine.identity.actor import Actor
    from engine.messages.service import CORRELATED, correlate_or_buffer

    actor = Actor.system("webhook:politie")
    samples = []
    for i, key in enumerate(keys):
        began = time.perf_counter()
        outcome, _ = correlate_or_buffer(
            MESSAGE, key, {"police_registration_number": f"PL-{i}"}, actor, timedelta(days=1)
        )
        db.session.commit()
        samples.append(time.perf_counter() - began)
        assert outcome == CORRELATED, (key, outcome)
    return samples


def fill(total: int, template_id: str) -> int:
    """Filler cases with one subscription each, copied from a real waiting case's row, in batches."""
    from engine.db.extensions import db
    from engine.instances.models import ProcessInstance
    from engine.messages.models import MessageSubscription

    real = db.session.get(ProcessInstance, template_id)
    existing = db.session.scalar(sa.select(sa.func.count()).select_from(MessageSubscription))
    missing = max(0, total - existing)
    batch = 5000
    for start in range(0, missing, batch):
        cases, subscriptions = [], []
        for n in range(start, min(missing, start + batch)):
            case_id = str(uuid.uuid4())
            cases.append(
                {
                    "id": case_id,
                    "process_version_id": real.process_version_id,
                    "process_id": real.process_id,
                    "business_key": f"VB-FILL-{n:07d}",
                    "municipality_code": "GM0668",
                    "status": "running",
                    "lock_version": 1,
                    "started_by": "benchmark",
                    "started_at": real.started_at,
                    "updated_at": real.updated_at,
                    "title": "filler",
                    "active_elements": ["wait_aangifte"],
                    "variables": None,
                    "state": None,
                }
            )
            subscriptions.append(
                {
                    "instance_id": case_id,
                    "task_id": str(uuid.uuid4()),
                    "element_id": "wait_aangifte",
                    "message_name": MESSAGE,
                    "correlation_key": f"VB-FILL-{n:07d}",
                    "created_at": real.started_at,
                }
            )
        db.session.execute(sa.insert(ProcessInstance), cases)
        db.session.execute(sa.insert(MessageSubscription), subscriptions)
        db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("ANALYZE process_instance"))
        db.session.execute(sa.text("ANALYZE message_subscription"))
    else:
        db.session.execute(sa.text("ANALYZE"))
    db.session.commit()
    return db.session.scalar(sa.select(sa.func.count()).select_from(MessageSubscription))


def plan(key: str) -> str:
    from engine.db.extensions import db
    from engine.messages.models import MessageSubscription

    query = sa.select(MessageSubscription).where(
        MessageSubscription.message_name == MESSAGE, MessageSubscription.correlation_key == key
    )
    compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
    prefix = "EXPLAIN QUERY PLAN " if db.engine.dialect.name == "sqlite" else "EXPLAIN "
    rows = db.session.execute(sa.text(prefix + str(compiled))).all()
    return " | ".join(str(r[-1]) for r in rows)


def bench(backend: str, total: int, lookups: int, deliveries: int) -> None:
    from engine.db.extensions import db
    from engine.identity.actor import Actor
    from engine.cases.service import start_case

    database = BenchDatabase(backend)
    try:
        app = database.prepare()
        with app.app_context():
            print(f"[{backend}] {load()}", flush=True)
            actor = Actor.system("benchmark")
            real = [
                start_case("threat_response", {"municipality_code": "GM0668"}, actor, use_start_form=False)
                for _ in range(REAL_CASES)
            ]
            keys = [c.business_key for c in real]
            template = real[0].id
            count = db.session.scalar(sa.text("SELECT count(*) FROM message_subscription"))
            print(f"  round trip (SELECT 1): {_percentiles(measure_round_trips(lookups))}", flush=True)
            small_lookup = measure_lookups(keys, lookups)
            small_deliver = measure_deliveries(keys[:deliveries])
            print(f"  {count:>7} waiting: lookup {_percentiles(small_lookup)}", flush=True)
            print(f"  {count:>7} waiting: deliver {_percentiles(small_deliver)}", flush=True)
            sealed, plain = [], []  # the same deliveries with and without encryption at rest, interleaved
            spare = keys[2 * deliveries :]
            for start in range(0, len(spare) - 9, 20):
                sealed += measure_deliveries(spare[start : start + 10])
                with PlainSealing():
                    plain += measure_deliveries(spare[start + 10 : start + 20])
            print(
                f"  deliver with case data sealed {_percentiles(sealed)}; without encryption "
                f"{_percentiles(plain)}: ratio (medians) {statistics.median(sealed) / statistics.median(plain):.3f}"
                "   target <= 1.1",
                flush=True,
            )

            began = time.perf_counter()
            count = fill(total, template)
            print(f"  (filled to {count} subscriptions in {time.perf_counter() - began:.0f} s)", flush=True)
            remaining = keys[deliveries : 2 * deliveries]  # still waiting: the sealing comparison used the rest
            big_keys = remaining + [
                f"VB-FILL-{n:07d}" for n in random.Random(2).sample(range(count - REAL_CASES), 2000)
            ]
            print(f"  round trip (SELECT 1): {_percentiles(measure_round_trips(lookups))}", flush=True)
            big_lookup = measure_lookups(big_keys, lookups)
            big_deliver = measure_deliveries(remaining[:deliveries])
            print(f"  {count:>7} waiting: lookup {_percentiles(big_lookup)}", flush=True)
            print(f"  {count:>7} waiting: deliver {_percentiles(big_deliver)}", flush=True)
            print(
                f"  ratio at {count} / baseline (medians): lookup "
                f"{statistics.median(big_lookup) / statistics.median(small_lookup):.2f}, deliver "
                f"{statistics.median(big_deliver) / statistics.median(small_deliver):.2f}",
                flush=True,
            )
            print(f"  plan: {plan(big_keys[-1])}", flush=True)
            print(f"[{backend}] after: {load()}", flush=True)
            db.session.remove()
            db.engine.dispose()
    finally:
        database.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--subscriptions", type=int, default=100_000)
    parser.add_argument("--lookups", type=int, default=2000)
    parser.add_argument("--deliveries", type=int, default=50)
    args = parser.parse_args()
    for backend in ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]:
        bench(backend, args.subscriptions, args.lookups, args.deliveries)


if __name__ == "__main__":
    main()
