"""Who calls the studio and operations APIs: a bearer token (scripts, the REST API), or the web app's
session cookie (the studio's own pages, which then must send the CSRF token in `X-CSRFToken`)."""
from __future__ import annotations

from flask import g, request

from ..errors import Forbidden, Unauthorized
from ..identity import policy
from ..identity.actor import Actor
from ..identity.auth import bearer_token, current_actor

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def api_actor() -> Actor:
    if getattr(g, "actor", None) is not None:
        return g.actor
    if bearer_token() is not None:
        return current_actor()
    from ..web.security import csrf
    from ..identity.second_factor import TotpEnrolmentRequired
    from ..web.session_auth import current_user, must_enrol_first

    user = current_user()
    if user is None:
        raise Unauthorized("Sign in, or send an access token: 'Authorization: Bearer <token>'.")
    if must_enrol_first(user):
        raise TotpEnrolmentRequired("Set up a second factor first (/account/second-factor).")
    if request.method in UNSAFE_METHODS:
        csrf.protect()  # a cookie alone must never be enough to change anything
    g.actor = Actor.for_user(user)
    return g.actor


def protect_api(blueprint, allowed) -> None:
    """Authenticate every request of `blueprint` and require `allowed(actor)` (else 403)."""
    from ..apidoc import PROTECTED, ROLE_GATED

    PROTECTED.add(blueprint.name)
    ROLE_GATED.add(blueprint.name)

    @blueprint.before_request
    def _authenticate():
        actor = api_actor()
        if not allowed(actor):
            raise Forbidden("This needs the role procesbeheerder or beheerder.")


def require(check, actor: Actor, message: str) -> None:
    if not check(actor):
        raise Forbidden(message)


__all__ = ["api_actor", "protect_api", "require", "policy"]
