from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..db.extensions import UTCDateTime, db
from ..core.timeutil import utcnow

CASE = "case"
DEFINITION = "definition"


class TimerChange(db.Model):
    """A case whose next due time (or status) changed, or a newly deployed process version.

    Written by a database trigger in the same transaction as the change, so nothing in the engine has to
    remember to report it. Only SQLite uses this outbox (PostgreSQL sends LISTEN/NOTIFY instead); the
    scheduler reads it by id, an index range, and deletes what it has read.
    """

    __tablename__ = "timer_change"
    __table_args__ = {"sqlite_autoincrement": True}  # ids never reused: readers keep a high-water mark

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    ref: Mapped[str] = mapped_column(sa.String(200))
    version: Mapped[int | None] = mapped_column()  # the case's lock version after the change


class TimerStartOccurrence(db.Model):
    """One occurrence of a timer start event that created a case. The unique key makes a second start of
    the same occurrence (another scheduler, a restart) fail instead of creating a duplicate case."""

    __tablename__ = "timer_start_occurrence"
    __table_args__ = (sa.Index("ix_timer_start_occurrence_process_id_at", "process_id", "occurrence_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurrence_key: Mapped[str] = mapped_column(sa.String(300), unique=True)
    process_id: Mapped[str] = mapped_column(sa.String(200))
    element_id: Mapped[str] = mapped_column(sa.String(200))
    occurrence_at: Mapped[datetime] = mapped_column(UTCDateTime)
    process_version_id: Mapped[int] = mapped_column(sa.ForeignKey("process_version.id"))
    business_key: Mapped[str] = mapped_column(sa.String(120))
    skipped: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SchedulerLease(db.Model):
    """Leadership on SQLite: the scheduler holding an unexpired lease acts; the others wait."""

    __tablename__ = "scheduler_lease"

    name: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    holder: Mapped[str] = mapped_column(sa.String(200))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
