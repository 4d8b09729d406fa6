"""A search a user saved, to run it again from the cases list."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..db.extensions import UTCDateTime, db
from ..core.timeutil import utcnow


class SavedSearch(db.Model):
    """Its `query` holds the cases list's own parameters (`/cases?...`: q, status, process, ...), so a saved
    search opens as the same page; it holds criteria, never results, and is only its owner's."""

    __tablename__ = "saved_search"
    __table_args__ = (sa.UniqueConstraint("user_id", "name", name="uq_saved_search_user_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    query: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
