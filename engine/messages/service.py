"""Message subscriptions (which case waits for which message) and the buffer of messages that came early.

Both are found by an index (message name + correlation value, which is the case's business key), never by
a scan of cases. A message and the case that is about to wait for it can race: the side that delivers locks
the case row before it looks for subscriptions, and a case that saves locks its row before it looks in the
buffer, so one of them always sees the other.
"""

from __future__ import annotations

import json
from datetime import timedelta

import sqlalchemy as sa
from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition

from ..core.config import json_dumps
from ..crypto import service as keys
from ..definitions.service import message_senders_of, version_info
from ..core.errors import Forbidden, Unprocessable
from ..db.extensions import db
from ..access import policy
from ..instances import store
from ..instances.models import CANCELLED, COMPLETED, RUNNING, AuditEvent
from ..runtime.inspection import waiting_messages
from ..core.timeutil import utcnow
from .models import BufferedMessage, MessageSubscription
from .store import delete_subscriptions, insert_subscriptions, lock_case_for_message
from ..instances.session import CaseSession

# A caught message may lead straight to another catch whose message is buffered too; bounded all the same.
MAX_BUFFERED_PER_SAVE = 50


def plan_subscriptions(case, workflow, waits_before: set) -> tuple[list, list, set]:
    """(keys to drop, rows to add, keys after): `waits_before` (task id, message name) pairs are exactly the
    case's subscription rows when it was loaded."""
    waits = {(w.task_id, w.message_name): w for w in waiting_messages(workflow)} if case.status != "completed" else {}
    drop = [key for key in waits_before if key not in waits]
    add = [
        {
            "instance_id": case.id,
            "task_id": w.task_id,
            "element_id": w.element_id,
            "message_name": w.message_name,
            "correlation_key": case.business_key,
        }
        for key, w in waits.items()
        if key not in waits_before
    ]
    return drop, add, set(waits)


def apply_subscriptions(writer, case, plan: tuple) -> None:
    drop, add, _ = plan
    delete_subscriptions(writer.connection, case.id, drop)
    insert_subscriptions(writer.connection, add)


def find_waiting(message_name: str, correlation_key: str) -> list[MessageSubscription]:
    """The subscriptions for a message and correlation value: an index lookup, never a scan of cases."""
    return list(
        db.session.scalars(
            sa.select(MessageSubscription).where(
                MessageSubscription.message_name == message_name,
                MessageSubscription.correlation_key == correlation_key,
            )
        )
    )


def authorise(actor, case, message_name: str, payload: dict) -> None:
    """Refuse a message its sender may not send, or with variables its process does not declare
    (`definitions/message_senders.py`). A refusal rolls back the open transaction, is audited on the case
    (in a transaction of its own) and raised: 403 for the sender, 422 for the variables."""
    declared = message_senders_of(version_info(case.process_version_id)).get(message_name)
    senders = declared["senders"] if declared else []
    if not policy.can_send_message(actor, senders, case.municipality_code):
        who = ", ".join(senders) if senders else "nobody (the process declares no senders)"
        _refuse(
            actor,
            case,
            message_name,
            payload,
            "sender",
            Forbidden(
                f"'{message_name}' is sent to this case only by: {who}.", message_name=message_name, senders=senders
            ),
        )
    allowed = set(declared["variables"])
    undeclared = sorted(set(payload) - allowed)
    if undeclared:
        _refuse(
            actor,
            case,
            message_name,
            payload,
            "variables",
            Unprocessable(
                f"'{message_name}' may set only: {', '.join(sorted(allowed)) or 'no variables'}.",
                errors={f"variables.{key}": ["Not a variable of this message."] for key in undeclared},
            ),
        )


def _refuse(actor, case, message_name: str, payload: dict, reason: str, error) -> None:
    db.session.rollback()
    db.session.add(
        AuditEvent(
            instance_id=case.id,
            at=utcnow(),
            actor=actor.username,
            event="message.refused",
            data_keys=sorted(payload),
            details={"message": message_name, "reason": reason},
        )
    )
    db.session.commit()
    raise error


def deliver(message_name: str, correlation_key: str, payload: dict, actor, instance_filter=None) -> list[str]:
    """Deliver a message to every case waiting for it under this correlation key (the business key), if
    the actor may send it there (`authorise`).

    Each case is advanced and saved in its own transaction. Returns the ids of the cases that caught it;
    an empty list means nobody waits (the caller decides whether to buffer or refuse).
    """
    delivered = []
    instance_ids = sorted({s.instance_id for s in find_waiting(message_name, correlation_key)})
    for instance_id in instance_ids:
        case = store.load_case(instance_id)
        if case is None or case.status != RUNNING:
            continue
        if instance_filter is not None and not instance_filter(case):
            continue
        authorise(actor, case, message_name, payload)
        session = CaseSession.open(case, actor)
        if catch_message(session, message_name, payload):
            session.advance()
            session.save()
            delivered.append(instance_id)
    return delivered


def deliver_to_visible_cases(message_name: str, correlation_key: str, payload: dict, actor) -> list[str]:
    """`deliver`, to the waiting cases the actor may see only: a caller of the API learns nothing about
    the others, not even that they wait."""
    return deliver(
        message_name,
        correlation_key,
        payload,
        actor,
        instance_filter=lambda case: policy.can_see_case(actor, case, db.session),
    )


