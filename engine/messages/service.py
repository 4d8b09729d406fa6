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


def deliver(message_name: str, correlation_key: str, payload: dict, actor, instance_filter=None) -> list[str]:
    """Deliver a message to every case waiting for it under this correlation key (the business key).

    Each case is advanced and saved in its own transaction. Returns the ids of the cases that caught it;
    an empty list means nobody waits (the caller decides whether to buffer or refuse).
    """
    from ..instances.models import ProcessInstance, RUNNING
    from ..instances.session import CaseSession

    delivered = []
    instance_ids = sorted({s.instance_id for s in find_waiting(message_name, correlation_key)})
    for instance_id in instance_ids:
        instance = db.session.get(ProcessInstance, instance_id)
        if instance is None or instance.status != RUNNING:
            continue
        if instance_filter is not None and not instance_filter(instance):
            continue
        session = CaseSession.open(instance, actor)
        if catch_message(session, message_name, payload):
            session.advance()
            session.save()
            delivered.append(instance_id)
    return delivered


def catch_message(session, message_name: str, payload: dict) -> bool:
    """Hand a message to the waiting tasks of an open case session. Returns False if none waits for it."""
    from SpiffWorkflow.bpmn import BpmnEvent
    from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition

    workflow = session.workflow
    for task in list(workflow.event_manager.tasks.values()):
        definition = task.task_spec.event_definition
        candidates = definition.event_definitions if isinstance(definition, MultipleEventDefinition) else [definition]
        for candidate in candidates:
            if getattr(candidate, "name", None) == message_name and hasattr(candidate, "correlation_properties"):
                event = BpmnEvent(candidate, payload=dict(payload), correlations=dict(workflow.correlations))
                session.record("message.received", task.task_spec.bpmn_id, task.task_spec.bpmn_name, str(task.id),
                               data_keys=sorted(payload), message=message_name)
                workflow.catch(event)
                return True
    return False
