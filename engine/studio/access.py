"""Who may use the studio and operations APIs: a bearer token (scripts, the REST API), or the web app's
session cookie (the studio's own pages, which then must send the CSRF token in `X-CSRFToken`)."""

from __future__ import annotations

from ..core.errors import Forbidden
from ..identity.actor import Actor
from ..identity.auth import protect_with_sessions


def protect_api(blueprint, allowed) -> None:
    """Authenticate every request of `blueprint` and require `allowed(actor)` (else 403)."""
    protect_with_sessions(blueprint, allowed, "This needs the role procesbeheerder or beheerder.")


def require(check, actor: Actor, message: str) -> None:
    if not check(actor):
        raise Forbidden(message)
