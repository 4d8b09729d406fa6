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


def login_required(view):
    """Send anonymous visitors to the login page, and back here after they signed in."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if current_user() is None:
            if request.accept_mimetypes.best == "application/json" or request.path.endswith(".json"):
                return {"code": "unauthorized", "message": "Sign in again."}, 401
            return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapper
