from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..definitions.bpmn_model import NORMAL_PRIORITY, URGENT_PRIORITY
from ..db.extensions import UTCDateTime, db
from ..core.timeutil import utcnow

OPEN = "open"
COMPLETED = "completed"
CANCELLED = "cancelled"


class HumanTask(db.Model):
    """A user task of a case, derived from the engine state when the case is saved.
    Its id is the engine's task id, stable across saves."""

    __tablename__ = "human_task"
    __table_args__ = (
        sa.Index("ix_human_task_status_due_at", "status", "due_at"),
        # the inbox's counts by municipality and process read this index alone (migration 0023)
        sa.Index(
            "ix_human_task_status_municipality_counts",
            "status",
            "municipality_code",
            "process_id",
            "assignee",
            "due_at",
            "priority",
            "id",
        ),
        sa.Index("ix_human_task_status_created_at", "status", "created_at"),
        sa.Index("ix_human_task_status_priority", "status", "priority"),
        # the cases list's search by the step a case is at (engine/search): the cases with that task open
        sa.Index("ix_human_task_element_status_instance", "element_id", "status", "instance_id"),
        # who may see a case (access/policy.case_clause): the cases with a task of this user, from the index
        sa.Index("ix_human_task_assignee_instance", "assignee", "instance_id"),
    )

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    instance_id: Mapped[str] = mapped_column(sa.ForeignKey("process_instance.id", ondelete="CASCADE"), index=True)
    process_id: Mapped[str] = mapped_column(sa.String(200))
    element_id: Mapped[str] = mapped_column(sa.String(200))
    name: Mapped[str] = mapped_column(sa.String(300), default="")
    lane: Mapped[str | None] = mapped_column(sa.String(200))
    candidate_groups: Mapped[list] = mapped_column(sa.JSON, default=list)
    assignee: Mapped[str | None] = mapped_column(sa.String(120))
    municipality_code: Mapped[str | None] = mapped_column(sa.String(6))
    form_key: Mapped[str | None] = mapped_column(sa.String(200))
    form_file_id: Mapped[int | None] = mapped_column(sa.ForeignKey("definition_file.id"))
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    priority: Mapped[int] = mapped_column(sa.Integer, default=NORMAL_PRIORITY, server_default=str(NORMAL_PRIORITY))
    status: Mapped[str] = mapped_column(sa.String(20), default=OPEN)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_by: Mapped[str | None] = mapped_column(sa.String(120))

    @property
    def urgent(self) -> bool:
        return (self.priority or NORMAL_PRIORITY) >= URGENT_PRIORITY

    @property
    def personal(self) -> bool:
        """Assigned by the model (`camunda:assignee`), not claimed: the task is that person's, not a role's."""
        return self.assignee is not None and self.claimed_at is None


class TaskCandidate(db.Model):
    """One candidate group of a task, indexed so an inbox query is a join, not a scan. It carries its task's
    case so that the cases a role took part in (access/policy.case_clause) are one range of an index, with
    no join to the tasks."""

    __tablename__ = "task_candidate"

    task_id: Mapped[str] = mapped_column(sa.ForeignKey("human_task.id", ondelete="CASCADE"), primary_key=True)
    group_name: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    instance_id: Mapped[str] = mapped_column(sa.String(36))
    __table_args__ = (
        sa.Index("ix_task_candidate_group_name_task_id", "group_name", "task_id"),
        sa.Index("ix_task_candidate_group_name_instance", "group_name", "instance_id"),
    )
