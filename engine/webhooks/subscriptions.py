"""Outbound subscriptions (beheerder): who hears about which case events, and what was sent to them."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import undefer

from ..core.errors import Conflict, NotFound, Unprocessable
from ..db.extensions import db
from ..core.timeutil import utcnow
from . import state
from .events import catalog
from .models import GAVE_UP, PENDING, OutboundAttempt, OutboundDelivery, OutboundSubscription
from .signatures import SecretError, new_secret, parse_secret


def _check_event_types(event_types: list) -> list:
    known = catalog(state().domain_events)
    unknown = [t for t in event_types if t not in known]
    if unknown:
        raise Unprocessable(
            f"Unknown event type(s): {', '.join(unknown)}; see GET /api/v1/webhooks/event-types.",
            errors={"event_types": [f"Unknown: {', '.join(unknown)}."]},
        )
    return sorted(set(event_types))


def _check_secret(secret: str) -> str:
    try:
        parse_secret(secret)
    except SecretError as err:
        raise Unprocessable(f"secret: {err}.", errors={"secret": [str(err)]}) from None
    return secret.strip()


def get_subscription(subscription_id: int) -> OutboundSubscription:
    subscription = db.session.get(OutboundSubscription, subscription_id)
    if subscription is None:
        raise NotFound("No such subscription.")
    return subscription


def list_subscriptions() -> list[OutboundSubscription]:
    return list(db.session.scalars(sa.select(OutboundSubscription).order_by(OutboundSubscription.id)))


def create_subscription(body: dict, actor) -> tuple[OutboundSubscription, str]:
    """Returns the subscription and its secret (shown once: the receiver needs it to verify signatures)."""
    secret = _check_secret(body["secret"]) if body.get("secret") else new_secret()
    subscription = OutboundSubscription(
        url=body["url"],
        secret=secret,
        event_types=_check_event_types(body["event_types"]),
        process_id=body.get("process_id"),
        municipality_code=body.get("municipality_code"),
        description=body.get("description") or "",
        active=body.get("active", True),
        created_by=actor.username,
    )
    db.session.add(subscription)
    db.session.commit()
    return subscription, secret


def update_subscription(subscription_id: int, body: dict) -> OutboundSubscription:
    subscription = get_subscription(subscription_id)
    if "event_types" in body:
        body["event_types"] = _check_event_types(body["event_types"])
    if body.get("secret"):
        body["secret"] = _check_secret(body["secret"])
    for key in ("url", "event_types", "process_id", "municipality_code", "description", "active", "secret"):
        if key in body:
            setattr(subscription, key, body[key])
    db.session.commit()
    return subscription


def delete_subscription(subscription_id: int) -> None:
    """Removes the subscription with its deliveries and their attempts."""
    subscription = get_subscription(subscription_id)
    outbound_ids = sa.select(OutboundDelivery.id).where(OutboundDelivery.subscription_id == subscription.id)
    db.session.execute(sa.delete(OutboundAttempt).where(OutboundAttempt.outbound_id.in_(outbound_ids)))
    db.session.execute(sa.delete(OutboundDelivery).where(OutboundDelivery.subscription_id == subscription.id))
    db.session.delete(subscription)
    db.session.commit()


def outbound_deliveries(subscription_id: int, status: str | None, limit: int, offset: int):
    get_subscription(subscription_id)
    query = sa.select(OutboundDelivery).where(OutboundDelivery.subscription_id == subscription_id)
    if status:
        query = query.where(OutboundDelivery.status == status)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = db.session.scalars(
        query.options(undefer(OutboundDelivery.body)).order_by(OutboundDelivery.id.desc()).limit(limit).offset(offset)
    ).all()
    attempts: dict = {}
    if rows:
        for attempt in db.session.scalars(
            sa.select(OutboundAttempt)
            .where(OutboundAttempt.outbound_id.in_([r.id for r in rows]))
            .order_by(OutboundAttempt.id)
        ):
            attempts.setdefault(attempt.outbound_id, []).append(attempt)
    return rows, total, attempts


def retry_outbound(outbound_id: int) -> OutboundDelivery:
    """Send a delivery that was given up on once more (with the same webhook-id and body)."""
    delivery = db.session.get(OutboundDelivery, outbound_id)
    if delivery is None:
        raise NotFound("No such outbound delivery.")
    if delivery.status != GAVE_UP:
        raise Conflict(f"Only a failed delivery can be retried; this one is {delivery.status}.")
    delivery.status = PENDING
    delivery.next_attempt_at = utcnow()
    db.session.commit()
    return delivery
