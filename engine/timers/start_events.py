"""Timer start events: each occurrence of the schedule in the diagram starts a NEW case.

The engine's own handling would keep one case waiting at its timer start event and, for a cycle, run a new
branch inside that same case every period. The host instead reads the schedule from the process version's
model, creates a case per occurrence, and fires exactly the start event of that occurrence in it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ..db.extensions import db
from ..runtime.bpmn_parser import timer_expression
from ..runtime.sandbox import SandboxedEnvironment
from ..runtime.script_helpers import LOCAL_ZONE
from ..core.timeutil import utcnow
from .models import TimerStartOccurrence
from .recurrence import Occurrences, occurrences
from ..definitions.service import latest_process_versions
from ..definitions.models import ProcessVersion
from ..core.timeutil import as_utc
from ..cases.service import new_business_key, start_case

log = logging.getLogger(__name__)


# --- schedules read from deployed process versions --------------------------------------------------


@dataclass
class StartSchedule:
    process_id: str
    element_id: str
    kind: str
    text: str
    version_id: int
    occurrences: Occurrences | None
    error: str | None = None

    @property
    def job_id(self) -> str:
        return f"start:{self.process_id}:{self.element_id}"


def evaluate_timer_text(text: str, kind: str, time_limit: float = 1.0) -> str:
    """The value of a timer definition without case data: an ISO literal, or an expression's result."""
    expression = timer_expression(text, kind)
    value = SandboxedEnvironment(time_limit).evaluate(expression, {})
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def schedules_of(version, anchor: datetime) -> list[StartSchedule]:
    """The timer start events of a process version with their schedules (or why there is none)."""
    result = []
    for start in version.model.get("start_events", []):
        timer = start.get("timer")
        if not timer or not timer.get("kind"):
            continue
        schedule = StartSchedule(
            version.process_id, start["id"], timer["kind"], timer.get("text", ""), version.id, None
        )
        try:
            value = evaluate_timer_text(schedule.text, schedule.kind)
            schedule.occurrences = occurrences(value, schedule.kind, anchor)
        except Exception as err:  # a diagram's expression: report it on the schedule, never crash the scheduler
            schedule.error = f"{type(err).__name__}: {err}"
        result.append(schedule)
    return result


def timer_start_versions() -> list:
    """The latest executable version of every process that has a timer start event."""
    return [
        v
        for v in latest_process_versions(executable_only=True)
        if any((s.get("timer") or {}).get("kind") for s in v.model.get("start_events", []))
    ]


def first_deployed_at(process_id: str) -> datetime:
    return db.session.scalar(
        sa.select(sa.func.min(ProcessVersion.created_at)).where(ProcessVersion.process_id == process_id)
    )


def last_occurrence_at(process_id: str, element_id: str) -> datetime | None:
    return db.session.scalar(
        sa.select(sa.func.max(TimerStartOccurrence.occurrence_at)).where(
            TimerStartOccurrence.process_id == process_id, TimerStartOccurrence.element_id == element_id
        )
    )


def current_schedules() -> list[StartSchedule]:
    schedules = []
    for version in timer_start_versions():
        schedules.extend(schedules_of(version, as_utc(version.created_at)))
    return schedules


def catch_up_bound(schedule: StartSchedule) -> datetime:
    """Occurrences after this moment are still owed a case: the last one started, else the first deployment."""
    last = last_occurrence_at(schedule.process_id, schedule.element_id)
    return as_utc(last) if last is not None else as_utc(first_deployed_at(schedule.process_id))


def occurrence_key(process_id: str, element_id: str, moment: datetime) -> str:
    return f"{process_id}:{element_id}:{moment.astimezone(timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')}"


def start_due_occurrence(schedule: StartSchedule, actor, now: datetime | None = None):
    """Start the case owed for the latest occurrence due by now (earlier missed ones are coalesced into it).

    Returns the new case, or None when nothing is due or another scheduler started it already.
    """
    now = now or utcnow()
    if schedule.occurrences is None:
        return None
    moment, skipped = schedule.occurrences.latest_between(catch_up_bound(schedule), now)
    if moment is None:
        return None
    local = moment.astimezone(LOCAL_ZONE)
    business_key = new_business_key(local)
    db.session.add(
        TimerStartOccurrence(
            occurrence_key=occurrence_key(schedule.process_id, schedule.element_id, moment),
            process_id=schedule.process_id,
            element_id=schedule.element_id,
            occurrence_at=moment,
            process_version_id=schedule.version_id,
            business_key=business_key,
            skipped=skipped,
        )
    )
    variables = {"timer_occurrence": local.isoformat(timespec="seconds"), "timer_start_event": schedule.element_id}
    try:
        instance = start_case(
            schedule.process_id,
            variables,
            actor,
            business_key=business_key,
            use_start_form=False,
            timer_start_event=schedule.element_id,
        )
    except IntegrityError:
        db.session.rollback()
        log.info("Occurrence %s of %s was already started.", moment.isoformat(), schedule.process_id)
        return None
    except Exception:
        db.session.rollback()
        raise
    if skipped:
        log.warning(
            "%s: %d missed occurrence(s) before %s were coalesced into one case.",
            schedule.process_id,
            skipped,
            moment.isoformat(),
        )
    log.info("Started %s (%s) for the occurrence %s.", schedule.process_id, instance.business_key, local.isoformat())
    return instance
