"""The user's own notification settings: the address, the language of the mails, and per kind of news
immediately, in the daily digest or not at all (engine/notifications)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from ...core.errors import Unprocessable
from ...notifications import service
from ...notifications.models import ASSIGNED, CASE_NEWS, DAILY, DUE_TOMORROW, IMMEDIATELY, KINDS, NEW_TASK, OFF, OVERDUE
from ..blueprint import bp
from ..i18n import _, _l
from ...identity.auth import current_user
from ..session_auth import login_required

KIND_LABELS = {
    NEW_TASK: _l("A new task for my role"),
    ASSIGNED: _l("A task assigned to me"),
    DUE_TOMORROW: _l("A task of mine is due tomorrow"),
    OVERDUE: _l("A task of mine is overdue"),
    CASE_NEWS: _l("News on a case I worked on"),
}
MODE_LABELS = {IMMEDIATELY: _l("Immediately"), DAILY: _l("In the daily digest"), OFF: _l("Off")}


def _field_error(field: str) -> str:
    if field == "email":
        return _("Enter an e-mail address like name@example.org, or leave it empty for no mails.")
    if field == "language":
        return _("Choose Nederlands or English.")
    if field == "digest_hour":
        return _("Choose the hour of the daily digest.")
    return _("Choose immediately, in the daily digest or off.")


def _render(values: dict, errors=None, status: int = 200):
    return render_template(
        "notifications.html",
        values=values,
        kinds=KINDS,
        kind_labels=KIND_LABELS,
        mode_labels=MODE_LABELS,
        errors=errors or [],
        error_fields={f for f, _m in errors or []},
    ), status


@bp.get("/account/notifications")
@login_required
def notifications_page():
    return _render(service.preferences(current_user()))


@bp.post("/account/notifications")
@login_required
def notifications_save():
    user = current_user()
    form = request.form
    values = {
        "email": (form.get("email") or "").strip(),
        "language": form.get("language") or "",
        "digest_hour": form.get("digest_hour") or "",
        "modes": {kind: form.get(f"mode_{kind}") or "" for kind in KINDS},
    }
    try:
        service.update(user, values["email"], values["language"], values["modes"], values["digest_hour"])
    except Unprocessable as err:
        field = err.extra.get("field", "email")
        return _render(values, [(field, _field_error(field))], 422)
    flash(_("Your notification settings are saved."), "success")
    return redirect(url_for("web.notifications_page"))
