from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column

from ..db.extensions import UTCDateTime, db
from ..core.timeutil import utcnow

RUNNING = "running"
COMPLETED = "completed"
ERROR = "error"
SUSPENDED = "suspended"
CANCELLED = "cancelled"
STATUSES = (RUNNING, COMPLETED, ERROR, SUSPENDED, CANCELLED)


class ProcessInstance(db.Model):
    """A case. `state` is the engine's serialized state without the spec; every other column is derived
    from it when it is saved, so lists and queries never deserialize a case. Only `state` and `variables`
    hold case values, both sealed; the plain columns hold ids, status, municipality, dates and element ids."""

    __tablename__ = "process_instance"
    # The cases list reads in the order cases were opened and searches their number and title: this index
    # holds every column such a search filters on, so a search reads the index alone and fetches only the
    # rows of the page it shows (engine/cases/service.list_cases).
    __table_args__ = (
        sa.Index(
            "ix_process_instance_search",
            "started_at",
            "business_key",
            "title",
            "municipality_code",
            "status",
            "process_id",
            "started_by",
            "id",
        ),
    )

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    process_version_id: Mapped[int] = mapped_column(sa.ForeignKey("process_version.id"), index=True)
    process_id: Mapped[str] = mapped_column(sa.String(200), index=True)
    business_key: Mapped[str] = mapped_column(sa.String(120), unique=True)
    municipality_code: Mapped[str | None] = mapped_column(sa.String(6), index=True)
    status: Mapped[str] = mapped_column(sa.String(20), index=True, default=RUNNING)
    lock_version: Mapped[int] = mapped_column(default=1)
    started_by: Mapped[str] = mapped_column(sa.String(120), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_timer_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    parent_instance_id: Mapped[str | None] = mapped_column(sa.String(36), index=True)
    title: Mapped[str] = mapped_column(sa.String(300), default="")
    active_elements: Mapped[list] = mapped_column(sa.JSON, default=list)
    incident: Mapped[dict | None] = mapped_column(sa.JSON)
    # Sealed with the case's data key (engine/crypto, docs/privacy.md): the derived variables as JSON and the
    # engine state. Read through `instances.sealed`, never as columns.
    variables: Mapped[bytes | None] = deferred(mapped_column(sa.LargeBinary))
    state: Mapped[bytes | None] = deferred(mapped_column(sa.LargeBinary))
    # Retention (engine/retention): set when the data key was destroyed; the tombstone keeps the figures of
    # the yearly evaluation. A legal hold ({"reason", "by", "at"}) keeps the case past its retention.
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    purge_reason: Mapped[str | None] = mapped_column(sa.String(500))
    legal_hold: Mapped[dict | None] = mapped_column(sa.JSON)
    tombstone: Mapped[dict | None] = mapped_column(sa.JSON)


class AuditEvent(db.Model):
    """One transition of a case: who did what, when, on which element, and which data keys changed."""

    __tablename__ = "audit_event"
    __table_args__ = (sa.Index("ix_audit_event_instance_id_id", "instance_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    instance_id: Mapped[str] = mapped_column(sa.String(36))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(sa.String(120))
    event: Mapped[str] = mapped_column(sa.String(60))
    element_id: Mapped[str | None] = mapped_column(sa.String(200))
    element_name: Mapped[str | None] = mapped_column(sa.String(300))
    task_id: Mapped[str | None] = mapped_column(sa.String(36))
    data_keys: Mapped[list] = mapped_column(sa.JSON, default=list)
    details: Mapped[dict] = mapped_column(sa.JSON, default=dict)
