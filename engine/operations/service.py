"""Operating running cases: suspend, resume and cancel with a reason, the case list for operators, incidents.

Each action is one case step (CaseSession): loaded at its lock version, audited with who, when and why, and
saved in one transaction, so it cannot cross a task completion or a timer of the same case.

A suspended case accepts no task completions, messages or timers (the case step refuses every state but
running). Its open tasks leave every inbox: their rows get the status `suspended` until the case resumes.
Timers that came due during the suspension fire when it resumes. Messages sent to a suspended case are not
caught (the sender is told nobody waits).
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from ..definitions.models import ProcessVersion
from ..core.errors import Conflict, Forbidden, NotFound, Unprocessable
from ..db.extensions import db
from ..access import policy
from ..identity.actor import Actor
from ..instances.models import CANCELLED, ERROR, RUNNING, SUSPENDED, ProcessInstance
from ..cases.service import get_visible_case
from ..instances.session import CaseSession
from ..runtime import inspection
from ..instances.task_rows import OPEN, HumanTask
from ..core.timeutil import utcnow

TASK_SUSPENDED = "suspended"
MAX_REASON = 1000


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise Unprocessable("Give a reason; it is kept in the case's audit trail.", errors={"reason": ["required"]})
    if len(text) > MAX_REASON:
        raise Unprocessable(f"A reason has at most {MAX_REASON} characters.", errors={"reason": ["too long"]})
    return text


def _case_for_admin(instance_id: str, actor: Actor) -> ProcessInstance:
    if not policy.can_administer_cases(actor):
        if policy.can_oversee(actor):
            raise Forbidden("Suspending, resuming and cancelling cases needs the role beheerder.")
        raise NotFound("No such case.")
    return get_visible_case(instance_id, actor)


def _set_task_status(instance_id: str, old: str, new: str) -> None:
    db.session.execute(
        sa.update(HumanTask)
        .where(HumanTask.instance_id == instance_id, HumanTask.status == old)
        .values(status=new)
        .execution_options(synchronize_session=False)
    )


def suspend(instance_id: str, reason: str, actor: Actor):
    reason = _reason(reason)
    instance = _case_for_admin(instance_id, actor)
    if instance.status != RUNNING:
        raise Conflict(f"Only a running case can be suspended; this one is {instance.status}.", status=instance.status)
    session = CaseSession.open(instance.id, actor)
    session.keep_status = SUSPENDED
    session.record("case.suspended", reason=reason)
    row = session.save(commit=False)
    _set_task_status(instance.id, OPEN, TASK_SUSPENDED)
    db.session.commit()
    return row


def resume(instance_id: str, reason: str, actor: Actor):
    reason = _reason(reason)
    instance = _case_for_admin(instance_id, actor)
    if instance.status != SUSPENDED:
        raise Conflict(f"Only a suspended case can be resumed; this one is {instance.status}.", status=instance.status)
    session = CaseSession.open(instance.id, actor, allow_states=(SUSPENDED,))
    _set_task_status(instance.id, TASK_SUSPENDED, OPEN)
    session.record("case.resumed", reason=reason)
    session.advance()  # timers that came due while it was suspended fire now
    row = session.save(commit=False)
    db.session.commit()
    return row


def cancel(instance_id: str, reason: str, actor: Actor):
    reason = _reason(reason)
    instance = _case_for_admin(instance_id, actor)
    if instance.status not in (RUNNING, SUSPENDED, ERROR):
        raise Conflict(f"This case is {instance.status}; it cannot be cancelled.", status=instance.status)
    session = CaseSession.open(instance.id, actor, allow_states=(RUNNING, SUSPENDED, ERROR))
    variables = inspection.case_variables(session.workflow)
    session.workflow.cancel()
    session.workflow.data.update(variables)  # a cancelled case keeps its data readable
    session.keep_status = CANCELLED
    session.record("case.cancelled", reason=reason, previous_status=instance.status)
    return session.save()


# --- lists -----------------------------------------------------------------------------------------


def list_cases(
    actor: Actor,
    process_id=None,
    version=None,
    status=None,
    municipality_code=None,
    min_age_days=None,
    max_age_days=None,
    limit: int = 50,
    offset: int = 0,
):
    """Cases for operators, newest first. Age counts from the start of the case, in days."""
    query = (
        sa.select(ProcessInstance, ProcessVersion.version)
        .join(ProcessVersion, ProcessVersion.id == ProcessInstance.process_version_id)
        .where(policy.case_clause(actor))
    )
    if process_id:
        query = query.where(ProcessInstance.process_id == process_id)
    if version is not None:
        query = query.where(ProcessVersion.version == version)
    if status:
        query = query.where(ProcessInstance.status == status)
    if municipality_code:
        query = query.where(ProcessInstance.municipality_code == municipality_code.strip().upper())
    now = utcnow()
    if min_age_days is not None:
        query = query.where(ProcessInstance.started_at <= now - timedelta(days=min_age_days))
    if max_age_days is not None:
        query = query.where(ProcessInstance.started_at >= now - timedelta(days=max_age_days))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = db.session.execute(
        query.order_by(ProcessInstance.started_at.desc(), ProcessInstance.id).limit(limit).offset(offset)
    ).all()
    return [(instance, number) for instance, number in rows], total


def list_incidents(actor: Actor, process_id=None, limit: int = 100):
    query = sa.select(ProcessInstance).where(ProcessInstance.status == ERROR, policy.case_clause(actor))
    if process_id:
        query = query.where(ProcessInstance.process_id == process_id)
    return list(db.session.scalars(query.order_by(ProcessInstance.updated_at.desc()).limit(limit)))


def case_summary(instance: ProcessInstance, version_number: int | None = None) -> dict:
    if version_number is None:
        version_number = db.session.scalar(
            sa.select(ProcessVersion.version).where(ProcessVersion.id == instance.process_version_id)
        )
    return {
        "id": instance.id,
        "process_id": instance.process_id,
        "version": version_number,
        "business_key": instance.business_key,
        "title": instance.title,
        "municipality_code": instance.municipality_code,
        "status": instance.status,
        "started_by": instance.started_by,
        "started_at": instance.started_at,
        "updated_at": instance.updated_at,
        "active_elements": instance.active_elements or [],
        "incident": instance.incident,
    }
