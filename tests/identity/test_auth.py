"""Authentication: tokens, and no API route answers without one."""

import re
from datetime import timedelta

import pytest
import time_machine

from engine.core.timeutil import utcnow

PUBLIC = {"/api/v1/auth/token", "/healthz", "/api/v1/openapi.json"}


def test_token_for_good_credentials(api):
    response = api.client.post("/api/v1/auth/token", json={"username": "politie", "password": "demo"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["token_type"] == "Bearer" and body["expires_in"] > 0 and body["access_token"].startswith("vb_")


@pytest.mark.parametrize("username, password", [("politie", "wrong"), ("nobody", "demo"), ("", "")])
def test_bad_credentials_are_401(api, username, password):
    response = api.client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert response.status_code == 401
    assert response.get_json()["code"] == "unauthorized"


def test_missing_body_fields_are_422(api):
    response = api.client.post("/api/v1/auth/token", json={"username": "politie"})
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["password"]


def test_every_api_route_requires_a_token(app, client):
    checked = 0
    for rule in app.url_map.iter_rules():
        path = rule.rule
        if not path.startswith("/api/") or path in PUBLIC or "openapi" in path or "swagger" in path or "redoc" in path:
            continue
        url = re.sub(r"<(int|row_id):[^>]+>", "1", path)
        url = re.sub(r"<[^>]+>", "x", url)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.open(url, method=method)
            assert response.status_code == 401, (method, path, response.status_code)
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
            checked += 1
    assert checked >= 12


def test_expired_and_revoked_tokens_are_refused(app, api):
    user = api.login("politie")
    assert user.get("/api/v1/tasks").status_code == 200
    with time_machine.travel(utcnow() + timedelta(seconds=app.config["VB_TOKEN_TTL_SECONDS"] + 1)):
        assert user.get("/api/v1/tasks").status_code == 401
    assert user.post("/api/v1/auth/logout").status_code == 204
    assert user.get("/api/v1/tasks").status_code == 401


def test_me_shows_roles_and_municipality(as_user):
    me = as_user("gemeente.westbetuwe").get("/api/v1/auth/me").get_json()
    assert me == {
        "username": "gemeente.westbetuwe",
        "display_name": "Gemeente West Betuwe (OOV)",
        "roles": ["gemeente", "gemeente.oov"],
        "municipality_code": "GM0668",
        "totp_enabled": False,
        "totp_required": False,
    }


def test_openapi_document_lists_the_api(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    for path in [
        "/api/v1/auth/token",
        "/api/v1/process-definitions",
        "/api/v1/deployments",
        "/api/v1/process-instances",
        "/api/v1/process-instances/{process_instance_id}",
        "/api/v1/process-instances/{process_instance_id}/history",
        "/api/v1/tasks",
        "/api/v1/tasks/{task_id}",
        "/api/v1/tasks/{task_id}/claim",
        "/api/v1/tasks/{task_id}/unclaim",
        "/api/v1/tasks/{task_id}/complete",
    ]:
        assert path in spec["paths"], path
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_healthz(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_paging_bounds_are_enforced(as_user):
    user = as_user("politie")
    for params in ({"limit": 0}, {"limit": 100000}, {"offset": -1}):
        response = user.get("/api/v1/tasks", query_string=params)
        assert response.status_code == 400, params
        assert list(response.get_json()["errors"]["query"]) == list(params)
