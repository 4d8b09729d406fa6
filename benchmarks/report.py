"""How long one year's report takes (`engine.reporting.figures.report`), at 100,000 cases over ten years.

The report reads only the figures rows (`case_figures`), so the benchmark writes those rows directly: N
threat cases spread evenly over the ten years up to 2026, with varied municipalities, roles, categories,
measures, cost decisions, vangnet checks, applications (with the days they were submitted and decided) and lead
times, and one disruption registration per hundred threat cases. It writes no task rows, so the triage lead
time (a join with `human_task`) is measured over none. It then times the report of 2026 (the year beside the four before it) a few times,
and its CSV and XLSX exports once each.

    .venv/bin/python -m benchmarks.report --cases 100000                      # SQLite file in a temporary folder
    .venv/bin/python -m benchmarks.report --cases 100000 \\
        --database-url postgresql://postgres@127.0.0.1:5432/test            # in a schema of its own, dropped after
"""

from __future__ import annotations

import argparse
import random
import secrets
import statistics
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

YEARS = range(2017, 2027)
ROLES = ("burgemeester", "wethouder", "raadslid")
CATEGORIES = ("bedreiging", "intimidatie", "belaging", "online_haat", "vernieling", "agressie_geweld")
FILING = ("alleen_melding", "onder_nummer", "domiciliekeuze", "werkgever")
LEVELS = ("geen", "voorstelbaar", "concreet")
MEASURES = ("alarm_opvolging", "camera", "pkvw_basis", "persoonsbeveiliging", "raamfolie", "tijdelijke_verhuizing")
REASONS = (
    "threat_concrete_or_conceivable",
    "measures_advised",
    "exceeds_pkvw",
    "costs_borne_by_municipality",
    "disproportionate_burden",
)
DECISIONS = ("toegekend", "gedeeltelijk", "afgewezen")
OM = ("dagvaarding", "beleidssepot", "technisch_sepot", "strafbeschikking")


def _rows(n: int, seed: int = 7):
    rng = random.Random(seed)
    municipalities = [f"GM{code:04d}" for code in rng.sample(range(1, 2000), 342)]
    for i in range(n):
        year = YEARS[i % len(YEARS)]
        started = datetime(year, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=rng.randrange(365 * 86400))
        closed = rng.random() < 0.9
        lead = rng.uniform(3, 120) if closed else None
        advised = rng.random() < 0.5
        borne = rng.choice(("gemeente", "gemeente", "ambtsdrager")) if advised else None
        checked = advised and borne is not None
        eligible = checked and rng.random() < 0.4
        requested = eligible and rng.random() < 0.8
        decision = rng.choice(DECISIONS) if requested and rng.random() < 0.9 else None
        referred = rng.random() < 0.15
        to_decision = rng.uniform(5, 60) if decision else None
        yield {
            "instance_id": str(uuid.UUID(int=rng.getrandbits(128))),
            "process_id": "threat_response",
            "year": year,
            "month": started.month,
            "municipality_code": rng.choice(municipalities),
            "started_at": started,
            "completed_at": started + timedelta(days=lead) if closed else None,
            "closed": closed,
            "report_to_closure_days": lead,
            "office_holder_role": rng.choice(ROLES),
            "incident_category": rng.choice(CATEGORIES),
            "acute_danger": rng.random() < 0.05,
            "aangifte_status": rng.choice(("geregistreerd", "alleen_melding")),
            "aangifte_in_time": rng.random() < 0.7,
            "filing_method": rng.choice(FILING),
            "threat_level": rng.choice(LEVELS),
            "measures_advised": advised,
            "advised_measures": "|" + "|".join(sorted(rng.sample(MEASURES, rng.randint(1, 3)))) + "|"
            if advised
            else None,
            "costs_borne_by": borne,
            "estimated_costs": rng.randrange(1_000, 80_000) if borne else None,
            "compensation_eligible": eligible if checked else None,
            "reason": rng.choice(REASONS) if checked and not eligible else None,
            "burden_judged": checked and rng.random() < 0.6,
            "compensation_requested": requested or None,
            "requested_amount": rng.randrange(2_000, 60_000) if requested else None,
            "compensation_decision": decision,
            "granted_amount": rng.randrange(1_000, 40_000) if decision in ("toegekend", "gedeeltelijk") else None,
            "application_to_decision_days": to_decision,
            "ivp_referred": referred,
            "ivp_first_contact_in_time": referred and rng.random() < 0.9,
            "ivp_contact_escalated": referred and rng.random() < 0.1,
            "vertrouwenslijn_referred": rng.random() < 0.1,
            "art124": None,
            "om_decision": None,
            "case_outcome": None,
            # applied a month after the report, decided after the lead time: some in the next year
            "applied_on": (started + timedelta(days=30)).date() if requested else None,
            "decided_on": (started + timedelta(days=30 + to_decision)).date() if decision else None,
        }
        if i % 100 == 0:
            yield {
                "instance_id": str(uuid.UUID(int=rng.getrandbits(128))),
                "process_id": "democratic_disruption_registration",
                "year": year,
                "month": started.month,
                "municipality_code": rng.choice(municipalities),
                "started_at": started,
                "completed_at": None,
                "closed": False,
                "art124": rng.random() < 0.5,
                "om_decision": rng.choice(OM),
            }


def _url(args) -> tuple[str, str | None]:
    if not args.database_url:
        return f"sqlite:///{tempfile.mkdtemp(prefix='vb-bench-report-')}/bench.sqlite3", None
    url = args.database_url
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    schema = f"vbbench_report_{secrets.token_hex(3)}"
    return url + ("&" if "?" in url else "?") + "options=" + quote(f"-csearch_path={schema}"), schema


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--runs", type=int, default=5)
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


def _run(url: str, args) -> None:
    from engine import create_app
    from engine.db.extensions import db
    from engine.reporting import exports
    from engine.reporting.figures import report
    from engine.reporting.models import CaseFigures

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
        table = CaseFigures.__table__
        columns = [c.name for c in table.columns]
        batch, started = [], time.perf_counter()
        for row in _rows(args.cases):
            batch.append({name: row.get(name) for name in columns})
            if len(batch) == 5000:
                db.session.execute(table.insert(), batch)
                batch = []
        if batch:
            db.session.execute(table.insert(), batch)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(db.text("ANALYZE case_figures"))
            db.session.commit()
        else:
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()
        print(
            f"{db.engine.dialect.name}: {args.cases:,} threat cases over {len(YEARS)} years written in "
            f"{time.perf_counter() - started:.1f} s"
        )
        times = []
        for _ in range(args.runs):
            db.session.expire_all()
            t0 = time.perf_counter()
            figures = report(YEARS[-1])
            times.append(time.perf_counter() - t0)
            db.session.rollback()
        reported = next(r for t in figures["tables"] if t["id"] == "cases" for r in t["rows"] if r["key"] == "reported")
        print(
            f"report {YEARS[-1]} (five years, {len(figures['tables'])} tables; {reported['values'][str(YEARS[-1])]:,} "
            f"cases in {YEARS[-1]}): median {statistics.median(times) * 1000:.0f} ms, "
            f"best {min(times) * 1000:.0f} ms of {args.runs}"
        )
        t0 = time.perf_counter()
        exports.as_csv(figures)
        csv_ms = (time.perf_counter() - t0) * 1000
        t0 = time.perf_counter()
        exports.as_xlsx(figures)
        print(f"exports of the computed report: CSV {csv_ms:.0f} ms, XLSX {(time.perf_counter() - t0) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
