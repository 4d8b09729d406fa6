"""Due-tomorrow and overdue mails: the timer scheduler wakes up at the next reminder's moment (one job,
moved by every new reminder through the scheduler's change feed), and turns the reminders due then into
mails for whoever may work on the task at that moment. A reminder is claimed by deleting its row, so it
becomes mails once, whichever scheduler fires it; the unique key of the mails makes that sure."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from ..db.extensions import db
from ..instances.models import ProcessInstance
from ..instances.task_rows import OPEN, HumanTask
from ..core.timeutil import as_utc, utcnow
from . import recipients
from .models import MailMessage, TaskReminder
from .outbox import message_row


def next_reminder_at() -> datetime | None:
    value = db.session.scalar(sa.select(sa.func.min(TaskReminder.at)))
    db.session.rollback()
    return as_utc(value)


def fire_due(now: datetime | None = None, limit: int = 500) -> int:
    """Turn the reminders due by `now` into mails; returns how many mails were written."""
    now = now or utcnow()
    due = db.session.execute(
        sa.select(TaskReminder.task_id, TaskReminder.kind)
        .where(TaskReminder.at <= now)
        .order_by(TaskReminder.at)
        .limit(limit)
    ).all()
    db.session.rollback()
    written, users = 0, None
    for task_id, kind in due:
        claimed = db.session.execute(
            sa.delete(TaskReminder).where(TaskReminder.task_id == task_id, TaskReminder.kind == kind)
        ).rowcount
        if claimed != 1:
            db.session.rollback()  # another scheduler took it
            continue
        task = db.session.get(HumanTask, task_id)
        if task is not None and task.status == OPEN:
            users = recipients.addressable() if users is None else users
            business_key = (
                db.session.scalar(sa.select(ProcessInstance.business_key).where(ProcessInstance.id == task.instance_id))
                or ""
            )
            facts = {
                "id": task.id,
                "instance_id": task.instance_id,
                "name": task.name,
                "municipality_code": task.municipality_code,
                "due_at": as_utc(task.due_at),
            }
            told = set(
                db.session.scalars(
                    sa.select(MailMessage.user_id).where(MailMessage.kind == kind, MailMessage.task_id == task_id)
                )
            )
            for user in recipients.workers_of(task, users):
                row = message_row(user, kind, facts, business_key, now)
                if row is not None and user.user_id not in told:
                    db.session.execute(sa.insert(MailMessage).values(row))
                    written += 1
        db.session.commit()
    return written
