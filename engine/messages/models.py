from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..db.extensions import UTCDateTime, db
from ..core.timeutil import utcnow


class MessageSubscription(db.Model):
    """A case waiting for a message, keyed by message name and correlation value (the business key)."""

    __tablename__ = "message_subscription"
    __table_args__ = (sa.Index("ix_message_subscription_name_key", "message_name", "correlation_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[str] = mapped_column(sa.ForeignKey("process_instance.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[str] = mapped_column(sa.String(36))
    element_id: Mapped[str] = mapped_column(sa.String(200))
    message_name: Mapped[str] = mapped_column(sa.String(200))
    correlation_key: Mapped[str] = mapped_column(sa.String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BufferedMessage(db.Model):
    """A message that arrived before its case waited for it. The case catches it in the save in which it
    starts to wait (an index lookup by business key and message name); unclaimed, it expires."""

    __tablename__ = "message_buffer"
    __table_args__ = (sa.Index("ix_message_buffer_key_name", "correlation_key", "message_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_name: Mapped[str] = mapped_column(sa.String(200))
    correlation_key: Mapped[str] = mapped_column(sa.String(120))
    # The message's variables as JSON, sealed with the key of the case it is buffered for
    payload: Mapped[bytes] = mapped_column(sa.LargeBinary)
    # The inbound webhook delivery it came from (kept for the admin's view of that delivery).
    delivery_id: Mapped[int | None] = mapped_column(sa.Integer, index=True)
    actor: Mapped[str] = mapped_column(sa.String(120))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # Set when a case caught it; kept (not deleted) so the delivery's history shows where it went.
    consumed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    instance_id: Mapped[str | None] = mapped_column(sa.String(36))
