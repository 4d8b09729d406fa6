"""The threat response's scenario test (processes/threat_response.test.json): `flask deploy` brings it into the
studio, it passes against the processes as they are in the repository (so it cannot rot unnoticed), and it
gates deployments from the studio: a decision change it contradicts is refused with its reason."""

from __future__ import annotations

import io
import json
import shutil
import zipfile

from engine.studio.cli import scenarios_command

from .target import TARGET


def _deploy_cli(app, *folders):
    result = app.test_cli_runner().invoke(args=["deploy", *(str(f) for f in folders)])
    assert result.exit_code == 0, result.output
    return result.output


def _save(owner, name, content):
    response = owner.client.put(
        f"/api/v1/studio/files/{name}", json={"content": content}, headers={"Authorization": f"Bearer {owner.token}"}
    )
    assert response.status_code == 200, response.get_json()


def test_flask_deploy_imports_the_scenario_test_into_the_studio(app, owner):
    output = _deploy_cli(app, *TARGET.folders)
    assert f"scenario test {TARGET.test_file} (added) in the studio" in output
    files = {f["file_name"]: f for f in owner.get("/api/v1/studio/files").get_json()}
    assert files[TARGET.test_file]["kind"] == "test"
    detail = owner.get(f"/api/v1/studio/files/{TARGET.test_file}").get_json()
    assert detail["content"] == (TARGET.folder / TARGET.test_file).read_text(encoding="utf-8")

    assert f"scenario test {TARGET.test_file} (unchanged)" in _deploy_cli(app, *TARGET.folders)


def test_the_scenario_test_passes_against_the_processes_of_the_repository(app):
    result = app.test_cli_runner().invoke(scenarios_command, [str(f) for f in TARGET.folders])
    assert result.exit_code == 0, result.output
    assert f"{TARGET.scenarios} passed, 0 failed" in result.output
    assert TARGET.test_file in result.output


def test_the_scenario_test_can_fail(app, tmp_path):
    processes = tmp_path / "processes"
    shutil.copytree(TARGET.folders[0], processes)
    test = processes / TARGET.test_file
    document = json.loads(test.read_text(encoding="utf-8"))
    document["scenarios"][0]["inputs"]["decide_vangnet_follow_up"]["vangnet_follow_up"] = "niet_aanvragen"
    test.write_text(json.dumps(document), encoding="utf-8")
    result = app.test_cli_runner().invoke(scenarios_command, [str(processes), str(TARGET.folders[1])])
    assert result.exit_code != 0
    assert "Expected the path to pass 'request_compensation'" in result.output


def test_a_scenario_that_loops_is_told_so(app, tmp_path):
    """The municipality bears no costs, yet applies, and BZK grants each time its task opens again: the grant
    does not fit the letter, so the task reopens with the same inputs, for ever."""
    processes = tmp_path / "processes"
    shutil.copytree(TARGET.folders[0], processes)
    test = processes / TARGET.test_file
    document = json.loads(test.read_text(encoding="utf-8"))
    document["scenarios"][0]["inputs"]["cost_decision"]["costs_borne_by"] = "ambtsdrager"
    test.write_text(json.dumps(document), encoding="utf-8")
    result = app.test_cli_runner().invoke(scenarios_command, [str(processes), str(TARGET.folders[1])])
    assert result.exit_code != 0 and result.exception is None or isinstance(result.exception, SystemExit)
    assert "The case goes round a loop" in result.output


def test_in_the_studio_it_passes_and_gates_a_decision_change_until_it_is_updated(studio_deployed, owner):
    assert [t["status"] for t in studio_deployed["tests"]] == ["added"]
    report = owner.post("/api/v1/studio/tests/run", json={}).get_json()
    assert report["ran"] and report["passed"], report["results"]
    [result] = report["results"]
    assert result["file"] == TARGET.test_file and result["end"] == "completed"
    assert {"triage", "check_vangnet", "request_compensation", "case_closed"} <= set(result["path"])

    edit = TARGET.decision
    dmn = owner.get(f"/api/v1/studio/files/{TARGET.dmn_file}").get_json()["content"]
    old_cell = '<outputEntry id="case_routing_rule_2_out_2"><text>acute_danger</text></outputEntry>'
    assert old_cell in dmn
    changed = dmn.replace(
        old_cell, f'<outputEntry id="case_routing_rule_2_out_2"><text>{edit.text}</text></outputEntry>'
    )
    _save(owner, TARGET.dmn_file, changed)

    response = owner.post("/api/v1/studio/deploy", json={})
    assert response.status_code == 422
    body = response.get_json()
    assert body["stage"] == "tests"
    [failed] = [t for t in body["tests"] if not t["passed"]]
    assert failed["reasons"] == [f"Expected variable '{edit.variable}' = {edit.before!r}, but it is {edit.after!r}."]
    versions = owner.get(f"/api/v1/studio/processes/{TARGET.process_id}/versions").get_json()
    assert [v["version"] for v in versions] == [1]

    test = owner.get(f"/api/v1/studio/files/{TARGET.test_file}").get_json()["content"]
    updated = test.replace(edit.test_before, edit.test_after)
    assert updated != test
    _save(owner, TARGET.test_file, updated)
    response = owner.post("/api/v1/studio/deploy", json={})
    assert response.status_code == 201, response.get_json()
    assert {p["process_id"]: p["version"] for p in response.get_json()["processes"]}[TARGET.process_id] == 2
    exported = owner.get("/api/v1/studio/export.zip")
    assert zipfile.ZipFile(io.BytesIO(exported.data)).read(f"processes/{TARGET.test_file}").decode() == updated
