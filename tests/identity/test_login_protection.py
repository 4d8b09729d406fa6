"""Password guessing is slowed down (identity/throttle.py) and passwords follow a policy (identity/passwords.py)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import time_machine

from engine.core.errors import Unprocessable
from engine.db.extensions import db
from engine.identity.service import create_user, get_user
from tests.web.conftest import WebClient


def _token(client, username, password):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password})


def test_eleven_wrong_passwords_lock_the_account_until_the_window_passes(client):
    start = datetime.now(timezone.utc)
    with time_machine.travel(start, tick=False) as clock:
        assert [_token(client, "bzk", f"guess-{n}").status_code for n in range(10)] == [401] * 10
        eleventh = _token(client, "bzk", "guess-10")
        assert eleventh.status_code == 429 and eleventh.get_json()["code"] == "too_many_attempts"
        assert 14 * 60 < int(eleventh.headers["Retry-After"]) <= 15 * 60
        assert _token(client, "bzk", "demo").status_code == 429  # the right one too
        assert _token(client, "om", "demo").status_code == 200  # another account is not affected
        clock.move_to(start + timedelta(minutes=15, seconds=1))
        assert _token(client, "bzk", "demo").status_code == 200


def test_an_unknown_account_is_throttled_like_a_known_one(client):
    answers = [_token(client, "niemand.bekend", "x").status_code for _ in range(11)]
    assert answers == [401] * 10 + [429]


def test_an_administrator_unlocks_an_account(app, client):
    for n in range(10):
        _token(client, "ivp", f"guess-{n}")
    assert _token(client, "ivp", "demo").status_code == 429
    result = app.test_cli_runner().invoke(args=["users", "unlock", "ivp"])
    assert result.exit_code == 0 and "10 failed sign-in(s) forgotten" in result.output
    assert _token(client, "ivp", "demo").status_code == 200


def test_one_client_address_guessing_many_accounts_is_throttled(app, client):
    app.config["VB_LOGIN_MAX_FAILURES_PER_CLIENT"] = 3
    assert [_token(client, name, "wrong").status_code for name in ("bzk", "om", "ivp")] == [401, 401, 401]
    assert _token(client, "politie", "demo").status_code == 429
    other = app.test_client()
    other_answer = other.post(
        "/api/v1/auth/token",
        json={"username": "politie", "password": "demo"},
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
    )
    assert other_answer.status_code == 200


def test_the_sign_in_page_says_when_to_try_again(app):
    web = WebClient(app)
    web.get("/login")
    for n in range(10):
        assert web.post("/login", {"username": "bzk", "password": f"guess-{n}"}).status_code == 401
    locked = web.post("/login", {"username": "bzk", "password": "demo"})
    assert locked.status_code == 429 and locked.headers["Retry-After"]
    assert "Te veel mislukte" in locked.get_data(as_text=True) or "Too many failed" in locked.get_data(as_text=True)


@pytest.mark.parametrize(
    "password, reason",
    [
        ("kort-wachtw", "at least 12"),
        ("wachtwoord1234", "too common"),
        ("Welkom123456", "too common"),
        ("aaaaaaaaaaaaaa", "too common"),
        ("ik-ben-oov.utrecht-echt", "username"),
    ],
)
def test_weak_passwords_are_refused(app, password, reason):
    with app.app_context(), pytest.raises(Unprocessable, match=f"(?i){reason}"):
        create_user("oov.utrecht", password, ["gemeente"], "GM0344")


def test_changing_a_password_needs_the_current_one_and_ends_every_token(app, client, api):
    with app.app_context():
        create_user("oov.utrecht", "drie losse woorden hier", ["gemeente"], "GM0344")
    user = api.login("oov.utrecht", "drie losse woorden hier")
    wrong = user.post("/api/v1/auth/password", json={"current_password": "fout", "new_password": "x" * 20})
    assert wrong.status_code == 401
    weak = user.post(
        "/api/v1/auth/password", json={"current_password": "drie losse woorden hier", "new_password": "wachtwoord1234"}
    )
    assert weak.status_code == 422 and "password" in weak.get_json()["errors"]
    changed = user.post(
        "/api/v1/auth/password",
        json={"current_password": "drie losse woorden hier", "new_password": "vier andere woorden nu"},
    )
    assert changed.status_code == 204
    assert user.get("/api/v1/auth/me").status_code == 401
    assert _token(client, "oov.utrecht", "drie losse woorden hier").status_code == 401
    assert _token(client, "oov.utrecht", "vier andere woorden nu").status_code == 200
    with app.app_context():
        assert get_user("oov.utrecht").password_changed_at is not None
        db.session.remove()
