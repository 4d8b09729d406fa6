"""The inbox page (`/`) and its live refresh endpoint."""

from __future__ import annotations

from flask import current_app, render_template, request

from ...definitions.service import latest_process_versions
from ..blueprint import bp
from ..i18n import _, pick
from ..inbox import BadFilter, InboxFilters, load_inbox
from ...identity.auth import current_actor
from ..session_auth import login_required
from ...identity.service import display_names


def process_names() -> dict:
    return {v.process_id: pick(v.name or v.process_id) for v in latest_process_versions()}


def _bad_filter(err: BadFilter):
    message = _(
        "The filter '%(name)s' has a value that does not exist. Choose one of: %(allowed)s.",
        name=err.name,
        allowed=err.allowed,
    )
    return render_template("error.html", status=400, message=message), 400


@bp.get("/")
@login_required
def inbox():
    actor = current_actor(sessions=True)
    try:
        filters = InboxFilters.from_args(request.args, actor)
    except BadFilter as err:
        return _bad_filter(err)
    page = load_inbox(actor, filters)
    names = process_names()
    return render_template(
        "inbox.html",
        page=page,
        filters=filters,
        process_names=names,
        actor=actor,
        assignees=display_names(r.task.assignee for r in page.rows),
        poll_seconds=current_app.config["VB_INBOX_POLL_SECONDS"],
    )


@bp.get("/inbox/updates.json")
@login_required
def inbox_updates():
    """For the live refresh: the page's signature, counts and (when changed) the new result list."""
    actor = current_actor(sessions=True)
    try:
        filters = InboxFilters.from_args(request.args, actor)
    except BadFilter as err:
        return err.to_dict(), 400
    page = load_inbox(actor, filters, with_options=False)
    changed = request.args.get("signature") != page.signature
    body = {"signature": page.signature, "changed": changed, "counts": page.counts}
    if changed:
        body["html"] = render_template(
            "_inbox_results.html",
            page=page,
            filters=filters,
            actor=actor,
            process_names=process_names(),
            assignees=display_names(r.task.assignee for r in page.rows),
        )
    return body
