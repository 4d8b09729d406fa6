"""Signing in and out (password or OpenID Connect), and choosing the language."""

from __future__ import annotations

import logging

from flask import abort, flash, redirect, render_template, request, session, url_for

from ...core.errors import TooManyRequests
from ...identity import second_factor
from ...identity.service import authenticate, find_user
from ..blueprint import bp
from ..i18n import LANGUAGES, _
from ...identity.oidc import client as oidc_client
from ...identity.oidc import username_from
from ..security import safe_next
from ...identity.auth import current_user, sign_in, sign_out
from .second_factor import start_code_step

log = logging.getLogger(__name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    target = safe_next(request.values.get("next"), url_for("web.inbox"))
    if request.method == "GET":
        if current_user() is not None:
            return redirect(target)
        return render_template("login.html", next=target, username="")
    username = (request.form.get("username") or "").strip()
    try:
        user = authenticate(username, request.form.get("password") or "", request.remote_addr or "-")
    except second_factor.TotpRequired:
        return start_code_step(find_user(username), target)
    except TooManyRequests as err:
        response = render_template(
            "login.html",
            next=target,
            username=username,
            error=_(
                "Too many failed sign-ins. Try again in %(minutes)s minutes, or ask "
                "an administrator to unlock your account.",
                minutes=max(1, round(err.extra["retry_after"] / 60)),
            ),
        )
        return response, 429, {"Retry-After": str(err.extra["retry_after"])}
    if user is None:
        return render_template(
            "login.html", next=target, username=username, error=_("The username or password is not correct.")
        ), 401
    sign_in(user)
    return redirect(target)


@bp.post("/logout")
def logout():
    sign_out()
    flash(_("You have been signed out."), "success")
    return redirect(url_for("web.login"))


@bp.post("/language")
def choose_language():
    choice = request.form.get("lang")
    if choice not in LANGUAGES:
        abort(400)
    session["lang"] = choice
    return redirect(safe_next(request.form.get("next"), url_for("web.inbox")))


@bp.get("/login/oidc")
def oidc_login():
    idp = oidc_client()
    if idp is None:
        abort(404)
    session["oidc_next"] = safe_next(request.args.get("next"), url_for("web.inbox"))
    return idp.authorize_redirect(url_for("web.oidc_callback", _external=True))


@bp.get("/login/oidc/callback")
def oidc_callback():
    idp = oidc_client()
    if idp is None:
        abort(404)
    target = session.pop("oidc_next", None) or url_for("web.inbox")
    try:
        token = idp.authorize_access_token()
    except Exception as err:  # noqa: BLE001  refused, tampered, expired, wrong nonce or provider unreachable:
        # Authlib raises errors of its own and of joserfc here; each means "not signed in", never a 500.
        log.warning("OpenID Connect sign-in failed: %s", err, exc_info=True)
        return render_template(
            "login.html",
            next=target,
            username="",
            error=_("Signing in with your organisation did not work. Try again."),
        ), 401
    username = username_from(token)
    user = find_user(username) if username else None
    if user is None or not user.is_active:
        return render_template(
            "login.html",
            next=target,
            username="",
            error=_("Your organisation's account is not known here. Ask the administrator to create it."),
        ), 403
    sign_in(user, "oidc")
    return redirect(target)
