"""Four eyes on lowering the protection of case data (definitions/protection.py, approvals.py)."""

from __future__ import annotations

import json

import sqlalchemy as sa

from engine.definitions.models import ProcessVersion
from engine.db.extensions import db
from tests.support.api import PROJECT, upload


def _versions(app, process_id="threat_response") -> int:
    with app.app_context():
        count = db.session.scalar(
            sa.select(sa.func.count()).select_from(ProcessVersion).where(ProcessVersion.process_id == process_id)
        )
        db.session.remove()
        return count


def _form_without_sensitive(tmp_path):
    form = json.loads((PROJECT / "forms" / "threat_report.form").read_text())

    def strip(components):
        for c in components:
            (c.get("properties") or {}).pop("sensitive", None)
            strip(c.get("components") or [])

    strip(form["components"])
    path = tmp_path / "threat_report.form"
    path.write_text(json.dumps(form))
    return path


def test_unmasking_a_field_waits_for_a_second_person(app, as_user, deploy_real, tmp_path):
    owner, privacy = as_user("procesbeheerder"), as_user("privacy")
    before = _versions(app)
    path = _form_without_sensitive(tmp_path)
    refused = owner.post(
        "/api/v1/deployments",
        data={"files": (path.open("rb"), "threat_report.form")},
        content_type="multipart/form-data",
    )
    body = refused.get_json()
    assert refused.status_code == 403 and body["code"] == "approval_required"
    # no longer sensitive, it would be read by the administrators too (a form field: still not by IVP, BZK, OM)
    # (the driehoek members read what every case role reads; gemeente.griffie and the like read it already as gemeente)
    assert (
        "'home_address' becomes readable by beheerder, gemeente.burgemeester, gemeente.locoburgemeester, "
        "procesbeheerder as well."
    ) in body["changes"]["threat_response"]
    assert _versions(app) == before
    approval_id = body["approval_id"]
    assert owner.post(f"/api/v1/deployments/approvals/{approval_id}/approve").status_code == 403  # own request
    assert as_user("gemeente.westbetuwe").get("/api/v1/deployments/approvals").status_code == 403
    pending = privacy.get("/api/v1/deployments/approvals", query_string={"status": "pending"}).get_json()
    assert [a["id"] for a in pending] == [approval_id] and pending[0]["requested_by"] == "procesbeheerder"
    approved = privacy.post(f"/api/v1/deployments/approvals/{approval_id}/approve")
    assert approved.status_code == 200 and approved.get_json()["decided_by"] == "privacy"
    deployed = upload(owner, [path])
    assert deployed["approval"]["approved_by"] == "privacy" and _versions(app) == before + 1
    with app.app_context():
        latest = db.session.scalars(
            sa.select(ProcessVersion)
            .where(ProcessVersion.process_id == "threat_response")
            .order_by(ProcessVersion.version.desc())
        ).first()
        assert "home_address" not in latest.model["sensitive_keys"]
    assert privacy.post(f"/api/v1/deployments/approvals/{approval_id}/approve").status_code == 409  # used


def test_raising_protection_needs_nobody_and_a_longer_retention_does(app, as_user, deploy_real, tmp_path):
    owner = as_user("procesbeheerder")
    form = json.loads((PROJECT / "forms" / "threat_report.form").read_text())
    field = next(c for c in form["components"] if c.get("key") == "incident_description")
    field.setdefault("properties", {})["sensitive"] = "true"
    (tmp_path / "threat_report.form").write_text(json.dumps(form))
    assert upload(owner, [tmp_path / "threat_report.form"])["processes"]
    bpmn = (PROJECT / "processes" / "threat_response.bpmn").read_text()
    (tmp_path / "threat_response.bpmn").write_text(
        bpmn.replace('camunda:historyTimeToLive="P3650D"', 'camunda:historyTimeToLive="P7300D"', 1)
    )
    refused = owner.post(
        "/api/v1/deployments",
        data={"files": ((tmp_path / "threat_response.bpmn").open("rb"), "threat_response.bpmn")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 403
    assert refused.get_json()["changes"]["threat_response"] == [
        "Closed cases are kept longer: P7300D instead of P3650D."
    ]
    refusal = as_user("privacy").post(
        f"/api/v1/deployments/approvals/{refused.get_json()['approval_id']}/refuse",
        json={"reason": "Geen grondslag voor langer bewaren"},
    )
    assert refusal.status_code == 200 and refusal.get_json()["status"] == "refused"
