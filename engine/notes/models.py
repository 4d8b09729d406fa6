from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..db.extensions import UTCDateTime, db
from ..core.timeutil import utcnow


class Note(db.Model):
    """A note on a case. `text` is sealed with the case's data key; `organisation` is the author's (their
    municipality, else their roles) and, when `restricted`, the only one that reads the note."""

    __tablename__ = "case_note"
    __table_args__ = (sa.Index("ix_case_note_instance_id_created_at", "instance_id", "created_at"),)

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    instance_id: Mapped[str] = mapped_column(sa.ForeignKey("process_instance.id", ondelete="CASCADE"))
    text: Mapped[bytes] = mapped_column(sa.LargeBinary)
    author: Mapped[str] = mapped_column(sa.String(120))
    organisation: Mapped[str] = mapped_column(sa.String(60))
    restricted: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
