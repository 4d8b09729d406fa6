from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column

from ..db.extensions import UTCDateTime, db
from ..core.timeutil import utcnow


class Document(db.Model):
    """One document of a case. `meta` (file name, title, checksum) and the content are sealed with the case's
    data key; the plain columns hold only what lists and the purge need."""

    __tablename__ = "case_document"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    instance_id: Mapped[str] = mapped_column(sa.ForeignKey("process_instance.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(sa.String(40))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    meta: Mapped[bytes] = mapped_column(sa.LargeBinary)
    store: Mapped[str] = mapped_column(sa.String(10))  # file | database
    content: Mapped[bytes | None] = deferred(mapped_column(sa.LargeBinary))  # the sealed bytes (store=database)
    created_by: Mapped[str] = mapped_column(sa.String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