def catch_message(session, message_name: str, payload: dict, **details) -> bool:
    """Hand a message to the waiting tasks of an open case session. Returns False if none waits for it."""
    workflow = session.workflow
    for task in list(workflow.event_manager.tasks.values()):
        definition = task.task_spec.event_definition
        candidates = definition.event_definitions if isinstance(definition, MultipleEventDefinition) else [definition]
        for candidate in candidates:
            if getattr(candidate, "name", None) == message_name and hasattr(candidate, "correlation_properties"):
                event = BpmnEvent(candidate, payload=dict(payload), correlations=dict(workflow.correlations))
                session.record(
                    "message.received",
                    task.task_spec.bpmn_id,
                    task.task_spec.bpmn_name,
                    str(task.id),
                    data_keys=sorted(payload),
                    message=message_name,
                    **details,
                )
                workflow.catch(event)
                return True
    return False


# --- correlation with buffering --------------------------------------------------------------------------

CORRELATED = "correlated"
BUFFERED = "buffered"


class NoSuchCase(LookupError):
    """No case has this business key."""


class CaseEnded(LookupError):
    """The case has ended: nothing will ever wait for the message."""

    def __init__(self, status: str):
        super().__init__(status)
        self.status = status


def correlate_or_buffer(
    message_name: str,
    correlation_key: str,
    payload: dict,
    actor,
    buffer_ttl: timedelta,
    delivery_id: int | None = None,
    locked=None,
    riders: tuple = (),
    **details,
) -> tuple[str, list[str]]:
    """Deliver a message to the case with this business key, or buffer it until that case waits for it.

    Runs in the caller's transaction and commits nothing, so the caller can store its own record of the
    delivery in the same transaction. `locked`: the answer of `store.lock_case_for_message` when the
    caller took the lock already in this transaction. `riders`: the caller's writes that go out in the batch of
    the case's step when the message is caught (`store.Rider`). Returns (CORRELATED or BUFFERED, [case id])."""
    instance, waits = locked if locked is not None else lock_case_for_message(correlation_key, message_name)
    if instance is None:
        raise NoSuchCase(correlation_key)
    if instance.status in (COMPLETED, CANCELLED):
        raise CaseEnded(instance.status)
    authorise(actor, instance, message_name, payload)
    if waits and instance.status == RUNNING:
        session = CaseSession.open(instance, actor)
        session.case_locked = True  # consume_buffered_messages need not lock it again
        if catch_message(session, message_name, payload, **details):
            session.advance()
            session.save(commit=False, riders=riders)
            return CORRELATED, [instance.id]
    # Not waiting yet (or in error/suspended): the case catches it in the save in which it starts to wait.
    now = utcnow()
    sealed = keys.seal_for(
        keys.cipher_for(instance.id, create=True), json_dumps(dict(payload)).encode(), instance.id, BUFFERED_PAYLOAD
    )
    db.session.execute(
        sa.insert(BufferedMessage).values(
            message_name=message_name,
            correlation_key=correlation_key,
            payload=sealed,
            delivery_id=delivery_id,
            actor=actor.username,
            received_at=now,
            expires_at=now + buffer_ttl,
        )
    )
    return BUFFERED, [instance.id]


BUFFERED_PAYLOAD = "message_buffer"


def _buffered_payload(cipher, row, instance_id: str) -> dict:
    plain = keys.open_for(cipher, row.payload, instance_id, BUFFERED_PAYLOAD)
    return json.loads(plain) if plain else {}


def consume_buffered_messages(session) -> int:
    """Catch the buffered messages the case of `session` now waits for (called by CaseSession.save before
    it writes the state). Returns how many were caught."""
    # A new case cannot have buffered messages: a message is buffered only for the key of an existing case.
    if session.is_new or session.keep_status or session.log.incident is not None:
        return 0
    # Only messages the case starts waiting for in this step can be buffered: while it already waited, a
    # delivery found its subscription (both sides lock the case row), so nothing was buffered for it.
    waited_before = {name for _, name in session.carried.get("messages", ())}
    names = {w.message_name for w in waiting_messages(session.workflow)} - waited_before
    if not names:
        return 0
    if not getattr(session, "case_locked", False):
        store.lock_case(session.instance.id)
    key = session.instance.business_key
    caught = 0
    while names and caught < MAX_BUFFERED_PER_SAVE:
        now = utcnow()
        rows = db.session.scalars(
            sa.select(BufferedMessage)
            .where(
                BufferedMessage.correlation_key == key,
                BufferedMessage.message_name.in_(sorted(names)),
                BufferedMessage.consumed_at.is_(None),
                BufferedMessage.expires_at > now,
            )
            .order_by(BufferedMessage.id)
        ).all()
        cipher = keys.cipher_for(session.instance.id)
        row = next(
            (
                r
                for r in rows
                if catch_message(
                    session,
                    r.message_name,
                    _buffered_payload(cipher, r, session.instance.id),
                    buffered_since=r.received_at.isoformat(),
                    delivery_id=r.delivery_id,
                )
            ),
            None,
        )
        if row is None:
            break
        row.consumed_at = now
        row.instance_id = session.instance.id
        caught += 1
        session.advance()
        if session.log.incident is not None:
            break
        names = {w.message_name for w in waiting_messages(session.workflow)} - waited_before
    return caught
