"""Purging cases: at the end of their retention (the scheduler's sweep) or at once on an erasure request.

A purge destroys the case's data key (everything sealed under it is unreadable from then on, in the database
and in every backup taken after it), deletes the case's sealed copies outside the state (buffered messages,
outbox rows, stored webhook bodies), and keeps a tombstone: the row's plain columns (id, process,
municipality, dates, status) and the figures of the yearly evaluation, which name no one.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from ..crypto import service as keys
from ..definitions.service import version_info
from ..documents.service import purge_documents
from ..core.errors import Conflict, Gone, NotFound, Unprocessable
from ..db.extensions import db
from ..identity.actor import Actor
from ..instances import store
from ..instances.models import CANCELLED, COMPLETED, AuditEvent, ProcessInstance
from ..instances.sealed import case_variables
from ..cases.service import case_tombstone
from ..messages.models import BufferedMessage
from ..notes.service import purge_notes
from ..reporting.vangnet import TOMBSTONE_FIELDS
from ..runtime.retention_periods import ends_at, shortest
from ..core.timeutil import as_utc, utcnow
from ..webhooks.models import InboundDelivery, OutboundDelivery

CLOSED = (COMPLETED, CANCELLED)
MAX_REASON = 500


def retention_of(process_version_id: int) -> str:
    return version_info(process_version_id).model.get("retention") or current_app.config["VB_DEFAULT_RETENTION"]


def retention_ends(instance: ProcessInstance) -> datetime | None:
    """When a closed case's retention ends (None while it is open)."""
    if instance.status not in CLOSED or instance.completed_at is None:
        return None
    return ends_at(as_utc(instance.completed_at), retention_of(instance.process_version_id))


def _reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise Unprocessable(
            "Give the reason (the request or decision it follows), without personal data.",
            errors={"reason": ["Required."]},
        )
    if len(reason) > MAX_REASON:
        raise Unprocessable(f"The reason has at most {MAX_REASON} characters.", errors={"reason": ["Too long."]})
    return reason


def find_case(ref: str) -> ProcessInstance:
    """A case by id or business key (the admin commands)."""
    instance = db.session.scalar(
        sa.select(ProcessInstance).where(sa.or_(ProcessInstance.id == ref, ProcessInstance.business_key == ref))
    )
    if instance is None:
        raise NotFound(f"No case with id or business key '{ref}'.")
    return instance


def purge(instance_id: str, actor: Actor, reason: str, commit: bool = True) -> dict:
    """Destroy one case's data now. Open cases are refused (cancel them first): a purge ends a case's life,
    it does not take part in it."""
    reason = _reason(reason)
    store.lock_case(instance_id)
    instance = db.session.get(ProcessInstance, instance_id, populate_existing=True)
    if instance is None:
        raise NotFound("No such case.")
    if instance.purged_at is not None:
        raise Gone("This case was purged already.", **tombstone_of(instance))
    if instance.status not in CLOSED:
        raise Conflict(f"This case is {instance.status}; cancel it before purging it.", status=instance.status)
    variables = case_variables(instance.id)
    now = utcnow()
    figures = {key: variables[key] for key in TOMBSTONE_FIELDS if key in variables}
    keys.destroy(instance.id)
    purge_documents(instance.id)
    purge_notes(instance.id)
    db.session.execute(
        sa.update(ProcessInstance)
        .where(ProcessInstance.id == instance.id)
        .values(
            state=None,
            variables=None,
            incident=None,
            title="",
            purged_at=now,
            purge_reason=reason,
            tombstone=figures,
            lock_version=ProcessInstance.lock_version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        sa.delete(BufferedMessage).where(
            sa.or_(BufferedMessage.instance_id == instance.id, BufferedMessage.correlation_key == instance.business_key)
        )
    )
    db.session.execute(sa.delete(OutboundDelivery).where(OutboundDelivery.instance_id == instance.id))
    db.session.execute(
        sa.update(InboundDelivery)
        .where(
            sa.or_(InboundDelivery.instance_id == instance.id, InboundDelivery.business_key == instance.business_key)
        )
        .values(body=None)
        .execution_options(synchronize_session=False)
    )
    db.session.add(
        AuditEvent(
            instance_id=instance.id,
            at=now,
            actor=actor.username,
            event="case.purged",
            data_keys=[],
            details={"reason": reason, "kept_figures": sorted(figures)},
        )
    )
    if commit:
        db.session.commit()
    db.session.expire(instance)
    return tombstone_of(db.session.get(ProcessInstance, instance_id))


def tombstone_of(instance: ProcessInstance) -> dict:
    """What remains of a purged case (the 410 answer)."""
    return {"tombstone": case_tombstone(instance)}


def set_hold(instance_id: str, actor: Actor, reason: str) -> dict:
    reason = _reason(reason)
    instance = _held_case(instance_id)
    hold = {"reason": reason, "by": actor.username, "at": utcnow().isoformat()}
    instance.legal_hold = hold
    db.session.add(
        AuditEvent(
            instance_id=instance.id,
            actor=actor.username,
            event="case.legal_hold_set",
            data_keys=[],
            details={"reason": reason},
        )
    )
    db.session.commit()
    return hold


def release_hold(instance_id: str, actor: Actor, reason: str) -> None:
    reason = _reason(reason)
    instance = _held_case(instance_id)
    if instance.legal_hold is None:
        raise Conflict("This case has no legal hold.")
    instance.legal_hold = None
    db.session.add(
        AuditEvent(
            instance_id=instance.id,
            actor=actor.username,
            event="case.legal_hold_released",
            data_keys=[],
            details={"reason": reason},
        )
    )
    db.session.commit()


def _held_case(instance_id: str) -> ProcessInstance:
    instance = db.session.get(ProcessInstance, instance_id)
    if instance is None:
        raise NotFound("No such case.")
    if instance.purged_at is not None:
        raise Gone("This case was purged.", **tombstone_of(instance))
    return instance


def due_for_purge(now: datetime | None = None, limit: int = 200) -> list[str]:
    """Closed, unpurged cases without a legal hold whose retention has ended."""
    now = now or utcnow()
    due = []
    versions = db.session.scalars(
        sa.select(ProcessInstance.process_version_id)
        .distinct()
        .where(ProcessInstance.status.in_(CLOSED), ProcessInstance.purged_at.is_(None))
    ).all()
    for version_id in versions:
        period = retention_of(version_id)
        rows = db.session.execute(
            sa.select(ProcessInstance.id, ProcessInstance.completed_at)
            .where(
                ProcessInstance.process_version_id == version_id,
                ProcessInstance.status.in_(CLOSED),
                ProcessInstance.purged_at.is_(None),
                ProcessInstance.legal_hold.is_(None),
                ProcessInstance.completed_at <= now - shortest(period),
            )
            .order_by(ProcessInstance.completed_at)
            .limit(limit)
        ).all()
        due.extend(row.id for row in rows if ends_at(as_utc(row.completed_at), period) <= now)
    return due[:limit]


RETENTION_ACTOR = "retention"


def sweep(now: datetime | None = None) -> int:
    """Purge every case whose retention has ended (the scheduler runs this). Returns how many."""
    actor = Actor.system(RETENTION_ACTOR)
    purged = 0
    for instance_id in due_for_purge(now):
        try:
            purge(instance_id, actor, "Bewaartermijn verstreken (retention period ended)")
            purged += 1
        except (Conflict, Gone):
            db.session.rollback()  # changed or purged meanwhile
    return purged
