"""The studio's API: drafts, validation with element ids, scenario tests as a deploy gate, versions, export."""

from __future__ import annotations

import io
import json
import re
import zipfile

from .target import FIXTURE


def _file(owner, name):
    response = owner.get(f"/api/v1/studio/files/{name}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _save(owner, name, content, expect=200):
    response = owner.client.put(
        f"/api/v1/studio/files/{name}", json={"content": content}, headers={"Authorization": f"Bearer {owner.token}"}
    )
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def test_only_process_owners_and_administrators_use_the_studio(fixture_deployed, as_user, client):
    assert client.get("/api/v1/studio/files").status_code == 401
    assert as_user("gemeente.westbetuwe").get("/api/v1/studio/files").status_code == 403
    assert as_user("beheerder").get("/api/v1/studio/files").status_code == 200
    files = {f["file_name"]: f for f in as_user("procesbeheerder").get("/api/v1/studio/files").get_json()}
    assert files[FIXTURE.bpmn_file]["deployed_version"] == 1 and not files[FIXTURE.bpmn_file]["draft"]
    assert files[FIXTURE.test_file]["kind"] == "test"


def test_session_cookie_without_csrf_token_cannot_change_anything(fixture_deployed, client):
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/login", data={"username": "procesbeheerder", "password": "demo", "csrf_token": token})
    assert client.get("/api/v1/studio/files").status_code == 200  # reading with the session works
    response = client.put(f"/api/v1/studio/files/{FIXTURE.bpmn_file}", json={"content": "<x/>"})
    assert response.status_code == 400
    assert "CSRF" in response.get_json()["message"]
    studio_page = client.get("/studio").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', studio_page).group(1)
    response = client.put(
        f"/api/v1/studio/files/{FIXTURE.bpmn_file}", json={"content": "<x/>"}, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 200 and not response.get_json()["valid"]


def test_a_broken_condition_is_reported_on_its_element_and_blocks_deploying(fixture_deployed, owner):
    xml = _file(owner, FIXTURE.bpmn_file)["content"]
    broken = xml.replace('${compensation == "ja"}', "${compensation ==}")
    report = _save(owner, FIXTURE.bpmn_file, broken)
    assert report["saved"] and report["draft"] and not report["valid"]
    [error] = [e for e in report["errors"] if e["element_id"] == FIXTURE.conditional_flow]
    assert "does not compile" in error["message"] and error["line"]
    assert _file(owner, FIXTURE.bpmn_file)["content"] == broken  # the draft is kept with its problem

    response = owner.post("/api/v1/studio/deploy", json={})
    assert response.status_code == 422
    body = response.get_json()
    assert body["stage"] == "validation" and body["errors"][0]["element_id"] == FIXTURE.conditional_flow
    versions = owner.get(f"/api/v1/studio/processes/{FIXTURE.process_id}/versions").get_json()
    assert [v["version"] for v in versions] == [1]


def test_warnings_name_unreachable_elements_and_messages_nobody_sends(fixture_deployed, owner, app, tmp_path):
    routes = tmp_path / "webhooks"
    routes.mkdir()
    app.config["VB_WEBHOOKS_DIR"] = str(routes)  # no routes yet
    report = owner.post("/api/v1/studio/validate", json={}).get_json()
    assert report["valid"]
    [warning] = [w for w in report["warnings"] if w["check"] == "message-route"]
    assert warning["element_id"] == "wait_aangifte" and "aangifte_geregistreerd" in warning["message"]

    (routes / "politie.yaml").write_text("routes:\n  - event: aangifte\n    message: {name: aangifte_geregistreerd}\n")
    app.config["VB_WEBHOOKS_DIR"] = str(routes)
    report = owner.post("/api/v1/studio/validate", json={}).get_json()
    assert not [w for w in report["warnings"] if w["check"] == "message-route"]

    xml = _file(owner, FIXTURE.bpmn_file)["content"]
    island = xml.replace(
        '<bpmn:endEvent id="end_done"', '<bpmn:task id="lost_task" name="Vergeten" />\n    <bpmn:endEvent id="end_done"'
    )
    report = owner.post(
        "/api/v1/studio/validate", json={"files": [{"file_name": FIXTURE.bpmn_file, "content": island}]}
    ).get_json()
    assert [w["element_id"] for w in report["warnings"] if w["check"] == "unreachable"] == ["lost_task"]
    assert _file(owner, FIXTURE.bpmn_file)["draft"] is False  # validating unsaved text stores nothing


def test_scenarios_pass_on_the_deployed_files_and_fail_with_a_reason(fixture_deployed, owner):
    report = owner.post("/api/v1/studio/tests/run", json={}).get_json()
    assert report["ran"] and report["passed"], report["results"]
    assert len(report["results"]) == 2

    dmn = (
        _file(owner, FIXTURE.dmn_file)["content"].replace("&gt;= 1000", "&gt;= 5000").replace("&lt; 1000", "&lt; 5000")
    )
    _save(owner, FIXTURE.dmn_file, dmn)
    report = owner.post("/api/v1/studio/tests/run", json={}).get_json()
    assert not report["passed"]
    [failed] = [r for r in report["results"] if not r["passed"]]
    assert any("compensation" in reason and "'nee'" in reason for reason in failed["reasons"]), failed

    response = owner.post("/api/v1/studio/deploy", json={})
    assert response.status_code == 422
    body = response.get_json()
    assert body["stage"] == "tests" and "scenario test fails" in body["message"]
    assert any(not t["passed"] for t in body["tests"])


def test_a_form_change_that_refuses_the_scenario_inputs_fails_the_scenario(fixture_deployed, owner):
    form = json.loads(_file(owner, FIXTURE.form_file)["content"])
    form["components"].append(
        {"type": "textfield", "key": "police_unit", "label": "Eenheid / Unit", "validate": {"required": True}}
    )
    _save(owner, FIXTURE.form_file, json.dumps(form))
    report = owner.post("/api/v1/studio/tests/run", json={}).get_json()
    reasons = [reason for r in report["results"] for reason in r["reasons"]]
    assert any("police_unit" in reason and "refuses" in reason for reason in reasons), reasons


def test_deploy_makes_a_new_version_with_a_diff_and_running_cases_stay(fixture_deployed, owner, as_user):
    starter = as_user(FIXTURE.starter)
    old_case = starter.start(FIXTURE.process_id, FIXTURE.start_variables)
    assert old_case["version"] == 1

    xml = _file(owner, FIXTURE.bpmn_file)["content"]
    changed = xml.replace('camunda:dueDate="P2D"', 'camunda:dueDate="P5D"').replace(
        'name="Triage"', 'name="Eerste beoordeling"'
    )
    _save(owner, FIXTURE.bpmn_file, changed)
    response = owner.post("/api/v1/studio/deploy", json={})
    assert response.status_code == 201, response.get_json()
    assert {p["process_id"]: p["version"] for p in response.get_json()["processes"]}[FIXTURE.process_id] == 2
    assert all(t["passed"] for t in response.get_json()["tests"])
    assert not _file(owner, FIXTURE.bpmn_file)["draft"]

    versions = owner.get(f"/api/v1/studio/processes/{FIXTURE.process_id}/versions").get_json()
    assert [v["version"] for v in versions] == [2, 1]
    assert versions[0]["created_by"] == "procesbeheerder" and versions[0]["source"] == "studio"
    [change] = versions[0]["elements"]["changed"]
    assert change["id"] == FIXTURE.user_task
    assert {c["attribute"]: (c["before"], c["after"]) for c in change["changes"]} == {
        "camunda:dueDate": ("P2D", "P5D"),
        "name": ("Triage", "Eerste beoordeling"),
    }

    new_case = starter.start(FIXTURE.process_id, FIXTURE.start_variables)
    assert new_case["version"] == 2 and starter.case(old_case["id"])["version"] == 1
    worker = as_user(FIXTURE.task_role_user)
    assert worker.task_for(new_case["id"], FIXTURE.user_task)["name"] == "Eerste beoordeling"
    assert worker.task_for(old_case["id"], FIXTURE.user_task)["name"] == "Triage"


def test_export_gives_the_repository_layout(fixture_deployed, owner):
    response = owner.get("/api/v1/studio/export.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    names = set(zipfile.ZipFile(io.BytesIO(response.data)).namelist())
    assert {
        f"processes/{FIXTURE.bpmn_file}",
        f"processes/{FIXTURE.dmn_file}",
        f"processes/{FIXTURE.test_file}",
        f"forms/{FIXTURE.form_file}",
    } <= names
    original = (FIXTURE.folder / FIXTURE.bpmn_file).read_text()
    assert zipfile.ZipFile(io.BytesIO(response.data)).read(f"processes/{FIXTURE.bpmn_file}").decode() == original


def test_bad_file_names_and_bodies_are_refused_precisely(fixture_deployed, owner):
    response = owner.post("/api/v1/studio/files", json={"file_name": "../etc/passwd.bpmn", "content": "x"})
    assert response.status_code == 422
    response = owner.post("/api/v1/studio/files", json={"file_name": "notes.txt", "content": "x"})
    assert response.status_code == 422 and "file_name" in response.get_json()["errors"]
    response = owner.post("/api/v1/studio/files", json={"file_name": "x.bpmn"})
    assert response.status_code == 422 and "content" in response.get_json()["errors"]
    assert owner.get("/api/v1/studio/files/nothing.bpmn").status_code == 404
    assert owner.post("/api/v1/studio/deploy", json={}).status_code == 422  # nothing to deploy


def test_scenario_events_fire_timers_and_unsaved_test_text_is_judged(fixture_deployed, owner):
    scenario = {
        "scenarios": [
            {
                "name": "Herinnering na drie dagen",
                "start": {"summary": "Brief", "municipality_code": "GM0668"},
                "events": [{"timer": "triage_reminder"}, {"message": "aangifte_geregistreerd"}],
                "expect": {
                    "path": ["triage_reminder", "reminder_end"],
                    "end": "waiting",
                    "waiting_at": [FIXTURE.user_task],
                },
            }
        ]
    }
    body = {"files": [{"file_name": FIXTURE.test_file, "content": json.dumps(scenario)}], "only": FIXTURE.test_file}
    report = owner.post("/api/v1/studio/tests/run", json=body).get_json()
    [result] = report["results"]
    assert not result["passed"]  # the message is sent while the case waits at the task, not for the message
    assert result["reasons"] == ["Message 'aangifte_geregistreerd' was sent, but the case does not wait for it."]

    scenario["scenarios"][0]["events"] = [{"timer": "triage_reminder"}]
    body["files"][0]["content"] = json.dumps(scenario)
    [result] = owner.post("/api/v1/studio/tests/run", json=body).get_json()["results"]
    assert result["passed"], result
    assert result["waiting_at"] == [FIXTURE.user_task]

    body["files"][0]["content"] = '{"scenarios": "none"}'
    [result] = owner.post("/api/v1/studio/tests/run", json=body).get_json()["results"]
    assert not result["passed"] and "non-empty list 'scenarios'" in result["reasons"][0]
