"""Case data at rest (docs/privacy.md): sealed per case, a wrong key opens nothing, rotation, crypto-shredding."""

from __future__ import annotations

import base64
import os
import sqlite3
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
import time_machine

from engine import create_app
from engine.crypto.keyring import KeyringError, key_id
from engine.crypto.models import CaseKey
from engine.db.extensions import db
from engine.instances.models import AuditEvent, ProcessInstance
from engine.reporting.vangnet import year_figures
from engine.retention import service as retention
from engine.core.timeutil import utcnow
from tests.scenarios.flow import Team, assessment
from tests.support.databases import BACKEND, TEST_DATABASE_URL
from tests.web.conftest import WebClient

MARKERS = {
    "home_address": "Markerstraat 7319 Zeerijp",
    "family_details": "Partner Markerina Q. en twee kinderen 5521",
    "incident_description": "Dreigbrief marker-83fd onder de deur",
    "contact_phone": "+31638765421",  # as stored: the form keeps a phone number in E.164
    "advice_reference": "ADV-MARKER-6612",
}


def _new_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def _app(database_url, **config):
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "TESTING": True,
            "VB_DEMO": True,
            "VB_AUTO_MIGRATE": False,
            "SECRET_KEY": "test-secret",
            **config,
        }
    )


def _walk_with_markers(team) -> dict:
    case = team.start_threat(
        family_involved=True,
        family_details=MARKERS["family_details"],
        incident_location="woning",
        home_address=MARKERS["home_address"],
        incident_description=MARKERS["incident_description"],
    )
    case_id = case["id"]
    team.through_triage(case_id)
    team.no_aangifte(case_id)
    team.no_support(case_id)
    # the office holder refers themselves to the IVP: the phone number lives in the IVP's own case
    case["support"] = team.ambtsdrager.start(
        "ivp_support",
        {
            "referred_person": "ambtsdrager",
            "office_holder_role": "wethouder",
            "acute_danger": False,
            "contact_phone": MARKERS["contact_phone"],
            "referral_source": "zelf",
        },
    )
    team.do(
        team.politie, case_id, "threat_assessment", {**assessment(), "advice_reference": MARKERS["advice_reference"]}
    )
    return case


def _database_text(database_url: str, databases) -> bytes:
    """Every byte the database holds: the SQLite file and its WAL (before and after a checkpoint), or a
    pg_dump of the test schema."""
    if BACKEND == "sqlite":
        path = Path(database_url.removeprefix("sqlite:///"))
        wal = path.with_name(path.name + "-wal")
        before = path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
        with sqlite3.connect(path) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return before + path.read_bytes()
    dump = subprocess.run(
        ["pg_dump", "--data-only", f"--schema={databases.schema}", TEST_DATABASE_URL], capture_output=True, check=True
    )
    return dump.stdout


def test_no_sensitive_value_is_stored_readable_and_readers_still_see_them(
    app, as_user, deploy_real, database_url, databases
):
    team = Team(as_user)
    case = _walk_with_markers(team)
    # a message caught by the IVP's case
    team.message(
        "ivp_eerste_contact",
        case["support"]["business_key"],
        {"ivp_first_contact_at": "2026-11-24T09:00", "contact_channel": "video"},
        team.ivp,
    )
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    raw = _database_text(database_url, databases)
    found = [name for name, marker in MARKERS.items() if marker.encode() in raw]
    assert found == [], f"stored readable: {found}"
    # the walk did store them: the gemeente (who may read everything of its case) sees every value
    seen = {**team.gemeente.case(case["id"])["variables"], **team.ambtsdrager.case(case["support"]["id"])["variables"]}
    assert {name: seen.get(name) for name in MARKERS} == MARKERS
    with app.app_context():
        stored = db.session.scalar(sa.select(ProcessInstance.state).where(ProcessInstance.id == case["id"]))
        assert stored[:3] == b"VB1"
        assert db.session.get(CaseKey, case["id"]).kek_id == key_id(base64.b64decode(os.environ["VB_MASTER_KEY"]))


def test_a_wrong_key_opens_nothing_and_says_which_key_is_needed(app, as_user, deploy_real, database_url):
    team = Team(as_user)
    case = team.start_threat()
    team.through_triage(case["id"])
    right = key_id(base64.b64decode(os.environ["VB_MASTER_KEY"]))
    wrong = _app(database_url, VB_MASTER_KEY=_new_key())
    client = wrong.test_client()
    token = client.post("/api/v1/auth/token", json={"username": "gemeente.westbetuwe", "password": "demo"})
    headers = {"Authorization": f"Bearer {token.get_json()['access_token']}"}
    answer = client.get(f"/api/v1/process-instances/{case['id']}", headers=headers)
    assert answer.status_code == 503 and answer.get_json()["code"] == "key_unavailable"
    assert answer.get_json()["needed_key"] == right and right in answer.get_json()["message"]
    page = client.get(f"/api/v1/process-instances/{case['id']}/history", headers=headers)
    assert page.status_code == 200  # the audit trail holds no values: it needs no key
    result = wrong.test_cli_runner().invoke(args=["keys", "check"])
    assert result.exit_code == 1 and right in result.output
    # nothing changed: the right key still opens the case where it was
    assert [t["element_id"] for t in team.gemeente.case(case["id"])["open_tasks"]] == [
        t["element_id"] for t in team.admin.case(case["id"])["open_tasks"]
    ]


