"""The published OpenAPI document describes the answers the API really gives.

Every answer a test under tests/api and tests/webhooks receives is checked against the document by the test
client (tests/support/openapi.py, tests/conftest.py). The tests here walk a real case through the API as its
roles, read every error a client meets, and show that the check fails for an answer the document does not
declare.
"""

import json

import pytest

from tests.scenarios.conftest import deploy_real  # noqa: F401 (a fixture)
from tests.scenarios.flow import MUNICIPALITY, Team, assessment, cost_decision
from tests.support.openapi import MISMATCHES, Contract, contract_for


@pytest.fixture
def document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def every_operation(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method != "parameters":
                yield method, path, operation


def test_every_error_in_the_document_has_a_string_code(document):
    schemas = document["components"]["schemas"]
    assert schemas["ApiError"]["properties"]["code"]["type"] == "string"
    assert set(schemas["ApiError"]["required"]) == {"code", "message"}
    assert "Error" not in schemas  # flask-smorest's own error schema (code: integer) is not used anywhere
    for name, response in document["components"]["responses"].items():
        for content in response.get("content", {}).values():
            assert content["schema"] == {"$ref": "#/components/schemas/ApiError"}, name
    for method, path, operation in every_operation(document):
        for status, response in operation["responses"].items():
            if status.startswith(("4", "5")) or status == "default":
                schema = response.get("content", {}).get("application/json", {}).get("schema") or response
                assert schema.get("$ref", "").endswith(
                    ("/ApiError", "/DeploymentError", "/StudioDeployError", "/DEFAULT_ERROR")
                ) or schema.get("$ref", "").startswith("#/components/responses/"), (method, path, status)


def test_every_operation_documents_what_it_can_answer(document):
    for method, path, operation in every_operation(document):
        statuses = set(operation["responses"])
        where = f"{method.upper()} {path}"
        public = path in ("/api/v1/auth/token", "/webhooks/{source}")
        assert public or "401" in statuses, where
        assert "400" in statuses, where  # an unknown query parameter, on every operation
        if "requestBody" in operation:
            assert {"413", "422"} <= statuses, where
        if "{" in path:
            assert "404" in statuses, where
        assert "default" in statuses, where


def test_the_webhook_intake_documents_its_headers_and_events(document):
    operation = document["paths"]["/webhooks/{source}"]["post"]
    headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
    assert headers == {"webhook-id", "webhook-timestamp", "webhook-signature"}
    source = next(p for p in operation["parameters"] if p["name"] == "source")
    assert "politie" in source["schema"]["enum"]
    envelopes = operation["requestBody"]["content"]["application/json"]["schema"]["oneOf"]
    titles = {e["title"] for e in envelopes}
    assert "politie: melding.geregistreerd" in titles
    assert {"200", "202", "401", "403", "404", "409", "413", "422", "503"} <= set(operation["responses"])


def test_a_case_walked_through_the_api_conforms_to_the_document(deploy_real, as_user, app, client):
    """The threat response as gemeente, politie, BZK, the office holder and beheerder: every answer, the errors
    too, is checked by the test client; here they are also counted so the walk is known to be checked."""
    checked = []
    original = Contract.check

    def counting(self, method, path, status, content_type, body):
        problems = original(self, method, path, status, content_type, body)
        checked.append((method, path, status))
        return problems

    Contract.check = counting
    try:
        team = Team(as_user).login("gemeente", "politie", "bzk", "ambtsdrager", "admin")
        case = team.start_threat()
        case_id = case["id"]
        team.to_threat_assessment(case_id)
        team.do(team.politie, case_id, "threat_assessment", assessment())
        team.do(team.gemeente, case_id, "cost_decision", cost_decision())
        team.apply(case_id)
        team.do(
            team.gemeente,
            case_id,
            "submit_application",
            {
                "requested_measures": [{"measure": "camera", "amount": 18_000}],
                "advice_reference": "ADV-2026-17",
                "application_date": "2026-12-01",
            },
        )
        for user in (team.gemeente, team.politie, team.bzk, team.ambtsdrager, team.admin):
            user.get("/api/v1/auth/me")
            user.get("/api/v1/process-definitions")
            user.get("/api/v1/tasks", query_string={"process_instance_id": case_id})
            user.get(f"/api/v1/process-instances/{case_id}")
            user.get(f"/api/v1/process-instances/{case_id}/history")
            user.get("/api/v1/process-instances", query_string={"municipality_code": MUNICIPALITY})
        # the errors a client meets
        task = team.bzk.task_for(case_id, "decide_compensation")
        team.bzk.post(f"/api/v1/tasks/{task['id']}/claim")
        assert team.bzk.post(f"/api/v1/tasks/{task['id']}/complete", json={"variables": {}}).status_code == 422
        assert team.gemeente.get(f"/api/v1/tasks/{task['id']}").status_code in (200, 404)
        assert team.gemeente.post("/api/v1/deployments", data={}).status_code == 403
        assert team.gemeente.get("/api/v1/tasks", query_string={"limit": "many"}).status_code == 400
        assert team.gemeente.get("/api/v1/process-instances/00000000-0000-0000-0000-000000000000").status_code == 404
        assert team.gemeente.post(
            "/api/v1/process-instances",
            json={"process_id": "threat_response", "business_key": case["business_key"], "variables": {}},
        ).status_code in (409, 422)
        assert client.get("/api/v1/tasks").status_code == 401
        assert client.post("/api/v1/auth/token", json={"username": "bzk", "password": "wrong"}).status_code == 401
        assert team.admin.get(f"/api/v1/process-instances/{case_id}/timers").status_code == 200
        assert team.admin.get(f"/api/v1/process-instances/{case_id}/access-log").status_code == 404
        assert team.admin.get("/api/v1/webhooks/deliveries").status_code == 200
        assert team.gemeente.get("/api/v1/webhooks/deliveries").status_code == 403
    finally:
        Contract.check = original
    statuses = {status for _, _, status in checked}
    assert len(checked) > 40 and {200, 201, 400, 401, 403, 404, 422} <= statuses, statuses
    assert MISMATCHES == []


def test_the_check_fails_for_an_undeclared_field_or_status(app, client):
    contract = contract_for(app)
    me = {"username": "bzk", "display_name": "BZK", "roles": ["bzk"], "municipality_code": None}
    assert contract.check("GET", "/api/v1/auth/me", 200, "application/json", me) == []

    with_extra = dict(me, password_hash="...")
    problems = contract.check("GET", "/api/v1/auth/me", 200, "application/json", with_extra)
    assert problems and "password_hash" in problems[0]

    assert contract.check("GET", "/api/v1/auth/me", 418, "application/json", {"code": "teapot", "message": "x"})

    # the error shape flask-smorest documents by default (code: integer) is not what the document says
    problems = contract.check("GET", "/api/v1/tasks", 401, "application/json", {"code": 401, "status": "Unauthorized"})
    assert any("'message' is a required property" in p for p in problems)
    assert any("401 is not of type 'string'" in p for p in problems)

    # a nullable field that is not declared nullable, and a value outside an enum
    page = {"total": 1, "items": [{"id": "x", "status": "lost", "business_key": None}]}
    problems = contract.check("GET", "/api/v1/process-instances", 200, "application/json", page)
    assert any("'lost' is not one of" in p for p in problems), problems
    assert any("None is not of type 'string'" in p for p in problems), problems


def test_a_view_that_returns_an_undeclared_status_fails_the_test_that_got_it(app, client):
    """What the test client does with a real answer the document does not declare (a 418 from a view)."""
    from flask import jsonify

    view = app.view_functions["auth.Me"]

    def teapot(*args, **kwargs):
        response = jsonify({"code": "teapot", "message": "I am a teapot."})
        response.status_code = 418
        return response

    app.view_functions["auth.Me"] = teapot
    try:
        token = client.post("/api/v1/auth/token", json={"username": "bzk", "password": "demo"}).get_json()
        client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token['access_token']}"})
    finally:
        app.view_functions["auth.Me"] = view
    found = list(MISMATCHES)
    MISMATCHES.clear()  # shown here; otherwise this test would fail for it
    assert found == ["GET /api/v1/auth/me answered 418, which it does not document (200, 400, 401, default)"], found


def test_the_document_is_valid_json_for_generators(document):
    json.dumps(document, sort_keys=True)  # generators sort keys: mixed int and str status keys would break them
    assert document["openapi"] == "3.0.3"
