"""The outbox: case events become outbound deliveries in the transaction of the case save that caused them.

Nothing is sent here (a slow receiver never slows a case down); the dispatcher sends them later. A payload
carries ids and event facts only: never form values, and never a variable marked sensitive.
"""

from __future__ import annotations

import json
import uuid
from typing import NamedTuple

import sqlalchemy as sa
from flask import current_app

from ..crypto import service as keys
from ..db.prepared import Prepared, Raw
from ..runtime.inspection import case_variables
from ..core.timeutil import utcnow
from .events import CASE_EVENTS
from .models import PENDING, OutboundDelivery, OutboundSubscription


def _state():
    return current_app.extensions.get("vb_webhooks")


_SUBSCRIPTIONS = OutboundSubscription.__table__
_ACTIVE_SUBSCRIPTIONS = Prepared(
    sa.select(
        _SUBSCRIPTIONS.c.id,
        _SUBSCRIPTIONS.c.event_types,
        _SUBSCRIPTIONS.c.process_id,
        _SUBSCRIPTIONS.c.municipality_code,
    ).where(_SUBSCRIPTIONS.c.active.is_(True))
)


class _Subscription(NamedTuple):
    id: int
    event_types: list
    process_id: str | None
    municipality_code: str | None


def active_subscriptions(connection: Raw | None = None) -> list[_Subscription]:
    """(id, event_types, process_id, municipality_code) of every active subscription: a small table, read
    on every case save that has events (not cached: a new subscription counts from its first second).
    A prepared statement on the session's connection: this runs inside every case step."""
    return [_Subscription(*row) for row in _ACTIVE_SUBSCRIPTIONS.all(connection or Raw())]


def _event_types(audit_event: dict, process_id: str, domain_events: dict) -> list[str]:
    types = [audit_event["event"]] if audit_event["event"] in CASE_EVENTS else []
    types.extend(name for name, event in domain_events.items() if event.matches(audit_event, process_id))
    return types


def _facts(audit_event: dict, event_type: str, sensitive: set) -> dict:
    details = audit_event.get("details") or {}
    facts = {}
    for key in ("element_id", "element_name", "task_id"):
        if audit_event.get(key):
            facts[key] = audit_event[key]
    if event_type == "task.created":
        facts["candidate_groups"] = details.get("candidate_groups") or []
    if audit_event["event"] == "message.received":
        facts["message_name"] = details.get("message")
    if event_type in ("task.completed", "message.received"):
        facts["data_keys"] = [k for k in audit_event.get("data_keys") or [] if k not in sensitive]
    return facts


def outbox_rows(session, instance, audit_events: list, connection: Raw | None = None) -> list[dict]:
    """The outbox rows for the events of one case save (CaseSession.save writes them with the step, in its
    transaction: `write_outbox`). `instance` carries id, business_key, municipality_code and status, and
    may say that no subscription was active when it was read (`outbox_active`)."""
    state = _state()
    if state is None or not audit_events:
        return []
    version = session.version
    domain_events = state.domain_events
    pending = [(t, e) for e in audit_events for t in _event_types(e, version.process_id, domain_events)]
    if not pending or getattr(instance, "outbox_active", None) is False:
        return []
    # A confidential process's events go only to subscriptions that name it (docs/modeling.md)
    any_process = not version.model.get("confidential")
    subscriptions = [
        s
        for s in active_subscriptions(connection)
        if ((s.process_id is None and any_process) or s.process_id == version.process_id)
        and (s.municipality_code is None or s.municipality_code == instance.municipality_code)
    ]
    if not subscriptions:
        return []
    sensitive = set(version.model.get("sensitive_keys") or [])
    now = utcnow()
    variables = None
    cipher = keys.cipher_for(instance.id)  # the case's key (made with a new case before this is called)
    rows = []
    for event_type, audit_event in pending:
        targets = [s for s in subscriptions if event_type in (s.event_types or [])]
        if not targets:
            continue
        data = {
            "case_id": instance.id,
            "business_key": instance.business_key,
            "process_id": version.process_id,
            "process_version": version.version,
            "municipality_code": instance.municipality_code,
            "case_status": instance.status,
        }
        data.update(_facts(audit_event, event_type, sensitive))
        domain = domain_events.get(event_type)
        if domain is not None and domain.facts:
            if variables is None:
                variables = case_variables(session.workflow)
            data["facts"] = {k: variables[k] for k in domain.facts if k in variables and k not in sensitive}
        for subscription in targets:
            msg_id = "msg_" + uuid.uuid4().hex
            body = json.dumps(
                {"type": event_type, "timestamp": now.isoformat().replace("+00:00", "Z"), "data": data},
                separators=(",", ":"),
                ensure_ascii=False,
                default=str,
            )
            body = keys.seal_for(cipher, body.encode(), instance.id, OUTBOX_BODY)
            rows.append(
                {
                    "subscription_id": subscription.id,
                    "msg_id": msg_id,
                    "event_type": event_type,
                    "instance_id": instance.id,
                    "body": body,
                    "status": PENDING,
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                }
            )
    return rows


_OUTBOX = OutboundDelivery.__table__
OUTBOX_BODY = "webhook_outbound"


def open_body(row_body, instance_id: str) -> str | None:
    """The JSON text of an outbox body (None once its case was purged)."""
    plain = keys.open_for(keys.cipher_for(instance_id), row_body, instance_id, OUTBOX_BODY)
    return plain.decode() if plain is not None else None


_OUTBOX_COLUMNS = (
    "subscription_id",
    "msg_id",
    "event_type",
    "instance_id",
    "body",
    "status",
    "attempts",
    "next_attempt_at",
    "created_at",
)
_INSERT_OUTBOX = Prepared(
    sa.insert(_OUTBOX).values({name: sa.bindparam(name, type_=_OUTBOX.c[name].type) for name in _OUTBOX_COLUMNS})
)


def write_outbox(connection: Raw, rows: list[dict]) -> None:
    _INSERT_OUTBOX.executemany(connection, rows)
