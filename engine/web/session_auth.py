"""Who is signed in to the web app: a user id in the signed session cookie, checked on every request.

The session also holds the moment the password last changed, so a password reset ends every session.
"""
from __future__ import annotations

from functools import wraps

from flask import g, redirect, request, session, url_for

from ..extensions import db
from ..identity.actor import Actor
from ..identity.models import User


def _stamp(user: User) -> str:
    return user.password_changed_at.isoformat() if user.password_changed_at else ""


def sign_in(user: User, method: str = "password") -> None:
    language = session.get("lang")
    session.clear()  # a fresh session on every sign-in: no fixation
    session.permanent = True
    session["uid"] = user.id
    session["stamp"] = _stamp(user)
    session["via"] = method
    if language:
        session["lang"] = language


def sign_out() -> None:
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language


def current_user() -> User | None:
    if "web_user" in g:
        return g.web_user
    user = None
    uid = session.get("uid")
    if uid is not None:
        user = db.session.get(User, uid)
        if user is None or not user.is_active or session.get("stamp") != _stamp(user):
            user = None
            sign_out()
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
