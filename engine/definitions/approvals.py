"""Four eyes on lowering the protection of case data: such a deployment is refused until a second person (a
process owner other than the one who deploys, or the privacy officer) approved exactly those files."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa

from ..core.errors import ApiError, Conflict, Forbidden, NotFound
from ..db.extensions import db
from ..identity.actor import Actor
from ..identity.roles import BEHEERDER, PRIVACY, PROCESBEHEERDER
from ..core.timeutil import utcnow
from .models import DeploymentApproval

PENDING, APPROVED, REFUSED, USED = "pending", "approved", "refused", "used"


class ApprovalRequired(ApiError):
    status = 403
    code = "approval_required"


def change_key(versions: list[tuple[str, str]]) -> str:
    """The identity of a set of new versions: (process id, closure hash) pairs."""
    return hashlib.sha256("|".join(f"{p}:{h}" for p, h in sorted(versions)).encode()).hexdigest()


def approved_for(key: str, deployer: str) -> DeploymentApproval | None:
    return db.session.scalar(
        sa.select(DeploymentApproval)
        .where(
            DeploymentApproval.change_key == key,
            DeploymentApproval.status == APPROVED,
            DeploymentApproval.requested_by == deployer,
        )
        .order_by(DeploymentApproval.id.desc())
        .limit(1)
    )


def request(key: str, changes: dict, deployer: str) -> DeploymentApproval:
    """The pending request for these versions (made once; a later attempt finds it)."""
    found = db.session.scalar(
        sa.select(DeploymentApproval)
        .where(
            DeploymentApproval.change_key == key,
            DeploymentApproval.status == PENDING,
            DeploymentApproval.requested_by == deployer,
        )
        .limit(1)
    )
    if found is None:
        found = DeploymentApproval(
            change_key=key,
            processes=sorted(changes),
            changes=changes,
            status=PENDING,
            requested_by=deployer,
            requested_at=utcnow(),
        )
        db.session.add(found)
        db.session.commit()
    return found


def refusal(approval: DeploymentApproval) -> ApprovalRequired:
    lines = [f"{process}: {change}" for process, changes in sorted(approval.changes.items()) for change in changes]
    return ApprovalRequired(
        "This deployment lowers the protection of case data and needs a second person's approval (a process "
        "owner other than you, or the privacy officer): approval request "
        f"{approval.id}. " + " ".join(lines),
        approval_id=approval.id,
        changes=approval.changes,
    )


def _may_decide(actor: Actor, approval: DeploymentApproval) -> None:
    if not actor.has_role(PROCESBEHEERDER, PRIVACY, BEHEERDER):
        raise Forbidden("Only a process owner or the privacy officer decides on an approval request.")
    if actor.username == approval.requested_by:
        raise Forbidden("Four eyes: someone other than the one who deploys approves it.")


def _pending(approval_id: int) -> DeploymentApproval:
    approval = db.session.get(DeploymentApproval, approval_id)
    if approval is None:
        raise NotFound("No such approval request.")
    if approval.status != PENDING:
        raise Conflict(f"This approval request is {approval.status} already.", status=approval.status)
    return approval


def approve(approval_id: int, actor: Actor) -> DeploymentApproval:
    approval = _pending(approval_id)
    _may_decide(actor, approval)
    approval.status, approval.decided_by, approval.decided_at = APPROVED, actor.username, utcnow()
    db.session.commit()
    return approval


def refuse(approval_id: int, actor: Actor, reason: str) -> DeploymentApproval:
    approval = _pending(approval_id)
    _may_decide(actor, approval)
    approval.status, approval.decided_by, approval.decided_at = REFUSED, actor.username, utcnow()
    approval.reason = (reason or "").strip()[:500] or None
    db.session.commit()
    return approval


def list_approvals(status: str | None) -> list[DeploymentApproval]:
    query = sa.select(DeploymentApproval).order_by(DeploymentApproval.id.desc()).limit(200)
    if status:
        query = query.where(DeploymentApproval.status == status)
    return list(db.session.scalars(query))


def as_dict(approval: DeploymentApproval) -> dict:
    return {
        name: getattr(approval, name)
        for name in (
            "id",
            "processes",
            "changes",
            "status",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "reason",
            "deployment_id",
        )
    }