def test_rotation_rewraps_the_data_keys_and_old_data_reads_after_it(app, as_user, deploy_real, database_url):
    team = Team(as_user)
    case = team.start_threat(
        incident_location="woning",
        home_address=MARKERS["home_address"],
        family_involved=True,
        family_details=MARKERS["family_details"],
    )
    old, new = os.environ["VB_MASTER_KEY"], _new_key()
    both = _app(database_url, VB_MASTER_KEY=f"{new},{old}")
    result = both.test_cli_runner().invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    assert f'"{key_id(base64.b64decode(new))}": ' in result.output
    only_new = _app(database_url, VB_MASTER_KEY=new)
    client = only_new.test_client()
    token = client.post("/api/v1/auth/token", json={"username": "gemeente.westbetuwe", "password": "demo"})
    answer = client.get(
        f"/api/v1/process-instances/{case['id']}",
        headers={"Authorization": f"Bearer {token.get_json()['access_token']}"},
    )
    assert answer.status_code == 200 and answer.get_json()["variables"]["home_address"] == MARKERS["home_address"]
    with only_new.app_context():
        assert db.session.scalars(sa.select(CaseKey.kek_id).distinct()).all() == [key_id(base64.b64decode(new))]


def test_a_production_start_without_a_key_is_refused(database_url, monkeypatch):
    monkeypatch.delenv("VB_MASTER_KEY", raising=False)
    with pytest.raises(KeyringError, match="VB_MASTER_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": database_url, "VB_AUTO_MIGRATE": False, "VB_DEMO": False})
    with pytest.raises(KeyringError, match="32"):
        create_app(
            {
                "SQLALCHEMY_DATABASE_URI": database_url,
                "VB_AUTO_MIGRATE": False,
                "VB_MASTER_KEY": base64.b64encode(b"short").decode(),
            }
        )


def _closed_case(team) -> dict:
    case = team.start_threat(
        incident_location="woning",
        home_address=MARKERS["home_address"],
        family_involved=True,
        family_details=MARKERS["family_details"],
    )
    team.through_triage(case["id"])
    response = team.admin.post(f"/api/v1/operations/cases/{case['id']}/cancel", json={"reason": "Test"})
    assert response.status_code == 200, response.get_json()
    return case


def test_the_sweep_purges_closed_cases_past_retention_and_keeps_held_ones(app, as_user, deploy_real):
    team = Team(as_user).login()
    purged, held, recent = _closed_case(team), _closed_case(team), _closed_case(team)
    hold = team.admin.post(f"/api/v1/process-instances/{held['id']}/legal-hold", json={"reason": "Rechtszaak 12"})
    assert hold.status_code == 201 and hold.get_json()["by"] == "beheerder"
    with app.app_context():  # threat_response keeps closed cases 3650 days (camunda:historyTimeToLive)
        db.session.execute(
            sa.update(ProcessInstance)
            .where(ProcessInstance.id.in_([purged["id"], held["id"]]))
            .values(completed_at=utcnow() - timedelta(days=3651))
        )
        db.session.commit()
        year = utcnow().year
        figures_before = year_figures(year)
        assert retention.sweep() == 1
        assert retention.sweep() == 0
        assert db.session.get(CaseKey, purged["id"]) is None and db.session.get(CaseKey, held["id"]) is not None
        row = db.session.get(ProcessInstance, purged["id"])
        assert row.state is None and row.variables is None and row.purged_at is not None
        assert row.tombstone["office_holder_role"] == "wethouder" and "home_address" not in row.tombstone
        assert year_figures(year)["by_office_holder_role"] == figures_before["by_office_holder_role"]
        events = db.session.scalars(sa.select(AuditEvent.event).where(AuditEvent.instance_id == purged["id"])).all()
        assert events[-1] == "case.purged"
    gone = team.gemeente.get(f"/api/v1/process-instances/{purged['id']}")
    assert gone.status_code == 410 and gone.get_json()["tombstone"]["process_id"] == "threat_response"
    assert "home_address" not in str(gone.get_json())
    assert team.gemeente.case(held["id"])["variables"]["home_address"] == MARKERS["home_address"]
    assert team.gemeente.case(recent["id"])["variables"]["home_address"] == MARKERS["home_address"]
    web = WebClient(app).sign_in("gemeente.westbetuwe")
    page = web.get(f"/cases/{purged['id']}")
    assert page.status_code == 410 and "Markerstraat" not in page.get_data(as_text=True)
    assert web.get(f"/cases/{held['id']}").status_code == 200


def test_retention_passes_with_time_and_an_erasure_request_purges_at_once(app, as_user, deploy_real):
    team = Team(as_user).login()
    waiting, erased, running = _closed_case(team), _closed_case(team), team.start_threat()
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["cases", "purge", running["business_key"], "--reason", "Verzoek art. 17"])
    assert refused.exit_code == 1 and "cancel it" in refused.output
    result = runner.invoke(
        args=["cases", "purge", erased["business_key"], "--reason", "Verzoek art. 17 AVG nr 4", "--by", "fg"]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        event = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.instance_id == erased["id"]).order_by(AuditEvent.id.desc())
        ).first()
        assert (event.event, event.actor, event.details["reason"]) == (
            "case.purged",
            "cli:fg",
            "Verzoek art. 17 AVG nr 4",
        )
        assert retention.sweep() == 0  # the other closed case is within its retention
    with time_machine.travel(utcnow() + timedelta(days=3652), tick=False):
        with app.app_context():
            assert retention.sweep() == 1
            assert db.session.get(ProcessInstance, waiting["id"]).purged_at is not None
            assert db.session.get(ProcessInstance, running["id"]).purged_at is None
