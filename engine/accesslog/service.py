"""Writing and reading the read log. `record_read` is called where case data is shown (the one place each
channel builds it); reading the log is for the privacy officer and for the office holder the case is about."""

from __future__ import annotations

import csv
import io
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask import g, has_request_context

from ..db.extensions import db
from ..identity.actor import Actor
from ..identity.roles import AMBTSDRAGER, BEHEERDER, BZK, GEMEENTE, IVP, OM, POLITIE, PRIVACY, PROCESBEHEERDER
from ..core.timeutil import utcnow
from .models import AccessLogEntry

API, PAGE, EXPORT = "api", "page", "export"
ORDINARY, SENSITIVE, AUDIT = "ordinary", "sensitive", "audit_trail"

# The standing purpose of each role's reads, when the read is not for one task
PURPOSES = {
    GEMEENTE: "Zorg als werkgever voor de bedreigde ambtsdrager / the municipality's duty of care",
    AMBTSDRAGER: "Eigen zaak / the office holder's own case",
    POLITIE: "Dreigingsinschatting en beveiliging / threat assessment and protection",
    OM: "Strafrechtelijke afhandeling / prosecution",
    BZK: "Tegemoetkoming vangnet / the vangnet compensation",
    IVP: "Psychosociale ondersteuning / psychosocial support",
    BEHEERDER: "Beheer van zaken / operating cases",
    PROCESBEHEERDER: "Procesbeheer / process management",
    PRIVACY: "Toezicht gegevensbescherming / data protection oversight",
}


def _trace_id() -> str:
    if not has_request_context():
        return secrets.token_hex(8)
    if "vb_trace_id" not in g:
        g.vb_trace_id = secrets.token_hex(8)
    return g.vb_trace_id


def _organisation(actor: Actor) -> str:
    if actor.municipality_code:
        return actor.municipality_code
    return ",".join(sorted(actor.roles)) or actor.kind


def categories_of(shown: dict, sensitive_keys) -> list[str]:
    """The categories of the values a reader was shown (masked ones are not shown)."""
    sensitive = set(sensitive_keys or ())
    shown_sensitive = any(key in sensitive and value != "***" for key, value in shown.items())
    return [ORDINARY, SENSITIVE] if shown_sensitive else [ORDINARY]


def record_read(
    actor: Actor, instance_id: str, channel: str, activity: str, categories: list, purpose: str | None = None
) -> None:
    """Log one read of a case (committed at once: a GET has nothing else to commit, and a read that failed
    later still happened)."""
    if actor.is_system:
        return
    roles = sorted(actor.roles)
    db.session.add(
        AccessLogEntry(
            at=utcnow(),
            trace_id=_trace_id(),
            username=actor.username,
            roles=",".join(roles)[:200],
            organisation=_organisation(actor)[:60],
            instance_id=instance_id,
            channel=channel,
            activity=activity,
            purpose=(purpose or next((PURPOSES[r] for r in roles if r in PURPOSES), "-"))[:300],
            categories=list(categories),
        )
    )
    session = db.session()
    # what the request read stays loaded: committing its log entry is no reason to read it all again (a case
    # page read seven rows a second time after its first read was logged)
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire


def entries_for_case(instance_id: str, limit: int, offset: int) -> tuple[list, int]:
    query = sa.select(AccessLogEntry).where(AccessLogEntry.instance_id == instance_id)
    return _page(query, limit, offset)


def search(
    username: str | None,
    since: datetime | None,
    until: datetime | None,
    instance_id: str | None,
    limit: int,
    offset: int,
) -> tuple[list, int]:
    query = sa.select(AccessLogEntry)
    if username:
        query = query.where(AccessLogEntry.username == username.strip().lower())
    if since:
        query = query.where(AccessLogEntry.at >= since)
    if until:
        query = query.where(AccessLogEntry.at < until)
    if instance_id:
        query = query.where(AccessLogEntry.instance_id == instance_id)
    return _page(query, limit, offset)


def _page(query, limit: int, offset: int) -> tuple[list, int]:
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = db.session.scalars(
        query.order_by(AccessLogEntry.at.desc(), AccessLogEntry.id.desc()).limit(limit).offset(offset)
    ).all()
    return list(rows), total


# The case is `process_instance_id`, as everywhere in the API; `instance_id` is its deprecated name (docs/api.md,
# *Names*), still given until the next version (in the CSV as the last column).
FIELDS = (
    "at",
    "username",
    "roles",
    "organisation",
    "process_instance_id",
    "channel",
    "activity",
    "purpose",
    "categories",
    "trace_id",
    "instance_id",
)


def as_dict(entry: AccessLogEntry) -> dict:
    row = {name: getattr(entry, name) for name in FIELDS if name != "process_instance_id"}
    row["process_instance_id"] = entry.instance_id
    return {name: row[name] for name in FIELDS}


def as_csv(entries) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(FIELDS)
    for entry in entries:
        row = as_dict(entry)
        writer.writerow(
            [
                row["at"].isoformat(),
                *[row[name] for name in FIELDS[1:8]],
                " ".join(row["categories"]),
                row["trace_id"],
                row["instance_id"],
            ]
        )
    return out.getvalue()
