"""Keep the message subscription rows of a case in step with what it waits for."""
from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from ..runtime.inspection import waiting_messages
from .models import MessageSubscription


def plan_subscriptions(case, workflow, waits_before: set) -> tuple[list, list, set]:
    """(keys to drop, rows to add, keys after): `waits_before` (task id, message name) pairs are exactly the
    case's subscription rows when it was loaded."""
    waits = {(w.task_id, w.message_name): w for w in waiting_messages(workflow)} if case.status != "completed" else {}
    drop = [key for key in waits_before if key not in waits]
    add = [{"instance_id": case.id, "task_id": w.task_id, "element_id": w.element_id, "message_name": w.message_name,
            "correlation_key": case.business_key} for key, w in waits.items() if key not in waits_before]
    return drop, add, set(waits)


def apply_subscriptions(writer, case, plan: tuple) -> None:
    drop, add, _ = plan
    writer.delete_subscriptions(case.id, drop)
    writer.insert_subscriptions(add)


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
    from ..instances import store
    from ..instances.models import RUNNING
    from ..instances.session import CaseSession

    delivered = []
    instance_ids = sorted({s.instance_id for s in find_waiting(message_name, correlation_key)})
    for instance_id in instance_ids:
        case = store.load_case(instance_id)
        if case is None or case.status != RUNNING:
            continue
        if instance_filter is not None and not instance_filter(case):
            continue
        session = CaseSession.open(case, actor)
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
