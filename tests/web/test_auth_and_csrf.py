"""Signing in and out, sessions, CSRF and security headers of the web pages (Flask test client)."""

from __future__ import annotations

import json

import pytest

from engine.identity.service import get_user, set_password

PAGES = ["/", "/cases", "/start", "/start/simple_case"]


@pytest.mark.parametrize(
    "path", PAGES + ["/tasks/00000000-0000-0000-0000-000000000000", "/cases/00000000-0000-0000-0000-000000000000"]
)
def test_anonymous_visitors_are_sent_to_the_login_page(app, path):
    response = app.test_client().get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_live_refresh_endpoint_answers_401_without_a_session(app):
    response = app.test_client().get("/inbox/updates.json")
    assert response.status_code == 401
    assert response.get_json()["code"] == "unauthorized"


def test_wrong_password_keeps_the_username_and_says_what_is_wrong(browser_for):
    client = browser_for()
    client.get("/login")
    response = client.post("/login", {"username": "gemeente.westbetuwe", "password": "wrong"})
    assert response.status_code == 401
    page = response.get_data(as_text=True)
    assert "De gebruikersnaam of het wachtwoord klopt niet." in page
    assert 'value="gemeente.westbetuwe"' in page
    assert client.get("/").status_code == 302


def test_session_cookie_is_http_only_and_same_site(browser_for):
    client = browser_for()
    client.get("/login")
    response = client.post("/login", {"username": "politie", "password": "demo"})
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("vb_session=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_sign_out_ends_the_session(browser_for):
    client = browser_for("politie")
    assert client.get("/").status_code == 200
    response = client.post("/logout")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.get("/").status_code == 302


def _copy_of_cookie(app, client):
    """Another browser holding a copy of `client`'s session cookie, as a thief would."""
    copy = app.test_client()
    cookie = client.client.get_cookie("vb_session")
    copy.set_cookie("vb_session", cookie.value)
    return copy


def test_a_session_cookie_copied_before_sign_out_opens_nothing_after_it(app, browser_for):
    client = browser_for("politie")
    copy = _copy_of_cookie(app, client)
    assert copy.get("/").status_code == 200  # the copy works while the session lives
    client.post("/logout")
    assert copy.get("/").status_code == 302
    assert copy.get("/cases").status_code == 302


def test_deactivating_an_account_ends_its_sessions(app, browser_for):
    from engine.identity.service import deactivate_user

    client = browser_for("politie")
    copy = _copy_of_cookie(app, client)
    with app.app_context():
        deactivate_user(get_user("politie"))
    assert client.get("/").status_code == 302 and copy.get("/").status_code == 302


def test_an_idle_or_old_session_ends_by_itself(app, browser_for):
    import time_machine
    from datetime import datetime, timedelta, timezone

    start = datetime.now(timezone.utc)
    with time_machine.travel(start, tick=False):
        client = browser_for("politie")
    idle = timedelta(minutes=app.config["VB_SESSION_IDLE_MINUTES"])
    with time_machine.travel(start + idle - timedelta(minutes=2), tick=False):
        assert client.get("/").status_code == 200  # in use: the idle time starts again
    with time_machine.travel(start + 2 * idle - timedelta(minutes=3), tick=False):
        assert client.get("/").status_code == 200
    with time_machine.travel(start + 3 * idle, tick=False):
        assert client.get("/").status_code == 302  # idle too long
    with time_machine.travel(start, tick=False):
        client = browser_for("politie")
    lifetime = timedelta(hours=app.config["VB_SESSION_MAX_HOURS"])
    moment = start
    while moment < start + lifetime - idle:  # kept busy all day ...
        moment += idle / 2
        with time_machine.travel(moment, tick=False):
            assert client.get("/").status_code == 200
    with time_machine.travel(start + lifetime + timedelta(minutes=1), tick=False):
        assert client.get("/").status_code == 302  # ... it still ends at its lifetime


def test_a_password_change_ends_existing_sessions(app, browser_for):
    client = browser_for("politie")
    with app.app_context():
        set_password(get_user("politie"), "another-long-secret")
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example"])
def test_login_never_redirects_off_site(browser_for, target):
    client = browser_for()
    client.get("/login")
    response = client.post("/login", {"username": "politie", "password": "demo", "next": target})
    assert response.headers["Location"] == "/"


def test_login_returns_to_the_page_asked_for(browser_for):
    client = browser_for()
    client.get("/login?next=/cases")
    response = client.post("/login", {"username": "politie", "password": "demo", "next": "/cases"})
    assert response.headers["Location"] == "/cases"


@pytest.mark.parametrize(
    "path,data",
    [
        ("/logout", {}),
        ("/language", {"lang": "en"}),
        ("/tasks/{task}/claim", {}),
        ("/tasks/{task}/unclaim", {}),
        ("/tasks/{task}", {"variables": json.dumps({"category": "bedreiging"})}),
        ("/start/simple_case", {"variables": json.dumps({"summary": "x", "municipality_code": "GM0668"})}),
    ],
)
def test_every_form_post_needs_the_csrf_token(app, browser_for, case, path, data):
    _, _, task_id = case
    client = browser_for("gemeente.westbetuwe")
    url = path.format(task=task_id)
    missing = client.post(url, data, csrf=False)
    assert missing.status_code == 400
    assert "Het formulier stond te lang open of kwam van elders" in missing.get_data(as_text=True)
    forged = client.post(url, dict(data, csrf_token="forged"), csrf=False)
    assert forged.status_code == 400
    # nothing happened: the task is still open and unclaimed, the user still signed in
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "niet opgepakt" in page and "Taak afronden" in page


def test_login_form_needs_the_csrf_token(app):
    response = app.test_client().post("/login", data={"username": "politie", "password": "demo"})
    assert response.status_code == 400


def test_the_api_keeps_working_without_csrf(api):
    assert api.post("/api/v1/auth/token", json={"username": "politie", "password": "demo"}).status_code == 200


def test_security_headers_on_every_page(browser_for, case):
    client = browser_for("gemeente.westbetuwe")
    case_id, _, task_id = case
    for path in ["/login", "/", f"/tasks/{task_id}", f"/cases/{case_id}", "/cases", "/start"]:
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-eval" not in csp and "frame-ancestors 'none'" in csp
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["Cache-Control"] == "no-store", path


def test_pages_contain_no_inline_script(browser_for, case):
    client = browser_for("gemeente.westbetuwe")
    case_id, _, task_id = case
    import re

    for path in ["/", f"/tasks/{task_id}", f"/cases/{case_id}", "/start/simple_case"]:
        page = client.get(path).get_data(as_text=True)
        for tag in re.findall(r"<script[^>]*>", page):
            assert "src=" in tag or 'type="application/json"' in tag, (path, tag)


def test_language_choice_is_kept_in_the_session(browser_for):
    client = browser_for("politie")
    assert '<html lang="nl"' in client.get("/").get_data(as_text=True)
    response = client.post("/language", {"lang": "en", "next": "/cases"})
    assert response.headers["Location"] == "/cases"
    page = client.get("/cases").get_data(as_text=True)
    assert '<html lang="en"' in page and ">Cases</h1>" in page
    assert client.post("/language", {"lang": "de"}).status_code == 400


def test_oidc_is_off_without_configuration(browser_for):
    client = browser_for()
    assert client.get("/login/oidc").status_code == 404
    assert client.get("/login/oidc/callback?code=x&state=y").status_code == 404
    assert "/login/oidc" not in client.get("/login").get_data(as_text=True)


def test_unknown_addresses_are_a_page_for_people_and_json_for_programs(app):
    client = app.test_client()
    page = client.get("/no-such-page", headers={"Accept": "text/html,application/xhtml+xml"})
    assert page.status_code == 404 and "Pagina niet gevonden" in page.get_data(as_text=True)
    api = client.get("/api/v1/no-such-thing", headers={"Accept": "text/html"})
    assert api.status_code == 404 and api.get_json()["code"] == "not_found"
    assert client.get("/no-such-page").get_json()["code"] == "not_found"
