from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column

from ..db.extensions import UTCDateTime, db
from ..core.timeutil import utcnow

# Outcomes of an inbound delivery. A stored outcome other than FAILED is final: a repeated webhook-id gets
# it back and changes nothing. FAILED means nothing changed; a redelivery or a replay tries again.
STARTED = "started"
CORRELATED = "correlated"
BUFFERED = "buffered"
FAILED = "failed"
PROCESSING = "processing"
DUPLICATE = "duplicate"
OUTCOMES = (STARTED, CORRELATED, BUFFERED, FAILED)

# Statuses of an outbound delivery.
PENDING = "pending"
DELIVERED = "delivered"
GAVE_UP = "failed"


class InboundDelivery(db.Model):
    """One webhook received from a source, stored in the same transaction as what it did."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        sa.UniqueConstraint("source", "webhook_id", name="uq_webhook_delivery_source_webhook_id"),
        sa.Index("ix_webhook_delivery_received_at", "received_at"),
        sa.Index("ix_webhook_delivery_outcome_received_at", "outcome", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(sa.String(40))
    webhook_id: Mapped[str] = mapped_column(sa.String(200))
    event_type: Mapped[str] = mapped_column(sa.String(120))
    body_sha256: Mapped[str] = mapped_column(sa.String(64))
    outcome: Mapped[str] = mapped_column(sa.String(20))
    instance_id: Mapped[str | None] = mapped_column(sa.String(36), index=True)
    business_key: Mapped[str | None] = mapped_column(sa.String(120))
    error: Mapped[dict | None] = mapped_column(sa.JSON)
    # The raw body, kept only while the delivery has failed (for a replay); the case holds the data after.
    # (sealed with the case's key when the case is known, else the remnants' key)
    body: Mapped[bytes | None] = deferred(mapped_column(sa.LargeBinary))
    attempts: Mapped[int] = mapped_column(default=1)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    replayed_by: Mapped[str | None] = mapped_column(sa.String(120))


class OutboundSubscription(db.Model):
    """An outside system that wants to hear about case events: where to send them and how to sign them."""

    __tablename__ = "webhook_subscription"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(sa.String(2000))
    secret: Mapped[str] = mapped_column(sa.String(200))
    event_types: Mapped[list] = mapped_column(sa.JSON, default=list)
    process_id: Mapped[str | None] = mapped_column(sa.String(200))
    municipality_code: Mapped[str | None] = mapped_column(sa.String(6))
    description: Mapped[str] = mapped_column(sa.String(300), default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(sa.String(120))


class OutboundDelivery(db.Model):
    """One event for one subscription (the outbox row), written in the transaction of the case save that
    caused it and sent later by the dispatcher. `body` is fixed when written: every attempt sends the same
    bytes under the same webhook-id."""

    __tablename__ = "webhook_outbound"
    __table_args__ = (sa.Index("ix_webhook_outbound_status_next_attempt_at", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        sa.ForeignKey("webhook_subscription.id", ondelete="CASCADE"), index=True
    )
    msg_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    event_type: Mapped[str] = mapped_column(sa.String(60))
    instance_id: Mapped[str | None] = mapped_column(sa.String(36))
    body: Mapped[bytes] = deferred(mapped_column(sa.LargeBinary))  # sealed with the case's key
    status: Mapped[str] = mapped_column(sa.String(20), default=PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))


class OutboundAttempt(db.Model):
    """One try to send an outbound delivery: when, the receiver's status code or the error, and how long."""

    __tablename__ = "webhook_outbound_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    outbound_id: Mapped[int] = mapped_column(sa.ForeignKey("webhook_outbound.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status_code: Mapped[int | None] = mapped_column()
    error: Mapped[str | None] = mapped_column(sa.String(500))
    duration_ms: Mapped[int] = mapped_column(default=0)
