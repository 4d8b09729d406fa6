"""A regional police unit sees and works only the cases of its municipalities (identity/police_units.py)."""

from __future__ import annotations

import pytest

from engine.core.errors import Unprocessable
from engine.identity import police_units
from engine.identity.service import create_user
from tests.scenarios.flow import Team, assessment


def test_the_mapping_covers_every_unit_with_its_municipalities():
    assert police_units.unit_of("GM0363") == "Amsterdam" and police_units.unit_of("GM0668") == "Oost-Nederland"
    assert police_units.unit_of("GM0344") == "Midden-Nederland" and police_units.unit_of("GM9999") is None
    sizes = {unit: len(police_units.municipalities_of(unit)) for unit in police_units.REGIONAL}
    assert all(sizes.values()) and sum(sizes.values()) == 342
    assert police_units.municipalities_of("Amsterdam") == {"GM0358", "GM0362", "GM0363", "GM0384", "GM0437", "GM0451"}


def test_a_police_user_of_another_unit_gets_404_and_cannot_work_the_case(app, as_user, deploy_real):
    team = Team(as_user)
    case = team.start_threat()
    team.to_threat_assessment(case["id"])
    oost, amsterdam, national = as_user("politie.oost"), as_user("politie.amsterdam"), as_user("politie")
    task = oost.task_for(case["id"], "threat_assessment")
    assert national.task_for(case["id"], "threat_assessment")["id"] == task["id"]
    assert [t for t in amsterdam.tasks() if t["instance_id"] == case["id"]] == []
    assert amsterdam.get(f"/api/v1/process-instances/{case['id']}").status_code == 404
    assert amsterdam.get(f"/api/v1/tasks/{task['id']}").status_code == 404
    assert amsterdam.post(f"/api/v1/tasks/{task['id']}/complete", json={"variables": assessment()}).status_code == 404
    refused = amsterdam.post(
        "/api/v1/messages",
        json={
            "name": "dreigingsinschatting_gereed",
            "business_key": case["business_key"],
            "variables": {"threat_level": "geen"},
        },
    )
    assert refused.status_code in (403, 404)
    assert oost.get(f"/api/v1/process-instances/{case['id']}").status_code == 200
    oost.complete(task["id"], assessment())
    assert "threat_assessment" not in team.open_elements(case["id"])


def test_an_amsterdam_case_is_for_the_amsterdam_unit(app, as_user, deploy_real):
    team = Team(as_user)
    case = team.start_threat(starter=as_user("gemeente.amsterdam"), municipality_code="GM0363")
    amsterdam_gemeente = as_user("gemeente.amsterdam")
    team.do(
        amsterdam_gemeente,
        case["id"],
        "triage",
        {
            "first_contact_at": "2026-11-23T10:00",
            "severity": "hoog",
            "case_handler_name": "A. de Vries",
            "driehoek_informed": True,
        },
    )
    assert as_user("politie.oost").get(f"/api/v1/process-instances/{case['id']}").status_code == 404
    assert as_user("politie.amsterdam").get(f"/api/v1/process-instances/{case['id']}").status_code == 200


def test_a_unit_is_for_police_users_and_must_exist(app):
    with app.app_context():
        with pytest.raises(Unprocessable, match="police unit"):
            create_user("agent.x", "drie losse woorden hier", ["politie"], police_unit="Gelderland")
        with pytest.raises(Unprocessable, match="police unit"):
            create_user("oov.x", "drie losse woorden hier", ["gemeente"], "GM0344", police_unit="Amsterdam")
        assert (
            create_user("agent.y", "drie losse woorden hier", ["politie"], police_unit="Limburg").police_unit
            == "Limburg"
        )
