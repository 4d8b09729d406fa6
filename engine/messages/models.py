from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import UTCDateTime, db
from ..timeutil import utcnow


class MessageSubscription(db.Model):
    """A case waiting for a message, keyed by message name and correlation value (the business key)."""

    __tablename__ = "message_subscription"
    __table_args__ = (
        sa.Index("ix_message_subscription_name_key", "message_name", "correlation_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[str] = mapped_column(sa.ForeignKey("process_instance.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[str] = mapped_column(sa.String(36))
    element_id: Mapped[str] = mapped_column(sa.String(200))
    message_name: Mapped[str] = mapped_column(sa.String(200))
    correlation_key: Mapped[str] = mapped_column(sa.String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
