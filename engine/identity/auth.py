"""Bearer-token authentication for the API: who is calling, checked before every view."""
from __future__ import annotations

from functools import wraps

from flask import g, request

from ..errors import Forbidden, Unauthorized
from . import second_factor
from .actor import Actor
from .service import user_for_token, verified_actor


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def current_actor() -> Actor:
    actor = getattr(g, "actor", None)
    if actor is None:
        token = bearer_token()
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
                "/api/v1/auth/totp/enrolment/confirm); until then only /api/v1/auth/* answers.")
        g.actor = actor
    return actor


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
    from ..apidoc import PROTECTED

    PROTECTED.add(blueprint.name)

    @blueprint.before_request
    def _authenticate():
        current_actor()
