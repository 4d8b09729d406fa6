"""Reading and changing a user's address, mail language and notification preferences; the mails that
failed, for the beheerder."""

from __future__ import annotations

import re

import sqlalchemy as sa

from ..core.errors import Conflict, NotFound, Unprocessable
from ..db.extensions import db
from ..identity.models import User
from ..core.timeutil import utcnow
from .models import (
    DEFAULT_DIGEST_HOUR,
    DEFAULT_MODES,
    GAVE_UP,
    KINDS,
    MODES,
    PENDING,
    MailMessage,
    NotificationPreference,
)

LANGUAGES = ("nl", "en")
# One @, no spaces, a dot in the domain: the SMTP server is the judge of the rest
_ADDRESS = re.compile(r"^[^@\s<>\"',;]{1,64}@[^@\s<>\"',;]+\.[^@\s<>\"',;]{2,}$")


def preferences(user: User) -> dict:
    row = db.session.get(NotificationPreference, user.id)
    modes = dict(DEFAULT_MODES)
    modes.update({k: v for k, v in ((row.modes if row else None) or {}).items() if k in KINDS and v in MODES})
    return {
        "email": user.email or "",
        "language": user.language or "nl",
        "modes": modes,
        "digest_hour": row.digest_hour if row is not None else DEFAULT_DIGEST_HOUR,
    }


def check_email(value: str | None) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    if len(value) > 254 or not _ADDRESS.match(value):
        raise Unprocessable("An e-mail address looks like name@example.org.", field="email")
    return value


def set_email(user: User, value: str | None) -> None:
    user.email = check_email(value)
    db.session.commit()


def update(user: User, email: str | None, language: str, modes: dict, digest_hour) -> dict:
    """Check everything first, then store all of it (or nothing). Errors name the field to fix."""
    address = check_email(email)
    if language not in LANGUAGES:
        raise Unprocessable("The language is nl or en.", field="language")
    unknown = sorted(set(modes) - set(KINDS))
    if unknown:
        raise Unprocessable(f"Unknown kind of notification: {', '.join(unknown)}.", field="modes")
    bad = sorted(kind for kind, mode in modes.items() if mode not in MODES)
    if bad:
        raise Unprocessable(f"Choose {', '.join(MODES)} for: {', '.join(bad)}.", field=bad[0])
    try:
        hour = int(digest_hour)
    except (TypeError, ValueError):
        hour = -1
    if not 0 <= hour <= 23:
        raise Unprocessable("The digest hour is a whole hour from 0 to 23.", field="digest_hour")
    user.email, user.language = address, language
    row = db.session.get(NotificationPreference, user.id)
    if row is None:
        row = NotificationPreference(user_id=user.id)
        db.session.add(row)
    row.modes, row.digest_hour, row.updated_at = {**DEFAULT_MODES, **modes}, hour, utcnow()
    db.session.commit()
    return preferences(user)


def _with_recipient():
    return sa.select(MailMessage, User.username).join(User, User.id == MailMessage.user_id)


def failed_mails(limit: int, offset: int) -> tuple[list, int]:
    """(rows, total): a page of the mails given up on, newest first, each row a (MailMessage, username)."""
    query = _with_recipient().where(MailMessage.status == GAVE_UP)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = db.session.execute(query.order_by(MailMessage.id.desc()).limit(limit).offset(offset)).all()
    return rows, total


def retry_failed_mail(mail_id: int) -> tuple[MailMessage, str]:
    """Put a mail that was given up on back in the outbox, due now; (the mail, its recipient's username).
    404 for no such mail, 409 when it has not failed (a guarded update: the sender may be sending it)."""
    found = db.session.execute(_with_recipient().where(MailMessage.id == mail_id)).first()
    if found is None:
        raise NotFound("No such mail.")
    row, username = found
    changed = db.session.execute(
        sa.update(MailMessage)
        .where(MailMessage.id == mail_id, MailMessage.status == GAVE_UP)
        .values(status=PENDING, attempts=0, next_attempt_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        db.session.rollback()
        raise Conflict(f"Mail {mail_id} has not failed: it is {row.status}.")
    db.session.commit()
    db.session.refresh(row)
    return row, username
