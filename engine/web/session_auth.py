"""Who is signed in to the web app: a session kept on the server, named by a token in the signed cookie and
checked on every request (`identity.service.user_for_web_session`).

Signing out, a new password and deactivating the account end the session on the server, so a copied cookie
opens nothing afterwards; it also ends by itself when idle or old (`VB_SESSION_IDLE_MINUTES`,
`VB_SESSION_MAX_HOURS`).
"""
from __future__ import annotations

from functools import wraps

from datetime import timedelta

from flask import current_app, g, redirect, request, session, url_for

from ..identity import second_factor
from ..identity.actor import Actor
from ..identity.models import User
from ..identity.service import end_web_session, open_web_session, user_for_web_session


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


def web_actor() -> Actor:
    return Actor.for_user(current_user())


# The pages a user whose role needs a second factor can open before setting one up
ENROLMENT_ENDPOINTS = frozenset({"web.second_factor_page", "web.second_factor_setup", "web.second_factor_confirm",
                                 "web.logout", "web.choose_language"})


def must_enrol_first(user: User) -> bool:
    """A password sign-in of a role that needs a second factor, before one is set up (an OpenID Connect
    sign-in relies on the identity provider's)."""
    return session.get("via") != "oidc" and second_factor.must_enrol(user)


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json" or request.path.endswith(".json")


def login_required(view):
    """Send anonymous visitors to the login page, and back here after they signed in; a user who must set up
    a second factor first, to its page."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        user = current_user()
        if user is None:
            if _wants_json():
                return {"code": "unauthorized", "message": "Sign in again."}, 401
            return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
        if request.endpoint not in ENROLMENT_ENDPOINTS and must_enrol_first(user):
            if _wants_json():
                return {"code": "totp_enrolment_required", "message": "Set up a second factor first."}, 403
            return redirect(url_for("web.second_factor_page"))
        return view(*args, **kwargs)

    return wrapper
