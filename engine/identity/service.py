"""Users and API tokens."""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from ..core.errors import Conflict, NotFound, Unauthorized, Unprocessable
from ..db.extensions import db
from ..core.timeutil import as_utc, utcnow
from .models import ApiToken, User, WebSession
from . import second_factor, throttle, token_cache
from .actor import Actor
from .demo_accounts import DEMO_PASSWORD, DEMO_USERNAMES
from .passwords import check_password_policy, hash_password, needs_rehash, verify_password
from . import police_units
from .roles import MUNICIPAL_ROLES, POLITIE, ROLES

_MUNICIPALITY = re.compile(r"^GM\d{4}$")


def _check_roles(roles: list, municipality_code: str | None) -> None:
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise Unprocessable(f"Unknown role(s): {', '.join(unknown)}; roles are: {', '.join(ROLES)}.")
    if set(roles) & MUNICIPAL_ROLES and not municipality_code:
        raise Unprocessable("Users with a municipal role (ambtsdrager, gemeente) need a municipality code.")
    if municipality_code and not _MUNICIPALITY.match(municipality_code):
        raise Unprocessable("A municipality code is a CBS code such as GM0668.")


def create_user(
    username: str,
    password: str,
    roles: list,
    municipality_code: str | None = None,
    display_name: str = "",
    police_unit: str | None = None,
) -> User:
    username = username.strip().lower()
    if not re.match(r"^[a-z0-9._-]{2,120}$", username):
        raise Unprocessable("A username has 2-120 characters: letters, digits, '.', '_' or '-'.")
    check_password_policy(password, username)
    municipality_code = municipality_code.strip().upper() if municipality_code else None
    _check_roles(roles, municipality_code)
    if police_unit is not None and (police_unit not in police_units.UNITS or POLITIE not in roles):
        raise Unprocessable(f"A police unit is for police users, one of: {', '.join(police_units.UNITS)}.")
    if db.session.scalar(sa.select(User.id).where(User.username == username)):
        raise Conflict(f"User '{username}' already exists.")
    user = User(
        username=username,
        password_hash=hash_password(password),
        roles=list(roles),
        municipality_code=municipality_code,
        display_name=display_name or username,
        police_unit=police_unit,
    )
    db.session.add(user)
    db.session.commit()
    return user


def find_user(username: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.username == username.strip().lower()))


