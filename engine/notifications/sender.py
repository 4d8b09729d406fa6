"""The sender: sends the mail outbox, retries with exponential backoff, bundles the daily digests.

Run it as its own process (`flask --app engine mail-send`, started by `make run`); several may run at once.
A sender claims a due mail by moving its `next_attempt_at` forward by a lease (a conditional UPDATE, so two
senders never take the same mail) and marks each mail sent in its own commit right after the server took
it. Only a sender that dies between those two moments can leave a mail to be sent again after the lease.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from ..db.extensions import db
from ..identity.models import User
from ..core.timeutil import as_utc, utcnow
from .compose import Line, build
from .models import (
    BUNDLED,
    DEFAULT_DIGEST_HOUR,
    DIGEST,
    GAVE_UP,
    PENDING,
    QUEUED,
    SENT,
    MailMessage,
    NotificationPreference,
)
from .transport import LogTransport, SmtpTransport, parse_smtp_url

log = logging.getLogger(__name__)
LEASE_SECONDS = 120
LOCAL = ZoneInfo("Europe/Amsterdam")  # the digest hour is a Dutch hour


def backoff_seconds(attempts: int, base: float, cap: float) -> float:
    """base, 2 base, 4 base, ... up to cap, plus up to 10% so that mails failing together spread out."""
    return min(cap, base * (2 ** max(0, attempts - 1))) * random.uniform(1.0, 1.1)


def claim_due(limit: int) -> list[int]:
    now = utcnow()
    ids = db.session.scalars(
        sa.select(MailMessage.id)
        .where(MailMessage.status == PENDING, MailMessage.next_attempt_at <= now)
        .order_by(MailMessage.next_attempt_at)
        .limit(limit)
    ).all()
    claimed = []
    for mail_id in ids:
        result = db.session.execute(
            sa.update(MailMessage)
            .where(MailMessage.id == mail_id, MailMessage.status == PENDING, MailMessage.next_attempt_at <= now)
            .values(next_attempt_at=now + timedelta(seconds=LEASE_SECONDS))
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:
            claimed.append(mail_id)
    db.session.commit()
    return claimed


def _line(row: MailMessage) -> Line:
    return Line(row.kind, row.task_id, row.task_name, row.business_key, row.municipality_code, as_utc(row.due_at))


def _compose(mail: MailMessage, user: User | None, config):
    if user is None or not user.email or not user.is_active:
        return None
    if mail.kind == DIGEST:
        lines = [
            _line(row)
            for row in db.session.scalars(
                sa.select(MailMessage).where(MailMessage.digest_id == mail.id).order_by(MailMessage.created_at)
            )
        ]
        if not lines:
            return None
    else:
        lines = [_line(mail)]
    return build(
        lines,
        user.language or "nl",
        to=user.email,
        sender=config["VB_MAIL_FROM"],
        base_url=config["VB_BASE_URL"],
        digest=mail.kind == DIGEST,
    )


def _transport(config):
    target = parse_smtp_url(config["VB_SMTP_URL"])
    return (
        LogTransport()
        if target is None
        else SmtpTransport(target, config["VB_MAIL_TIMEOUT_SECONDS"], config["VB_SMTP_CA_FILE"])
    )


def _failed(mail: MailMessage, error: str, config, final: bool = False) -> None:
    mail.attempts += 1
    mail.last_error = error[:500]
    if final or mail.attempts >= config["VB_MAIL_MAX_ATTEMPTS"]:
        mail.status = GAVE_UP
        log.warning("Mail %s (%s) not sent after %d attempt(s): %s", mail.id, mail.kind, mail.attempts, error)
    else:
        mail.next_attempt_at = utcnow() + timedelta(
            seconds=backoff_seconds(
                mail.attempts, config["VB_MAIL_RETRY_BASE_SECONDS"], config["VB_MAIL_RETRY_MAX_SECONDS"]
            )
        )
        log.info("Mail %s (%s) failed, attempt %d: %s", mail.id, mail.kind, mail.attempts, error)


def send_due() -> int:
    """Send the mails that are due now; returns how many were claimed."""
    config = current_app.config
    claimed = claim_due(config["VB_MAIL_BATCH"])
    if not claimed:
        return 0
    mails = db.session.scalars(sa.select(MailMessage).where(MailMessage.id.in_(claimed))).all()
    users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_({m.user_id for m in mails})))}
    ready = []
    for mail in mails:
        message = _compose(mail, users.get(mail.user_id), config)
        if message is None:
            _failed(mail, "The user has no e-mail address (or is deactivated) now.", config, final=True)
        else:
            ready.append((mail, message))
    db.session.commit()
    if not ready:
        return len(claimed)
    try:
        transport = _transport(config).__enter__()
    except Exception as err:  # the server is down or refuses us: every mail of the round waits
        error = f"{type(err).__name__}: {err}"
        for mail, _message in ready:
            _failed(mail, error, config)
        db.session.commit()
        return len(claimed)
    try:
        for mail, message in ready:
            try:
                transport.send(message)
            except Exception as err:
                _failed(mail, f"{type(err).__name__}: {err}", config)
            else:
                mail.status, mail.sent_at, mail.last_error = SENT, utcnow(), None
                mail.attempts += 1
            db.session.commit()  # each mail's outcome at once: a sent mail is never sent again
    finally:
        transport.__exit__(None, None, None)
    return len(claimed)


def digest_moment(now: datetime, hour: int) -> datetime:
    """The latest moment at `hour` o'clock Dutch time not after `now` (UTC)."""
    local = now.astimezone(LOCAL)
    moment = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if moment > local:
        moment = (local - timedelta(days=1)).replace(hour=hour, minute=0, second=0, microsecond=0)
    return moment.astimezone(as_utc(now).tzinfo)


