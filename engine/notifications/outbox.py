"""The mail outbox: notification rows for the tasks a case step created, and the reminders of their due
dates, written in the transaction of that step (`contributor.Notifications`). Nothing is sent here."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from ..db.prepared import Prepared, Raw
from ..core.timeutil import utcnow
from . import recipients
from .models import CASE_NEWS, DAILY, DUE_TOMORROW, OFF, OVERDUE, PENDING, QUEUED, MailMessage, TaskReminder

REMIND_BEFORE = timedelta(days=1)


def message_row(user: recipients.Recipient, kind: str, task: dict, business_key: str, now) -> dict | None:
    """A mail row for one user, or None when they switched the kind off. Only the four safe facts."""
    mode = user.mode(kind)
    if mode == OFF:
        return None
    return {
        "user_id": user.user_id,
        "kind": kind,
        "task_id": task["id"],
        "instance_id": task["instance_id"],
        "task_name": (task.get("name") or "")[:300],
        "business_key": (business_key or "")[:120],
        "municipality_code": task.get("municipality_code"),
        "due_at": task.get("due_at"),
        "status": QUEUED if mode == DAILY else PENDING,
        "attempts": 0,
        "next_attempt_at": None if mode == DAILY else now,
        "last_error": None,
        "digest_id": None,
        "created_at": now,
        "sent_at": None,
    }


def step_rows(
    case, new_tasks: list[dict], actor_name: str, is_new: bool, connection: Raw
) -> tuple[list[dict], list[dict]]:
    """(mail rows, reminder rows) for the tasks created in one step of `case`, read on the step's
    `connection`."""
    if not new_tasks:
        return [], []
    now = utcnow()
    users = recipients.addressable(connection=connection)
    mails, reminders = [], []
    handlers = None
    for task in new_tasks:
        told = set()
        for user, kind in recipients.for_task(task, users):
            row = message_row(user, kind, task, case.business_key, now)
            told.add(user.user_id)
            if row is not None:
                mails.append(row)
        if handlers is None:
            handlers = [] if is_new else recipients.case_handlers(case.id, users, actor_name, connection)
        for user in handlers:
            if user.user_id in told or user.username == actor_name:
                continue  # the one who caused the step knows; a worker of the task heard of it already
            told.add(user.user_id)
            row = message_row(user, CASE_NEWS, task, case.business_key, now)
            if row is not None:
                mails.append(row)
        due = task.get("due_at")
        if due is not None:
            if due - REMIND_BEFORE > now:
                reminders.append({"task_id": task["id"], "kind": DUE_TOMORROW, "at": due - REMIND_BEFORE})
            reminders.append({"task_id": task["id"], "kind": OVERDUE, "at": due})
    return mails, reminders


_MAIL = MailMessage.__table__
_MAIL_COLUMNS = (
    "user_id",
    "kind",
    "task_id",
    "instance_id",
    "task_name",
    "business_key",
    "municipality_code",
    "due_at",
    "status",
    "attempts",
    "next_attempt_at",
    "last_error",
    "digest_id",
    "created_at",
    "sent_at",
)
_INSERT_MAIL = Prepared(
    sa.insert(_MAIL).values({name: sa.bindparam(name, type_=_MAIL.c[name].type) for name in _MAIL_COLUMNS})
)
_REMINDER = TaskReminder.__table__
_INSERT_REMINDER = Prepared(
    sa.insert(_REMINDER).values(
        {name: sa.bindparam(name, type_=_REMINDER.c[name].type) for name in ("task_id", "kind", "at")}
    )
)


def write(connection: Raw, mails: list[dict], reminders: list[dict]) -> None:
    _INSERT_MAIL.executemany(connection, mails)
    _INSERT_REMINDER.executemany(connection, reminders)