def user_by_id(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def display_names(usernames) -> dict:
    """{username: display name} of the named users (the username where a user has none), in one query."""
    names = {u for u in usernames if u}
    if not names:
        return {}
    rows = db.session.execute(sa.select(User.username, User.display_name).where(User.username.in_(names)))
    return {username: (display or username) for username, display in rows}


def get_user(username: str) -> User:
    user = find_user(username)
    if user is None:
        raise NotFound(f"No user '{username}'.")
    return user


def set_password(user: User, password: str) -> None:
    check_password_policy(password, user.username)
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    _end_access(user)
    db.session.commit()


def change_password(username: str, current: str, new: str, client: str = "-") -> None:
    """A user's own change: the current password is checked (and throttled) as a sign-in is."""
    user = authenticate(username, current, client, ask_code=False)
    if user is None:
        raise Unauthorized("The current password is not correct.")
    set_password(user, new)


def disable_second_factor(username: str, password: str, code: str, client: str = "-") -> None:
    """A user's own disable: the password and a code (or recovery code) are asked again, and throttled."""
    user = authenticate(username, password, client, ask_code=False)
    if user is None:
        raise Unauthorized("The password is not correct.")
    if not second_factor.is_enabled(user):
        raise Conflict("This account has no second factor.")
    check_second_factor(user, code, client)
    second_factor.remove(user)


def deactivate_user(user: User) -> None:
    """The account can no longer sign in; its tokens and web sessions end at once."""
    user.is_active = False
    _end_access(user)
    db.session.commit()


def _end_access(user: User) -> None:
    now = utcnow()
    for token in user.tokens:
        if token.revoked_at is None:
            token.revoked_at = now
    db.session.execute(
        sa.update(WebSession)
        .where(WebSession.user_id == user.id, WebSession.ended_at.is_(None))
        .values(ended_at=now)
        .execution_options(synchronize_session=False)
    )


def authenticate(
    username: str, password: str, client: str = "-", code: str | None = None, ask_code: bool = True
) -> User | None:
    """The user if the password is right; None otherwise. 429 (TooManyRequests) while the account or the
    client is throttled (`throttle.py`), before the password is checked. With a second factor set up (and
    `ask_code`), the code too: 401 `totp_required` without one, `totp_invalid` (a counted failure) for a wrong
    one; the account's failures are forgotten only when both were right."""
    username = (username or "").strip().lower()
    throttle.check_allowed(username, client)
    user = db.session.scalar(sa.select(User).where(User.username == username))
    ok = verify_password(user.password_hash if user else None, password or "")
    if not ok or user is None or not user.is_active:
        throttle.record_failure(username, client)
        return None
    if password == DEMO_PASSWORD and username in DEMO_USERNAMES and not current_app.config["VB_DEMO"]:
        raise Unauthorized(
            f"'{username}' is a demo account with the demo password; outside the demo (VB_DEMO) it "
            "cannot sign in: give it a real password (flask users reset-password) or deactivate it."
        )
    if ask_code and second_factor.is_enabled(user):
        if not (code or "").strip():
            raise second_factor.TotpRequired(
                "This account signs in with a second factor: send the code of the "
                "authenticator app (or a recovery code) as totp_code."
            )
        check_second_factor(user, code, client)
    if throttle.clear(username):
        db.session.commit()
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        db.session.commit()
    return user


def check_second_factor(user: User, code: str | None, client: str = "-") -> None:
    """The second step of a sign-in (the password was right): 401 `totp_invalid` for a wrong code, counted
    as a failed sign-in; 429 while the account is throttled."""
    throttle.check_allowed(user.username, client)
    if not second_factor.verify(user, code):
        db.session.rollback()
        throttle.record_failure(user.username, client)
        raise second_factor.TotpInvalid("The code of the second factor is not correct (or was used already).")
    throttle.clear(user.username)
    db.session.commit()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(user: User, ttl_seconds: int) -> tuple[str, int]:
    token = "vb_" + secrets.token_urlsafe(32)
    db.session.add(
        ApiToken(user_id=user.id, token_hash=_digest(token), expires_at=utcnow() + timedelta(seconds=ttl_seconds))
    )
    db.session.commit()
    return token, ttl_seconds


def user_for_token(token: str) -> User:
    return _token_and_user(token)[1]


def _token_and_user(token: str) -> tuple[ApiToken, User]:
    row = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is None or row.revoked_at is not None or as_utc(row.expires_at) <= utcnow():
        raise Unauthorized("The access token is invalid or has expired; request a new one at /api/v1/auth/token.")
    user = db.session.get(User, row.user_id)
    if user is None or not user.is_active:
        raise Unauthorized("This account is disabled.")
    return row, user


def verified_actor(token: str) -> tuple[Actor, bool]:
    """The Actor a valid token stands for and whether its user must set up a second factor first; from the
    token cache while its entry is fresh (`token_cache.py` says how soon a revocation takes effect)."""
    digest, now = _digest(token), utcnow()
    bound = token_cache.bound()
    store = token_cache.cache()
    entry = store.get(digest, now, bound) if bound > 0 else None
    if entry is None:
        row, user = _token_and_user(token)
        entry = token_cache.Entry(
            user.id, Actor.for_user(user), second_factor.must_enrol(user), as_utc(row.expires_at), time.monotonic()
        )
        if bound > 0:
            store.put(digest, entry)
    return entry.actor, entry.must_enrol


def revoke_token(token: str) -> None:
    row = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        db.session.commit()


# --- web sessions ---------------------------------------------------------------------------------------

# A session's last request is written at most this often (not on every page), so idle timeouts are exact to
# within this margin.
_TOUCH_EVERY = timedelta(minutes=1)


def open_web_session(user: User, via: str, lifetime: timedelta) -> str:
    """A new server-side session for a browser; returns the token its cookie carries."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(
        WebSession(
            token_hash=_digest(token),
            user_id=user.id,
            via=via,
            created_at=now,
            last_seen_at=now,
            expires_at=now + lifetime,
        )
    )
    db.session.commit()
    return token


def user_for_web_session(token: str | None, idle: timedelta) -> User | None:
    """The active user of a live web session, or None: ended, expired, idle too long, unknown token, or a
    deactivated account (one query; the last-seen time is written about once a minute)."""
    if not token:
        return None
    row = db.session.execute(
        sa.select(WebSession, User)
        .join(User, User.id == WebSession.user_id)
        .where(WebSession.token_hash == _digest(token))
    ).first()
    if row is None:
        return None
    web_session, user = row
    now = utcnow()
    if (
        web_session.ended_at is not None
        or as_utc(web_session.expires_at) <= now
        or as_utc(web_session.last_seen_at) + idle <= now
        or not user.is_active
    ):
        return None
    if now - as_utc(web_session.last_seen_at) >= _TOUCH_EVERY:
        web_session.last_seen_at = now
        db.session.commit()
    return user


def end_web_session(token: str | None) -> None:
    if not token:
        return
    db.session.execute(
        sa.update(WebSession)
        .where(WebSession.token_hash == _digest(token), WebSession.ended_at.is_(None))
        .values(ended_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
