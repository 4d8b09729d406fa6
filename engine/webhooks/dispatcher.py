"""The dispatcher: sends the outbox, retries with exponential backoff, records every attempt.

Run it as its own process (`flask --app engine webhooks-dispatch`); several may run at once. A worker
claims a due delivery by moving its `next_attempt_at` forward by a lease (a conditional UPDATE, so two
workers never send the same attempt); a worker that dies mid-send lets the lease run out and another one
sends it. HTTP requests run outside any database transaction, a few in parallel.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

import requests
import sqlalchemy as sa
from flask import current_app

from ..db.extensions import db
from ..core.timeutil import utcnow
from .outbox import open_body
from .models import DELIVERED, GAVE_UP, PENDING, OutboundAttempt, OutboundDelivery, OutboundSubscription
from .signatures import parse_secret, signed_headers
from ..messages.models import BufferedMessage
from .models import FAILED, InboundDelivery

log = logging.getLogger(__name__)
LEASE_SECONDS = 120
USER_AGENT = "VeiligBestuur-Webhooks/1"


@dataclass
class Job:
    outbound_id: int
    url: str
    secret: str
    msg_id: str
    body: str | None  # None: its case was purged before it was sent
    attempts: int
    active: bool


@dataclass
class Result:
    job: Job
    status_code: int | None
    error: str | None
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def backoff_seconds(attempts: int, base: float, cap: float) -> float:
    """Delay before the next attempt after `attempts` failed ones: base, 2 base, 4 base, ... up to cap,
    plus up to 10% so that many deliveries failing together do not retry in lockstep."""
    delay = min(cap, base * (2 ** max(0, attempts - 1)))
    return delay * random.uniform(1.0, 1.1)


def claim_due(limit: int) -> list[Job]:
    now = utcnow()
    ids = db.session.scalars(
        sa.select(OutboundDelivery.id)
        .where(OutboundDelivery.status == PENDING, OutboundDelivery.next_attempt_at <= now)
        .order_by(OutboundDelivery.next_attempt_at)
        .limit(limit)
    ).all()
    claimed = []
    for outbound_id in ids:
        result = db.session.execute(
            sa.update(OutboundDelivery)
            .where(
                OutboundDelivery.id == outbound_id,
                OutboundDelivery.status == PENDING,
                OutboundDelivery.next_attempt_at <= now,
            )
            .values(next_attempt_at=now + timedelta(seconds=LEASE_SECONDS))
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:
            claimed.append(outbound_id)
    jobs = []
    if claimed:
        rows = db.session.execute(
            sa.select(
                OutboundDelivery.id,
                OutboundSubscription.url,
                OutboundSubscription.secret,
                OutboundDelivery.msg_id,
                OutboundDelivery.body,
                OutboundDelivery.attempts,
                OutboundSubscription.active,
                OutboundDelivery.instance_id,
            )
            .join(OutboundSubscription, OutboundSubscription.id == OutboundDelivery.subscription_id)
            .where(OutboundDelivery.id.in_(claimed))
        ).all()
        jobs = [Job(*row[:4], open_body(row.body, row.instance_id), *row[5:7]) for row in rows]
    db.session.commit()
    return jobs


def send(job: Job, timeout: float) -> Result:
    if job.body is None:
        return Result(job, None, "The case's data was purged: nothing to send.", 0)
    body = job.body.encode("utf-8")
    headers = signed_headers(parse_secret(job.secret), job.msg_id, body)
    headers.update({"Content-Type": "application/json", "User-Agent": USER_AGENT})
    started = time.monotonic()
    try:
        response = requests.post(job.url, data=body, headers=headers, timeout=timeout, allow_redirects=False)
        status, error = response.status_code, None
        if not 200 <= status < 300:
            error = f"HTTP {status}"
        response.close()
    except requests.RequestException as err:
        status, error = None, f"{type(err).__name__}: {err}"[:500]
    return Result(job, status, error, int((time.monotonic() - started) * 1000))


def record(result: Result, base: float, cap: float, max_attempts: int) -> None:
    now = utcnow()
    attempts = result.job.attempts + 1
    db.session.add(
        OutboundAttempt(
            outbound_id=result.job.outbound_id,
            at=now,
            status_code=result.status_code,
            error=result.error,
            duration_ms=result.duration_ms,
        )
    )
    values = {"attempts": attempts, "last_error": result.error}
    if result.ok:
        values.update(status=DELIVERED, delivered_at=now)
    elif attempts >= max_attempts:
        values.update(status=GAVE_UP)
    else:
        values.update(next_attempt_at=now + timedelta(seconds=backoff_seconds(attempts, base, cap)))
    db.session.execute(
        sa.update(OutboundDelivery)
        .where(OutboundDelivery.id == result.job.outbound_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def dispatch_due(limit: int | None = None) -> int:
    """Send the deliveries that are due now (one round). Returns how many were attempted."""
    config = current_app.config
    jobs = claim_due(limit or config["VB_WEBHOOK_DISPATCH_BATCH"])
    if not jobs:
        return 0
    timeout = config["VB_WEBHOOK_TIMEOUT_SECONDS"]
    base, cap = config["VB_WEBHOOK_RETRY_BASE_SECONDS"], config["VB_WEBHOOK_RETRY_MAX_SECONDS"]
    results = []
    inactive = [j for j in jobs if not j.active]
    active = [j for j in jobs if j.active]
    for job in inactive:  # switched off after the event was written: not sent, kept as failed
        db.session.execute(
            sa.update(OutboundDelivery)
            .where(OutboundDelivery.id == job.outbound_id)
            .values(status=GAVE_UP, last_error="The subscription was deactivated.")
            .execution_options(synchronize_session=False)
        )
    with ThreadPoolExecutor(max_workers=max(1, min(config["VB_WEBHOOK_DISPATCH_THREADS"], len(active) or 1))) as pool:
        results = list(pool.map(lambda job: send(job, timeout), active))
    for result in results:
        record(result, base, cap, config["VB_WEBHOOK_MAX_ATTEMPTS"])
        if not result.ok:
            log.info("Outbound webhook %s to %s failed: %s", result.job.msg_id, result.job.url, result.error)
    db.session.commit()
    return len(jobs)


def sweep() -> dict:
    """Housekeeping: forget deliveries and buffered messages older than the retention period (failed
    inbound deliveries and undelivered outbound ones are kept until someone deals with them)."""
    cutoff = utcnow() - timedelta(days=current_app.config["VB_WEBHOOK_RETENTION_DAYS"])
    counts = {}
    counts["inbound"] = db.session.execute(
        sa.delete(InboundDelivery).where(InboundDelivery.received_at < cutoff, InboundDelivery.outcome != FAILED)
    ).rowcount
    counts["buffered"] = db.session.execute(
        sa.delete(BufferedMessage).where(
            BufferedMessage.received_at < cutoff,
            sa.or_(BufferedMessage.consumed_at.is_not(None), BufferedMessage.expires_at < utcnow()),
        )
    ).rowcount
    old = sa.select(OutboundDelivery.id).where(
        OutboundDelivery.created_at < cutoff, OutboundDelivery.status == DELIVERED
    )
    db.session.execute(sa.delete(OutboundAttempt).where(OutboundAttempt.outbound_id.in_(old)))
    counts["outbound"] = db.session.execute(
        sa.delete(OutboundDelivery).where(OutboundDelivery.created_at < cutoff, OutboundDelivery.status == DELIVERED)
    ).rowcount
    db.session.commit()
    return counts


def run(app, stop: threading.Event | None = None, interval: float | None = None) -> None:
    """The worker loop: send what is due, sleep `interval` when there was nothing, sweep every minute."""
    stop = stop or threading.Event()
    interval = app.config["VB_WEBHOOK_DISPATCH_INTERVAL"] if interval is None else interval
    next_sweep = 0.0
    while not stop.is_set():
        with app.app_context():
            try:
                sent = dispatch_due()
                if time.monotonic() >= next_sweep:
                    sweep()
                    next_sweep = time.monotonic() + 60
            except Exception:  # a database hiccup must not end the worker; it tries again next round
                log.exception("Webhook dispatcher round failed")
                db.session.rollback()
                sent = 0
            finally:
                db.session.remove()
        if not sent:
            stop.wait(interval)
