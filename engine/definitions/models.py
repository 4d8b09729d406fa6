from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column

from ..db.extensions import UTCDateTime, db
from ..core.timeutil import utcnow

FILE_KINDS = ("bpmn", "dmn", "form")


class Deployment(db.Model):
    __tablename__ = "deployment"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(sa.String(120))
    source: Mapped[str] = mapped_column(sa.String(200), default="api")
    summary: Mapped[dict] = mapped_column(sa.JSON, default=dict)


class DefinitionFile(db.Model):
    """One version of one definition file. `key` identifies the file across versions:
    the file name for BPMN, the decision id for DMN, the form id for forms."""

    __tablename__ = "definition_file"
    __table_args__ = (sa.UniqueConstraint("kind", "key", "version", name="uq_definition_file_kind_key_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deployment_id: Mapped[int] = mapped_column(sa.ForeignKey("deployment.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(10))
    key: Mapped[str] = mapped_column(sa.String(200))
    file_name: Mapped[str] = mapped_column(sa.String(255))
    version: Mapped[int] = mapped_column()
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    content: Mapped[str] = deferred(mapped_column(sa.Text))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProcessVersion(db.Model):
    """A deployed, runnable version of one BPMN process, pinned to the exact files it needs
    (its BPMN file, the files of the processes it calls, its decisions and its forms)."""

    __tablename__ = "process_version"
    __table_args__ = (sa.UniqueConstraint("process_id", "version", name="uq_process_version_process_id_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(sa.String(200), index=True)
    version: Mapped[int] = mapped_column()
    name: Mapped[str] = mapped_column(sa.String(255), default="")
    deployment_id: Mapped[int] = mapped_column(sa.ForeignKey("deployment.id"), index=True)
    bpmn_file_id: Mapped[int] = mapped_column(sa.ForeignKey("definition_file.id"))
    closure_hash: Mapped[str] = mapped_column(sa.String(64))
    file_ids: Mapped[list] = mapped_column(sa.JSON, default=list)
    executable: Mapped[bool] = mapped_column(default=True)
    model: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def label(self) -> str:
        return f"{self.process_id}:{self.version}"


class DeploymentApproval(db.Model):
    """A deployment that lowers the protection of case data, waiting for (or given) a second person's approval.
    `change_key` names the exact versions it is for (their processes and closure hashes): the approval holds
    for a deployment of exactly those files, once."""

    __tablename__ = "deployment_approval"

    id: Mapped[int] = mapped_column(primary_key=True)
    change_key: Mapped[str] = mapped_column(sa.String(64), index=True)
    processes: Mapped[list] = mapped_column(sa.JSON, default=list)
    changes: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # process id -> sentences
    status: Mapped[str] = mapped_column(sa.String(20), default="pending")  # pending approved refused used
    requested_by: Mapped[str] = mapped_column(sa.String(120))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(sa.String(120))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(sa.String(500))
    deployment_id: Mapped[int | None] = mapped_column(sa.Integer)
