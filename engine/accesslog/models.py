from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..db.extensions import UTCDateTime, db
from ..core.timeutil import utcnow


class AccessLogEntry(db.Model):
    """One read of a case's personal data. The application only ever inserts these rows.

    The columns follow the *Logboek dataverwerkingen* where it fits: `trace_id` (the request), `activity` (the
    operation), `purpose` (the processing activity it serves), the actor with their role and organisation,
    the data subject's case, and the categories of data shown (never the values)."""

    __tablename__ = "access_log"
    __table_args__ = (
        sa.Index("ix_access_log_instance_id_at", "instance_id", "at"),
        sa.Index("ix_access_log_username_at", "username", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    trace_id: Mapped[str] = mapped_column(sa.String(32))
    username: Mapped[str] = mapped_column(sa.String(120))
    roles: Mapped[str] = mapped_column(sa.String(200))
    organisation: Mapped[str] = mapped_column(sa.String(60))
    instance_id: Mapped[str] = mapped_column(sa.String(36))
    channel: Mapped[str] = mapped_column(sa.String(10))  # api, page, export
    activity: Mapped[str] = mapped_column(sa.String(60))  # case.read, case.history, task.read
    purpose: Mapped[str] = mapped_column(sa.String(300))
    categories: Mapped[list] = mapped_column(sa.JSON, default=list)
