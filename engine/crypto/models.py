from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..db.extensions import UTCDateTime, db
from ..core.timeutil import utcnow


class CaseKey(db.Model):
    """The data key of one case (or of the remnants not yet tied to a case), only ever stored wrapped by a
    key-encryption key. Deleting the row is the crypto-shredding of everything sealed under it."""

    __tablename__ = "case_key"

    owner_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    kek_id: Mapped[str] = mapped_column(sa.String(16), index=True)
    wrapped: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
