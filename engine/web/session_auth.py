"""The web pages' sign-in guard: anonymous visitors go to the login page, and a user who must set up a second
factor first to its page. Who the user is comes from `identity.auth` (one `current_actor()` for tokens and
sessions)."""

from __future__ import annotations

from functools import wraps

from flask import redirect, request, url_for

from ..identity.auth import current_user, must_enrol_first

# The pages a user whose role needs a second factor can open before setting one up
ENROLMENT_ENDPOINTS = frozenset(
    {
        "web.second_factor_page",
        "web.second_factor_setup",
        "web.second_factor_confirm",
        "web.logout",
        "web.choose_language",
    }
)


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
