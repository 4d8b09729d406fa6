"""Who is calling: one `current_actor()` for the API's bearer tokens and the web app's sessions (a password or
an OpenID Connect sign-in, `identity/oidc.py`), resolved once per request and kept in `g.actor`.

A web session is kept on the server, named by a token in the signed cookie and checked on every request
(`service.user_for_web_session`). Signing out, a new password and deactivating the account end it on the
server, so a copied cookie opens nothing afterwards; it also ends by itself when idle or old
(`VB_SESSION_IDLE_MINUTES`, `VB_SESSION_MAX_HOURS`).
"""

from __future__ import annotations

from datetime import timedelta
from functools import wraps

from flask import current_app, g, request, session

from ..core.apidoc import PROTECTED, ROLE_GATED
from ..core.errors import Forbidden, Unauthorized
from . import second_factor
from .actor import Actor
from .models import User
from .service import end_web_session, open_web_session, user_for_token, user_for_web_session, verified_actor

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def current_actor(sessions: bool = False) -> Actor:
    """The caller: by its bearer token, or with `sessions` (the web pages, the studio's and operations' APIs
    that its pages call) by the signed-in web user. A cookie alone never changes anything through an API: its
    unsafe requests must carry the CSRF token (`X-CSRFToken`)."""
    actor = getattr(g, "actor", None)
    if actor is not None:
        return actor
    token = bearer_token()
    if token is None and sessions:
        return _session_actor()
    if token is None:
        raise Unauthorized("Send an access token: 'Authorization: Bearer <token>' (from /api/v1/auth/token).")
    if request.blueprint == "auth":  # the account's own views work on its row
        user = g.user = user_for_token(token)
        actor = g.actor = Actor.for_user(user)
        return actor
    actor, must_enrol = verified_actor(token)
    if must_enrol:
        raise second_factor.TotpEnrolmentRequired(
            "Your role needs a second factor: set one up first (POST /api/v1/auth/totp/enrolment, then "
            "/api/v1/auth/totp/enrolment/confirm); until then only /api/v1/auth/* answers."
        )
    g.actor = actor
    return actor


def _session_actor() -> Actor:
    user = current_user()
    if user is None:
        raise Unauthorized("Sign in, or send an access token: 'Authorization: Bearer <token>'.")
    if request.blueprint != "web":
        if must_enrol_first(user):
            raise second_factor.TotpEnrolmentRequired("Set up a second factor first (/account/second-factor).")
        if request.method in UNSAFE_METHODS:
            current_app.extensions["csrf"].protect()  # the web's own forms are checked by the web blueprint
    g.actor = Actor.for_user(user)
    return g.actor


def login_required(view):
    """Resolve the caller before the view runs; 401 without a valid token."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        current_actor()
        return view(*args, **kwargs)

    return wrapper


def roles_required(*roles: str):
    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            actor = current_actor()
            if not actor.has_role(*roles):
                raise Forbidden(f"This needs one of the roles: {', '.join(roles)}.")
            return view(*args, **kwargs)

        return wrapper

    return decorator


def protect(blueprint) -> None:
    """Require a valid bearer token for every route of `blueprint`, before any argument parsing."""
    PROTECTED.add(blueprint.name)

    @blueprint.before_request
    def _authenticate():
        current_actor()


def protect_with_sessions(blueprint, allowed, refusal: str) -> None:
    """Authenticate every request of `blueprint` by token or web session and require `allowed(actor)`
    (else 403 with `refusal`)."""
    PROTECTED.add(blueprint.name)
    ROLE_GATED.add(blueprint.name)

    @blueprint.before_request
    def _authenticate():
        if not allowed(current_actor(sessions=True)):
            raise Forbidden(refusal)


# --- web sessions -------------------------------------------------------------------------------------------


def _limits() -> tuple[timedelta, timedelta]:
    config = current_app.config
    return (timedelta(minutes=config["VB_SESSION_IDLE_MINUTES"]), timedelta(hours=config["VB_SESSION_MAX_HOURS"]))


def sign_in(user: User, method: str = "password") -> None:
    language = session.get("lang")
    end_web_session(session.get("sid"))
    session.clear()  # a fresh session on every sign-in: no fixation
    session.permanent = True
    session["sid"] = open_web_session(user, method, _limits()[1])
    session["via"] = method
    if language:
        session["lang"] = language
    g.pop("web_user", None)
    g.pop("actor", None)


def sign_out() -> None:
    """End the session on the server too: a copy of the cookie opens nothing afterwards."""
    end_web_session(session.get("sid"))
    _forget()


def _forget() -> None:
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language


def current_user() -> User | None:
    """The signed-in web user, or None."""
    if "web_user" in g:
        return g.web_user
    user = None
    token = session.get("sid")
    if token is not None:
        user = user_for_web_session(token, _limits()[0])
        if user is None:
            _forget()
    g.web_user = user
    return user


def must_enrol_first(user: User) -> bool:
    """A password sign-in of a role that needs a second factor, before one is set up (an OpenID Connect
    sign-in relies on the identity provider's)."""
    return session.get("via") != "oidc" and second_factor.must_enrol(user)
