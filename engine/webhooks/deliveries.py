"""Inbound deliveries for the beheerder: a page of them, one of them, and what became of the messages they
left in the buffer (a replay is in inbound.py)."""

from __future__ import annotations

import sqlalchemy as sa

from ..core.errors import NotFound
from ..core.timeutil import utcnow
from ..db.extensions import db
from ..messages.models import BufferedMessage
from .models import BUFFERED, InboundDelivery


def list_deliveries(
    source: str | None, event_type: str | None, outcome: str | None, limit: int, offset: int
) -> tuple[list[InboundDelivery], int]:
    """(rows, total): a page of the inbound deliveries, newest first, of one source, event type or outcome."""
    query = sa.select(InboundDelivery)
    for column, value in (
        (InboundDelivery.source, source),
        (InboundDelivery.event_type, event_type),
        (InboundDelivery.outcome, outcome),
    ):
        if value:
            query = query.where(column == value)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.order_by(InboundDelivery.id.desc()).limit(limit).offset(offset)).all()
    return list(rows), total


def get_delivery(delivery_id: int) -> InboundDelivery:
    delivery = db.session.get(InboundDelivery, delivery_id)
    if delivery is None:
        raise NotFound("No such delivery.")
    return delivery


def buffer_states(deliveries) -> dict[int, tuple[BufferedMessage, str]]:
    """{delivery id: (its buffered message, delivered, expired or waiting)} of the deliveries that were
    buffered, in one query (none when no delivery was)."""
    ids = [d.id for d in deliveries if d.outcome == BUFFERED]
    if not ids:
        return {}
    now = utcnow()
    states = {}
    for row in db.session.scalars(sa.select(BufferedMessage).where(BufferedMessage.delivery_id.in_(ids))):
        if row.consumed_at is not None:
            status = "delivered"
        elif row.expires_at <= now:
            status = "expired"
        else:
            status = "waiting"
        states[row.delivery_id] = (row, status)
    return states