def bundle_digests(now: datetime | None = None) -> int:
    """Bundle each user's waiting notifications into one digest mail once their hour has come."""
    now = now or utcnow()
    waiting = db.session.execute(
        sa.select(MailMessage.user_id, sa.func.min(MailMessage.created_at), NotificationPreference.digest_hour)
        .outerjoin(NotificationPreference, NotificationPreference.user_id == MailMessage.user_id)
        .where(MailMessage.status == QUEUED)
        .group_by(MailMessage.user_id, NotificationPreference.digest_hour)
    ).all()
    db.session.rollback()
    made = 0
    for user_id, oldest, hour in waiting:
        moment = digest_moment(now, DEFAULT_DIGEST_HOUR if hour is None else hour)
        if as_utc(oldest) >= moment:
            continue  # everything waiting came after today's hour: tomorrow's digest
        day = moment.astimezone(LOCAL).date().isoformat()
        digest = MailMessage(
            user_id=user_id,
            kind=DIGEST,
            task_id=f"digest:{day}",
            task_name="",
            business_key="",
            status=PENDING,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        try:
            db.session.add(digest)
            db.session.flush()  # a second sender making the same day's digest fails here (unique key)
            db.session.execute(
                sa.update(MailMessage)
                .where(MailMessage.user_id == user_id, MailMessage.status == QUEUED, MailMessage.created_at < moment)
                .values(status=BUNDLED, digest_id=digest.id)
                .execution_options(synchronize_session=False)
            )
            db.session.commit()
            made += 1
        except sa.exc.IntegrityError:
            db.session.rollback()
    return made


def run(app, stop: threading.Event | None = None, interval: float | None = None) -> None:
    """The sender loop: send what is due, sleep `interval` when there was nothing, bundle digests."""
    stop = stop or threading.Event()
    interval = app.config["VB_MAIL_SEND_INTERVAL"] if interval is None else interval
    next_digest = 0.0
    while not stop.is_set():
        with app.app_context():
            try:
                if time.monotonic() >= next_digest:
                    bundle_digests()
                    next_digest = time.monotonic() + app.config["VB_MAIL_DIGEST_CHECK_SECONDS"]
                sent = send_due()
            except Exception:  # a database hiccup must not end the sender; it tries again next round
                log.exception("Mail sender round failed")
                db.session.rollback()
                sent = 0
            finally:
                db.session.remove()
        if not sent:
            stop.wait(interval)
