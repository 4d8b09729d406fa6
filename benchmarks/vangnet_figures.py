"""How long the year figures of the vangnet evaluation take, directly and from a diagram script.

A diagram script runs under the sandbox's time limit (VB_SCRIPT_TIME_LIMIT, default 1 s), and the line tracer
that enforces it also slows down every Python line the host runs for the script. This prints, for growing
numbers of cases in one year, the time of `year_figures` called directly and called from a script, and the
ratio between them (measured in the same run); and, for comparison, the same function called from a script
not as a host function, so under the line tracer.

Cases: one real threat case is driven through the REST API to its end; its case variables (and its triage
task row) are then copied N times, with varied roles, categories and amounts, as cases reported in 2025.

    .venv/bin/python -m benchmarks.vangnet_figures            # SQLite file in a temporary folder
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python -m benchmarks.vangnet_figures
"""

from __future__ import annotations

import copy
import os
import random
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone

SIZES = (250, 1000, 4000, 10000)
ROLES = ("burgemeester", "wethouder", "raadslid", "commissielid")
CATEGORIES = ("bedreiging", "intimidatie", "belaging", "online_haat", "agressie_geweld")


def _app():
    from engine import create_app

    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp(prefix='vb-bench-')}/bench.sqlite3"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "VB_AUTO_MIGRATE": True,
            "VB_DEMO": True,
            "SECRET_KEY": "bench",
            "TESTING": True,
        }
    )


def _template_case(app) -> tuple[str, dict]:
    """Drive one eligible threat case to its end and return (its id, its variables)."""
    from engine.app.cli import deploy_folders
    from engine.core.config import PROJECT_ROOT
    from engine.demo.users import seed_demo
    from tests.scenarios.flow import TRIAGE, Team, assessment, cost_decision
    from tests.support.api import Api

    with app.app_context():
        seed_demo()
        deploy_folders([PROJECT_ROOT / "processes", PROJECT_ROOT / "forms"], actor="bench")
    api = Api(app.test_client())
    team = Team(api.login)
    case = team.start_threat()
    cid = case["id"]
    team.do(team.gemeente, cid, "triage", TRIAGE)
    team.no_aangifte(cid)
    team.no_support(cid)
    team.do(team.politie, cid, "threat_assessment", assessment())
    team.do(team.gemeente, cid, "cost_decision", cost_decision())
    team.do(team.bzk, cid, "judge_burden", {"burden_judgement": "onevenredig", "burden_motivation": "Ja."})
    team.do(
        team.gemeente,
        cid,
        "submit_application",
        {
            "requested_measures": [{"measure": "alarm_opvolging", "amount": 30_000}],
            "advice_reference": "A",
            "municipal_budget": 90_000_000,
            "application_date": "2026-12-01",
        },
    )
    team.do(
        team.bzk,
        cid,
        "decide_compensation",
        {
            "compensation_decision": "toegekend",
            "granted_amount": 30_000,
            "decision_date": "2026-12-10",
            "decision_reference": "B",
            "decision_motivation": "Ja.",
        },
    )
    team.do(team.gemeente, cid, "receive_decision", {"decision_received_on": "2026-12-11"})
    team.do(team.gemeente, cid, "close_case", {"closure_summary": "Klaar.", "closed_on": "2026-12-12"})
    return cid, team.variables(cid)


def _copy_cases(template_id: str, variables: dict, count: int, rng: random.Random) -> None:
    import sqlalchemy as sa

    from engine.db.extensions import db
    from engine.instances.models import ProcessInstance
    from engine.instances.task_rows import HumanTask

    source = db.session.get(ProcessInstance, template_id)
    start = datetime(2025, 1, 1, 8, tzinfo=timezone.utc)
    instances, tasks = [], []
    for _ in range(count):
        data = copy.deepcopy(variables)
        data.update(
            office_holder_role=rng.choice(ROLES),
            incident_category=rng.choice(CATEGORIES),
            estimated_costs=rng.randint(1_000, 90_000),
            requested_amount=rng.randint(1_000, 90_000),
            granted_amount=rng.randint(0, 90_000),
            compensation_decision=rng.choice(("toegekend", "gedeeltelijk", "afgewezen")),
        )
        started = start + timedelta(minutes=rng.randint(0, 360 * 24 * 60))
        instance_id = str(uuid.uuid4())
        instances.append(
            dict(
                id=instance_id,
                process_version_id=source.process_version_id,
                process_id="threat_response",
                business_key=f"BENCH-{instance_id[:18]}",
                municipality_code="GM0668",
                status="completed",
                lock_version=1,
                started_by="bench",
                started_at=started,
                updated_at=started,
                title="bench",
                active_elements=[],
                completed_at=started + timedelta(days=rng.randint(5, 90)),
                variables=data,
                state=None,
            )
        )
        tasks.append(
            dict(
                id=str(uuid.uuid4()),
                instance_id=instance_id,
                process_id="threat_response",
                element_id="triage",
                name="Triage",
                candidate_groups=["gemeente"],
                status="completed",
                created_at=started,
                completed_at=started + timedelta(hours=rng.randint(1, 48)),
            )
        )
    db.session.execute(sa.insert(ProcessInstance), instances)
    db.session.execute(sa.insert(HumanTask), tasks)
    db.session.commit()


def _time(call, repeat=3) -> float:
    best = None
    for _ in range(repeat):
        began = time.perf_counter()
        call()
        took = time.perf_counter() - began
        best = took if best is None or took < best else best
    return best


def main() -> None:
    from engine.db.extensions import db
    from engine.reporting.vangnet import year_figures
    from engine.runtime.sandbox import SandboxedScriptEngine

    app = _app()
    template_id, variables = _template_case(app)
    engine = SandboxedScriptEngine(time_limit=600)  # measure, do not stop
    rng = random.Random(7)
    total = 0
    print(f"database: {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}")
    print(f"{'cases':>6} {'direct (s)':>11} {'from a script (s)':>18} {'ratio':>6} {'traced (s)':>11} {'ratio':>6}")
    with app.app_context():
        for size in SIZES:
            _copy_cases(template_id, variables, size - total, rng)
            total = size
            direct = _time(lambda: year_figures(2025))
            scripted = _time(lambda: engine.environment.evaluate("vangnet_year_figures(2025)", {}))
            # The same function without the host_function wrapper: what every line under the sandbox tracer costs.
            traced = _time(lambda: engine.environment.evaluate("figures(2025)", {}, {"figures": year_figures}), 1)
            assert year_figures(2025)["cases_total"] == size
            print(
                f"{size:>6} {direct:>11.3f} {scripted:>18.3f} {scripted / direct:>6.1f} {traced:>11.3f} "
                f"{traced / direct:>6.1f}"
            )
            db.session.remove()
    print(f"time limit of a diagram script: {app.config['VB_SCRIPT_TIME_LIMIT']:g} s")


if __name__ == "__main__":
    main()
