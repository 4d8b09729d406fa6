from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..db.extensions import UTCDateTime, db
from ..core.timeutil import utcnow

STUDIO_KINDS = ("bpmn", "dmn", "form", "test")


class StudioFile(db.Model):
    """A file of the studio's workspace that is not (yet) deployed as it is here.

    For diagrams, decisions and forms this is a draft: a saved edit of a deployed file (or a new file) that
    the next deployment takes along and then removes. Scenario tests (`<stem>.test.json`) are never
    deployed to the engine: they live here for good and travel with the export.
    """

    __tablename__ = "studio_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(sa.String(255), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(10))
    content: Mapped[str] = mapped_column(sa.Text)
    base_file_id: Mapped[int | None] = mapped_column(sa.ForeignKey("definition_file.id"))
    updated_by: Mapped[str] = mapped_column(sa.String(120))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
