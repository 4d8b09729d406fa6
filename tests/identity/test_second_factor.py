"""A second factor (TOTP) for local accounts: enrolment, sign-in with and without a code, recovery codes,
mandatory roles, the throttle (identity/second_factor.py)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pyotp
import sqlalchemy as sa
import time_machine

from engine.db.extensions import db
from engine.identity.models import RecoveryCode, TotpFactor
from engine.identity.service import get_user


def _token(client, username, password="demo", code=None):
    body = {"username": username, "password": password}
    if code is not None:
        body["totp_code"] = code
    return client.post("/api/v1/auth/token", json=body)


def _enrol(api, username="bzk"):
    """Enrol `username` through the API; returns (the secret, the recovery codes)."""
    user = api.login(username)
    started = user.post("/api/v1/auth/totp/enrolment")
    assert started.status_code == 201, started.get_json()
    secret = started.get_json()["secret"]
    assert started.get_json()["otpauth_uri"].startswith("otpauth://totp/")
    confirmed = user.post("/api/v1/auth/totp/enrolment/confirm", json={"code": pyotp.TOTP(secret).now()})
    assert confirmed.status_code == 200, confirmed.get_json()
    return secret, confirmed.get_json()["recovery_codes"]


def _code_at(secret, moment):
    return pyotp.TOTP(secret).at(moment)


def test_enrolment_then_sign_in_asks_the_code(app, client, api):
    secret, codes = _enrol(api)
    assert len(codes) == 10 and len(set(codes)) == 10
    missing = _token(client, "bzk")
    assert missing.status_code == 401 and missing.get_json()["code"] == "totp_required"
    wrong = _token(client, "bzk", code="000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    assert wrong.status_code == 401 and wrong.get_json()["code"] == "totp_invalid"
    later = datetime.now(timezone.utc) + timedelta(seconds=90)  # a new time step: the confirm code is used up
    with time_machine.travel(later, tick=False):
        right = _token(client, "bzk", code=_code_at(secret, later))
        assert right.status_code == 200
        again = _token(client, "bzk", code=_code_at(secret, later))  # one code opens one sign-in
        assert again.status_code == 401 and again.get_json()["code"] == "totp_invalid"
    me = api.client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {right.get_json()['access_token']}"})
    assert me.get_json()["totp_enabled"] is True


def test_the_secret_is_sealed_at_rest_and_the_recovery_codes_are_digests(app, api):
    secret, codes = _enrol(api)
    with app.app_context():
        user = get_user("bzk")
        stored = db.session.get(TotpFactor, user.id).secret
        assert secret.encode() not in bytes(stored) and bytes(stored).startswith(b"VB1")
        hashes = db.session.scalars(sa.select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
        assert len(hashes) == 10 and not any(code.replace("-", "") in h for code in codes for h in hashes)


def test_a_recovery_code_works_once(client, api):
    _, codes = _enrol(api)
    assert _token(client, "bzk", code=codes[3]).status_code == 200
    reused = _token(client, "bzk", code=codes[3])
    assert reused.status_code == 401 and reused.get_json()["code"] == "totp_invalid"
    assert _token(client, "bzk", code=codes[4].upper().replace("-", " ")).status_code == 200


def test_wrong_codes_count_in_the_throttle(client, api):
    secret, codes = _enrol(api)
    answers = [
        _token(client, "bzk", code=f"{n:06d}").get_json()["code"]
        for n in range(10)
        if f"{n:06d}" != pyotp.TOTP(secret).now()
    ][:10]
    answers += [_token(client, "bzk", code="12345x").get_json()["code"] for _ in range(10 - len(answers))]
    assert answers == ["totp_invalid"] * 10
    locked = _token(client, "bzk", code=codes[0])  # the right password and a right code: still locked
    assert locked.status_code == 429 and locked.headers["Retry-After"]


def test_a_wrong_password_is_not_told_apart_by_the_second_factor(client, api):
    _enrol(api)
    wrong = _token(client, "bzk", password="not-the-password")
    assert wrong.status_code == 401 and wrong.get_json()["code"] == "unauthorized"


def test_disable_needs_password_and_code(app, client, api):
    secret, codes = _enrol(api)
    user = api.login("bzk", totp_code=codes[0])
    assert user.post("/api/v1/auth/totp/disable", json={"password": "wrong", "code": codes[1]}).status_code == 401
    bad = user.post("/api/v1/auth/totp/disable", json={"password": "demo", "code": "zzzz"})
    assert bad.status_code == 401 and bad.get_json()["code"] == "totp_invalid"
    assert user.post("/api/v1/auth/totp/disable", json={"password": "demo", "code": codes[1]}).status_code == 204
    assert _token(client, "bzk").status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)) == 0


def test_enrolment_refuses_a_wrong_first_code_and_a_second_enrolment(api):
    user = api.login("om")
    secret = user.post("/api/v1/auth/totp/enrolment").get_json()["secret"]
    right = pyotp.TOTP(secret).now()
    wrong = user.post("/api/v1/auth/totp/enrolment/confirm", json={"code": "1" * 6 if right != "1" * 6 else "2" * 6})
    assert wrong.status_code == 422
    assert user.post("/api/v1/auth/totp/enrolment/confirm", json={"code": right}).status_code == 200
    assert user.post("/api/v1/auth/totp/enrolment").status_code == 409


def test_a_code_of_any_characters_is_a_wrong_code(client, api):
    """Digits of another script, letters with accents: refused as wrong, never a server error."""
    user = api.login("ivp")
    user.post("/api/v1/auth/totp/enrolment")
    for code in ("１２３４５６", "é", "12345\u0663"):
        wrong = user.post("/api/v1/auth/totp/enrolment/confirm", json={"code": code})
        assert wrong.status_code == 422, (code, wrong.get_json())
    secret, _ = _enrol(api, "om")
    answer = _token(client, "om", code="１２３４５６")
    assert answer.status_code == 401 and answer.get_json()["code"] == "totp_invalid"


def test_a_mandatory_role_can_do_nothing_but_enrol(app, client, api):
    app.config["VB_TOTP_REQUIRED_ROLES"] = "gemeente"
    token = _token(client, "gemeente.westbetuwe")
    assert token.status_code == 200
    headers = {"Authorization": f"Bearer {token.get_json()['access_token']}"}
    blocked = client.get("/api/v1/process-instances", headers=headers)
    assert blocked.status_code == 403 and blocked.get_json()["code"] == "totp_enrolment_required"
    assert client.get("/api/v1/auth/me", headers=headers).get_json()["totp_required"] is True
    secret = client.post("/api/v1/auth/totp/enrolment", headers=headers).get_json()["secret"]
    assert (
        client.post(
            "/api/v1/auth/totp/enrolment/confirm", headers=headers, json={"code": pyotp.TOTP(secret).now()}
        ).status_code
        == 200
    )
    assert client.get("/api/v1/process-instances", headers=headers).status_code == 200
    # a role outside the setting is not asked
    assert client.get("/api/v1/process-instances", headers=api.login("bzk").headers).status_code == 200


def test_the_default_is_off_in_the_demo_and_the_sensitive_readers_outside(app):
    from engine.identity import second_factor

    with app.app_context():
        app.config["VB_TOTP_REQUIRED_ROLES"] = None
        assert second_factor.required_roles() == frozenset()
        app.config["VB_DEMO"] = False
        assert second_factor.required_roles() == {"ambtsdrager", "gemeente", "politie"}
        app.config["VB_TOTP_REQUIRED_ROLES"] = ""
        assert second_factor.required_roles() == frozenset()


def test_an_administrator_resets_the_second_factor(app, client, api):
    _enrol(api)
    result = app.test_cli_runner().invoke(args=["users", "reset-totp", "bzk"])
    assert result.exit_code == 0 and "removed" in result.output
    assert _token(client, "bzk").status_code == 200
    again = app.test_cli_runner().invoke(args=["users", "reset-totp", "bzk"])
    assert again.exit_code == 0 and "had no second factor" in again.output
    assert app.test_cli_runner().invoke(args=["users", "reset-totp", "niemand"]).exit_code != 0
