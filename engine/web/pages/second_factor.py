"""The second factor in the web app: the code asked after the password, and setting it up, seeing the
recovery codes once, and switching it off (identity/second_factor.py)."""

from __future__ import annotations

import time

from flask import flash, redirect, render_template, request, session, url_for

from ...core.errors import ApiError, TooManyRequests
from ...identity import second_factor
from ...identity.models import User
from ...identity.service import check_second_factor, disable_second_factor, user_by_id
from ..blueprint import bp
from ..i18n import _
from ..security import safe_next
from ...identity.auth import current_user, sign_in
from ..session_auth import login_required

# How long the code page waits after the right password before the password is asked again
PENDING_SECONDS = 300


def start_code_step(user: User, target: str):
    """The password was right and the account has a second factor: ask for the code next. The signed
    session cookie remembers whose password it was, for a few minutes; nobody is signed in yet."""
    session["totp_pending"] = {"user": user.id, "at": int(time.time()), "next": target}
    return redirect(url_for("web.login_code"))


def _pending_user() -> tuple[User | None, str]:
    pending = session.get("totp_pending") or {}
    target = safe_next(pending.get("next"), url_for("web.inbox"))
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None, target
    user = user_by_id(pending.get("user"))
    return (user if user is not None and user.is_active else None), target


def _retry_minutes(err: TooManyRequests) -> int:
    return max(1, round(err.extra["retry_after"] / 60))


@bp.route("/login/code", methods=["GET", "POST"])
def login_code():
    user, target = _pending_user()
    if user is None:
        session.pop("totp_pending", None)
        flash(_("Sign in again: the code was not entered in time."), "error")
        return redirect(url_for("web.login"))
    if request.method == "GET":
        return render_template("login_code.html")
    try:
        check_second_factor(user, request.form.get("code"), request.remote_addr or "-")
    except TooManyRequests as err:
        session.pop("totp_pending", None)
        return (
            render_template(
                "login_code.html",
                error=_(
                    "Too many failed sign-ins. Try again in %(minutes)s minutes, or ask an administrator to unlock your "
                    "account.",
                    minutes=_retry_minutes(err),
                ),
            ),
            429,
            {"Retry-After": str(err.extra["retry_after"])},
        )
    except second_factor.TotpInvalid:
        return render_template("login_code.html", error=_("The code is not correct, or was used already.")), 401
    sign_in(user)
    return redirect(target)


@bp.get("/account/second-factor")
@login_required
def second_factor_page():
    user = current_user()
    secret = second_factor.pending_secret(user)
    return render_template(
        "second_factor.html",
        enabled=second_factor.is_enabled(user),
        required=second_factor.must_enrol(user),
        enrolment=second_factor.enrolment_view(user, secret) if secret else None,
        remaining=second_factor.remaining_recovery_codes(user),
    )


@bp.post("/account/second-factor/setup")
@login_required
def second_factor_setup():
    try:
        second_factor.begin_enrolment(current_user())
    except ApiError:
        flash(_("A second factor is already set up for this account."), "error")
    return redirect(url_for("web.second_factor_page"))


@bp.post("/account/second-factor/confirm")
@login_required
def second_factor_confirm():
    user = current_user()
    try:
        codes = second_factor.confirm_enrolment(user, request.form.get("code") or "")
    except ApiError as err:
        secret = second_factor.pending_secret(user)
        error = (
            _("The code is not correct. Type the six digits the app shows now.")
            if err.status == 422
            else _("Start the set-up again.")
        )
        return render_template(
            "second_factor.html",
            enabled=False,
            required=second_factor.must_enrol(user),
            enrolment=second_factor.enrolment_view(user, secret) if secret else None,
            remaining=0,
            error=error,
        ), err.status
    # shown once: the page is not cached, and the codes are not kept anywhere but as digests
    return (
        render_template(
            "second_factor.html",
            enabled=True,
            required=False,
            enrolment=None,
            recovery_codes=codes,
            remaining=len(codes),
        ),
        200,
        {"Cache-Control": "no-store"},
    )


@bp.post("/account/second-factor/disable")
@login_required
def second_factor_disable():
    user = current_user()
    try:
        disable_second_factor(
            user.username,
            request.form.get("password") or "",
            request.form.get("code") or "",
            request.remote_addr or "-",
        )
    except TooManyRequests as err:
        flash(
            _(
                "Too many failed sign-ins. Try again in %(minutes)s minutes, or ask an administrator to unlock "
                "your account.",
                minutes=_retry_minutes(err),
            ),
            "error",
        )
    except ApiError:
        flash(_("The password or the code is not correct; the second factor stays on."), "error")
    else:
        flash(_("The second factor is switched off."), "success")
    return redirect(url_for("web.second_factor_page"))
