"""The rows of notifications: preferences per user, the mail outbox, and the reminders of due dates.

A mail row holds only what a mail may show (docs/notifications.md): the task's name, the case's business
key, the municipality code and the due date. Nothing else of the case is ever copied here."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..db.extensions import UTCDateTime, db
from ..core.timeutil import utcnow

# What a user can be told about
NEW_TASK = "new_task"  # a task for one of my roles (in my municipality / police unit)
ASSIGNED = "assigned"  # a task assigned to me
DUE_TOMORROW = "due_tomorrow"  # a task I may work on is due in 24 hours
OVERDUE = "overdue"  # a task I may work on is past its due date
CASE_NEWS = "case_news"  # a new task in a case in which I completed a task
KINDS = (NEW_TASK, ASSIGNED, DUE_TOMORROW, OVERDUE, CASE_NEWS)
DIGEST = "digest"  # the kind of a daily digest mail

# How a user wants to hear of a kind
IMMEDIATELY = "immediately"
DAILY = "daily"
OFF = "off"
MODES = (IMMEDIATELY, DAILY, OFF)
DEFAULT_MODES = {
    NEW_TASK: IMMEDIATELY,
    ASSIGNED: IMMEDIATELY,
    DUE_TOMORROW: IMMEDIATELY,
    OVERDUE: IMMEDIATELY,
    CASE_NEWS: DAILY,
}
DEFAULT_DIGEST_HOUR = 8

# The life of a mail row
PENDING = "pending"  # to be sent (from next_attempt_at on)
QUEUED = "queued"  # waits for the user's daily digest
BUNDLED = "bundled"  # sent as a line of the digest `digest_id`
SENT = "sent"
GAVE_UP = "gave_up"  # failed VB_MAIL_MAX_ATTEMPTS times: listed for the beheerder


class NotificationPreference(db.Model):
    """One user's choices: {kind: mode} (kinds left out keep their default) and the digest hour
    (0-23, Dutch time)."""

    __tablename__ = "notification_preference"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True)
    modes: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    digest_hour: Mapped[int] = mapped_column(default=DEFAULT_DIGEST_HOUR)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MailMessage(db.Model):
    """One notification for one user: a mail of its own (PENDING), or a line of the next digest (QUEUED).
    Unique per (kind, task, user): a task is announced, reminded and called overdue once per person."""

    __tablename__ = "mail_message"
    __table_args__ = (
        sa.UniqueConstraint("kind", "task_id", "user_id", name="uq_mail_message_kind_task_id_user_id"),
        sa.Index("ix_mail_message_status_next_attempt_at", "status", "next_attempt_at"),
        sa.Index("ix_mail_message_user_id_status", "user_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("app_user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(20))
    task_id: Mapped[str | None] = mapped_column(sa.String(36))
    instance_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("process_instance.id", ondelete="CASCADE"), index=True
    )
    task_name: Mapped[str] = mapped_column(sa.String(300), default="")
    business_key: Mapped[str] = mapped_column(sa.String(120), default="")
    municipality_code: Mapped[str | None] = mapped_column(sa.String(6))
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(sa.String(20), default=PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    digest_id: Mapped[int | None] = mapped_column(sa.ForeignKey("mail_message.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class TaskReminder(db.Model):
    """A moment the timer scheduler wakes up for a task: a day before its due date and at it. Written with
    the step that created the task; deleted by the scheduler that turns it into mails (once)."""

    __tablename__ = "task_reminder"
    __table_args__ = (sa.Index("ix_task_reminder_at", "at"),)

    task_id: Mapped[str] = mapped_column(sa.ForeignKey("human_task.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
