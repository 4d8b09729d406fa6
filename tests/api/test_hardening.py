"""Answers that carry case data are not cached; demo accounts and demo secrets do not work outside the demo."""

from __future__ import annotations

import pytest

from engine import create_app
from engine.identity.service import get_user, set_password
from engine.webhooks import WebhookConfigError
from engine.webhooks.demo_secrets import DEMO_SECRETS


def test_json_answers_are_neither_cached_nor_sniffed(api, as_user):
    for answer in (
        as_user("beheerder").get("/api/v1/process-instances"),
        api.get("/api/v1/process-instances"),
        api.client.post("/api/v1/auth/token", json={"username": "bzk", "password": "demo"}),
    ):
        assert answer.headers["Cache-Control"] == "no-store"
        assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_a_demo_account_cannot_sign_in_outside_the_demo(app, client):
    app.config["VB_DEMO"] = False
    refused = client.post("/api/v1/auth/token", json={"username": "beheerder", "password": "demo"})
    assert refused.status_code == 401 and "demo account" in refused.get_json()["message"]
    with app.app_context():
        set_password(get_user("beheerder"), "een echt wachtwoord nu")
    assert (
        client.post(
            "/api/v1/auth/token", json={"username": "beheerder", "password": "een echt wachtwoord nu"}
        ).status_code
        == 200
    )


def test_a_demo_webhook_secret_stops_the_start_outside_the_demo(database_url, monkeypatch):
    monkeypatch.setenv("VB_WEBHOOK_SECRET_OM", DEMO_SECRETS["VB_WEBHOOK_SECRET_OM"])
    with pytest.raises(WebhookConfigError, match="VB_WEBHOOK_SECRET_OM holds the demo secret"):
        create_app({"SQLALCHEMY_DATABASE_URI": database_url, "VB_AUTO_MIGRATE": False, "VB_DEMO": False})
    demo = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "VB_AUTO_MIGRATE": False, "VB_DEMO": True})
    assert demo.config["SESSION_COOKIE_SECURE"] is False


def test_cookies_are_secure_by_default_outside_the_demo(database_url, monkeypatch):
    monkeypatch.delenv("VB_SECURE_COOKIES", raising=False)
    monkeypatch.delenv("VB_DEMO", raising=False)
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "VB_AUTO_MIGRATE": False})
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_a_nul_character_is_refused_before_anything_reads_it(as_user, api):
    """PostgreSQL's text cannot hold one: without this refusal a NUL in a body, query or path was a 500 there."""
    gemeente = as_user("gemeente.westbetuwe")
    body = gemeente.post(
        "/api/v1/messages",
        json={"name": "aangifte_geregistreerd", "business_key": "VB-\x00", "variables": {"nummer": ["a\x00"]}},
    )
    assert body.status_code == 422, body.get_json()
    assert body.get_json()["errors"] == {
        "business_key": ["Holds a NUL character."],
        "variables.nummer.0": ["Holds a NUL character."],
    }
    query = gemeente.get("/api/v1/tasks", query_string={"candidate_group": "gemeente\x00"})
    assert query.status_code == 400 and query.get_json()["errors"] == {
        "query": {"candidate_group": ["Holds a NUL character."]}
    }
    path = gemeente.get("/api/v1/process-instances/VB%00x")
    assert path.status_code == 404, path.get_json()
    saved = gemeente.post("/api/v1/saved-searches", json={"name": "Open\x00", "query": {}})
    assert saved.status_code == 422 and list(saved.get_json()["errors"]) == ["name"]
    assert gemeente.get("/api/v1/saved-searches").get_json() == []
    assert api.post("/api/v1/auth/token", json={"username": "bzk\x00", "password": "demo"}).status_code == 422
