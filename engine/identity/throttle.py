"""Failed sign-ins slow a password guesser down: after `VB_LOGIN_MAX_FAILURES` failures for one account (or
`VB_LOGIN_MAX_FAILURES_PER_CLIENT` from one client address) within `VB_LOGIN_WINDOW_MINUTES`, every further
attempt is 429 with Retry-After (the right password too) until the window has passed; an administrator can
unlock an account (`flask users unlock`). Unknown usernames count like known ones, so the answers tell
nothing about which accounts exist."""

from __future__ import annotations

import math
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from ..core.errors import TooManyRequests
from ..db.extensions import db
from ..core.timeutil import as_utc, utcnow
from .models import LoginFailure


def _window() -> timedelta:
    return timedelta(minutes=current_app.config["VB_LOGIN_WINDOW_MINUTES"])


def check_allowed(username: str, client: str) -> None:
    """Raise 429 if the account or the client has used up its failures in the window."""
    config = current_app.config
    since = utcnow() - _window()
    for column, value, limit in (
        (LoginFailure.username, username, config["VB_LOGIN_MAX_FAILURES"]),
        (LoginFailure.client, client, config["VB_LOGIN_MAX_FAILURES_PER_CLIENT"]),
    ):
        recent = db.session.scalars(
            sa.select(LoginFailure.at)
            .where(column == value, LoginFailure.at > since)
            .order_by(LoginFailure.at.desc())
            .limit(limit)
        ).all()
        if len(recent) >= limit:
            # free again when the oldest of the last `limit` failures leaves the window
            wait = (as_utc(recent[-1]) + _window() - utcnow()).total_seconds()
            raise TooManyRequests(
                "Too many failed sign-ins; try again later or ask an administrator to unlock the account.",
                retry_after=max(1, math.ceil(wait)),
            )


def record_failure(username: str, client: str) -> None:
    """Count a failure (committed at once: the request itself ends in a 401 and a rollback)."""
    now = utcnow()
    db.session.execute(sa.delete(LoginFailure).where(LoginFailure.at < now - 4 * _window()))
    db.session.add(LoginFailure(username=username[:120], client=(client or "-")[:64], at=now))
    db.session.commit()


def clear(username: str) -> int:
    """Forget an account's failures (a successful sign-in, or an administrator's unlock)."""
    return db.session.execute(sa.delete(LoginFailure).where(LoginFailure.username == username)).rowcount
