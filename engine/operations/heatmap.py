"""Per element of a process: how many cases are there now, and the median time cases spent there.

"There now" comes from the derived `active_elements` of open cases (no engine state is read). Time spent:
- a user task: from its human task row, opened (`created_at`) to completed (`completed_at`);
- an element that waits for an event (catch event, receive task, boundary event, event-based gateway):
  from the step before the one that completed it, in the audit trail (the case waited there in between);
- everything else runs within one step and takes no time worth showing.
Only the most recent `SAMPLE_LIMIT` visits per kind are used, so the page stays fast on a long history.
"""

from __future__ import annotations

import statistics
from collections import Counter

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from ..definitions.models import DefinitionFile
from ..definitions.service import process_versions
from ..core.errors import NotFound
from ..db.extensions import db
from ..instances.models import ERROR, RUNNING, SUSPENDED, AuditEvent, ProcessInstance
from ..instances.task_rows import COMPLETED, HumanTask

WAITING_TYPES = {"intermediateCatchEvent", "receiveTask", "boundaryEvent", "eventBasedGateway"}
OPEN_STATES = (RUNNING, ERROR, SUSPENDED)
SAMPLE_LIMIT = 5000


def _element_types(model: dict) -> dict:
    types = {eid: e.get("type") for eid, e in (model.get("elements") or {}).items()}
    for called in (model.get("called") or {}).values():
        for eid, e in (called.get("elements") or {}).items():
            types.setdefault(eid, e.get("type"))
    return types


def heatmap(process_id: str, version: int | None = None) -> dict:
    versions = process_versions(process_id)
    chosen = versions[0]
    if version is not None:
        chosen = next((v for v in versions if v.version == version), None)
        if chosen is None:
            raise NotFound(f"Process '{process_id}' has no version {version}.")
    version_ids = [chosen.id] if version is not None else [v.id for v in versions]
    types = _element_types(chosen.model)

    now = Counter()
    cases = db.session.execute(
        sa.select(ProcessInstance.active_elements).where(
            ProcessInstance.process_version_id.in_(version_ids), ProcessInstance.status.in_(OPEN_STATES)
        )
    )
    for (active,) in cases:
        now.update(set(active or []))

    durations: dict[str, list] = {}
    tasks = db.session.execute(
        sa.select(HumanTask.element_id, HumanTask.created_at, HumanTask.completed_at)
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .where(
            ProcessInstance.process_version_id.in_(version_ids),
            HumanTask.status == COMPLETED,
            HumanTask.completed_at.is_not(None),
        )
        .order_by(HumanTask.completed_at.desc())
        .limit(SAMPLE_LIMIT)
    )
    for element_id, opened, closed in tasks:
        durations.setdefault(element_id, []).append((closed - opened).total_seconds())

    waiting_ids = [eid for eid, kind in types.items() if kind in WAITING_TYPES]
    if waiting_ids:
        earlier = aliased(AuditEvent)
        previous_step = (
            sa.select(sa.func.max(earlier.at))
            .where(earlier.instance_id == AuditEvent.instance_id, earlier.at < AuditEvent.at)
            .scalar_subquery()
        )
        waits = db.session.execute(
            sa.select(AuditEvent.element_id, AuditEvent.at, previous_step)
            .join(ProcessInstance, ProcessInstance.id == AuditEvent.instance_id)
            .where(
                ProcessInstance.process_version_id.in_(version_ids),
                AuditEvent.event == "element.completed",
                AuditEvent.element_id.in_(waiting_ids),
            )
            .order_by(AuditEvent.id.desc())
            .limit(SAMPLE_LIMIT)
        )
        for element_id, at, before in waits:
            if before is not None:
                before = before if before.tzinfo else before.replace(tzinfo=at.tzinfo)
                durations.setdefault(element_id, []).append((at - before).total_seconds())

    elements = {}
    for element_id in set(now) | set(durations):
        samples = durations.get(element_id, [])
        elements[element_id] = {
            "now": now.get(element_id, 0),
            "median_seconds": statistics.median(samples) if samples else None,
            "samples": len(samples),
            "type": types.get(element_id),
        }
    xml = db.session.scalar(sa.select(DefinitionFile.content).where(DefinitionFile.id == chosen.bpmn_file_id))
    return {
        "process_id": process_id,
        "name": chosen.name,
        "version": chosen.version,
        "all_versions": version is None,
        "versions": [v.version for v in versions],
        "xml": xml,
        "elements": elements,
        "max_now": max(now.values()) if now else 0,
    }
