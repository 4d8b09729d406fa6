"""Keep the message subscription rows of a case in step with what it waits for."""
from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from ..runtime.inspection import waiting_messages
from .models import MessageSubscription


def sync_subscriptions(instance, workflow) -> None:
    wanted = {(w.task_id, w.message_name): w for w in waiting_messages(workflow)} if instance.status != "completed" else {}
    existing = {
        (row.task_id, row.message_name): row
        for row in db.session.scalars(sa.select(MessageSubscription).where(MessageSubscription.instance_id == instance.id))
    }
    for key, row in existing.items():
        if key not in wanted:
            db.session.delete(row)
    for key, wait in wanted.items():
        if key not in existing:
            db.session.add(MessageSubscription(
                instance_id=instance.id, task_id=wait.task_id, element_id=wait.element_id,
                message_name=wait.message_name, correlation_key=instance.business_key,
            ))


def find_waiting(message_name: str, correlation_key: str) -> list[MessageSubscription]:
    """The subscriptions for a message and correlation value: an index lookup, never a scan of cases."""
    return list(db.session.scalars(
        sa.select(MessageSubscription).where(
            MessageSubscription.message_name == message_name,
            MessageSubscription.correlation_key == correlation_key,
        )
    ))
