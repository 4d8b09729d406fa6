"""Diagram scripts run sandboxed: escapes become incidents on the case, which is kept and can be retried."""

import pytest


def start(api, mode, **extra):
    return api.start("script_case", {"mode": mode, "municipality_code": "GM0668", **extra})


@pytest.mark.parametrize(
    "mode, error_type, line",
    [
        ("import", "ImportError", 3),
        ("open", "NameError", 6),
        ("dunder", "NotImplementedError", 8),
        ("divide", "ZeroDivisionError", 13),
    ],
)
def test_escape_attempts_become_incidents(deploy_fixture, as_user, mode, error_type, line):
    deploy_fixture("scripts")
    admin = as_user("beheerder")
    case = start(admin, mode, divisor=0)
    assert case["status"] == "error"
    incident = case["incident"]
    assert incident["element_id"] == "run_script"
    assert incident["error_type"] == error_type
    assert incident["line"] == line
    assert incident["message"]
    history = [e["event"] for e in admin.history(case["id"])]
    assert history[0] == "case.started" and "case.incident" in history


def test_endless_loop_is_stopped_by_the_time_limit(app, deploy_fixture, as_user):
    app.config["VB_SCRIPT_TIME_LIMIT"] = 0.3
    deploy_fixture("scripts")
    case = start(as_user("beheerder"), "loop")
    assert case["status"] == "error"
    assert case["incident"]["error_type"] == "TimeoutError"
    assert "time limit" in case["incident"]["message"]
    assert case["incident"]["line"] in (10, 11)


def test_retry_after_fixing_data_continues_the_case(deploy_fixture, as_user):
    deploy_fixture("scripts")
    admin, gemeente = as_user("beheerder"), as_user("gemeente.westbetuwe")
    case = start(admin, "divide", divisor=0)
    assert case["status"] == "error"
    assert gemeente.tasks(process_instance_id=case["id"]) == []

    not_admin = gemeente.post(f"/api/v1/process-instances/{case['id']}/retry", json={"variables": {"divisor": 5}})
    assert not_admin.status_code == 404
    same_error = admin.post(f"/api/v1/process-instances/{case['id']}/retry", json={"variables": {"divisor": 0}})
    assert same_error.status_code == 200 and same_error.get_json()["status"] == "error"

    fixed = admin.post(f"/api/v1/process-instances/{case['id']}/retry", json={"variables": {"divisor": 5}})
    assert fixed.status_code == 200, fixed.get_json()
    body = fixed.get_json()
    assert body["status"] == "running" and body["incident"] is None
    assert body["variables"]["result"] == 2.0
    assert gemeente.task_for(case["id"], "review")
    events = [e["event"] for e in admin.history(case["id"])]
    assert events.count("case.retried") == 2

    running = admin.post(f"/api/v1/process-instances/{case['id']}/retry", json={"variables": {}})
    assert running.status_code == 409


def test_script_that_cannot_compile_is_refused_at_deploy(as_user, tmp_path):
    from tests.support.api import FIXTURES, upload

    bpmn = (FIXTURES / "scripts" / "script_case.bpmn").read_text()
    broken = bpmn.replace('result = "ok"', "result = ().__class__")
    (tmp_path / "script_case.bpmn").write_text(broken)
    line = next(n for n, text in enumerate(broken.splitlines(), 1) if "().__class__" in text)
    forms = [FIXTURES / "scripts" / name for name in ("script_mode.form", "script_review.form")]
    report = upload(as_user("procesbeheerder"), [tmp_path / "script_case.bpmn", *forms], expect=422)
    assert report["errors"] == [
        {
            "file": "script_case.bpmn",
            "element_id": "run_script",
            "line": line,
            "message": report["errors"][0]["message"],
        }
    ]
    assert "__class__" in report["errors"][0]["message"]
