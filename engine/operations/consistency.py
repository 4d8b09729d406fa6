"""Check that every case's derived rows agree with its saved engine state.

Used after crashes (and by `flask --app engine check-cases`): the state and its derived rows are written in
one transaction, so any disagreement is a defect worth an alarm.
"""

from __future__ import annotations

import sqlalchemy as sa

from ..definitions.models import ProcessVersion
from ..definitions.service import specs_for
from ..db.extensions import db
from ..messages.models import MessageSubscription
from ..runtime import inspection
from ..runtime.serializer import load_state
from ..instances.task_rows import OPEN, HumanTask
from ..instances.models import CANCELLED, COMPLETED, RUNNING, ProcessInstance
from ..instances.sealed import open_state
from ..instances.session import script_engine


def check_case(instance: ProcessInstance) -> list[str]:
    problems = []
    version = db.session.get(ProcessVersion, instance.process_version_id)
    stored = db.session.scalar(sa.select(ProcessInstance.state).where(ProcessInstance.id == instance.id))
    if not stored:
        return ["no saved state"]
    state = open_state(instance.id, stored)
    spec, subprocess_specs = specs_for(version)
    try:
        workflow = load_state(state, spec, subprocess_specs, script_engine())
    except Exception as err:  # a state that does not load is exactly what this check exists to find
        return [f"state does not load: {err}"]
    ready = {str(t.id) for t in inspection.ready_user_tasks(workflow)}
    rows = set(
        db.session.scalars(
            sa.select(HumanTask.id).where(HumanTask.instance_id == instance.id, HumanTask.status == OPEN)
        )
    )
    if instance.status in (RUNNING,) and ready != rows:
        problems.append(f"open task rows {sorted(rows)} differ from ready user tasks {sorted(ready)}")
    waits = {(w.task_id, w.message_name) for w in inspection.waiting_messages(workflow)}
    subs = set(
        db.session.execute(
            sa.select(MessageSubscription.task_id, MessageSubscription.message_name).where(
                MessageSubscription.instance_id == instance.id
            )
        ).tuples()
    )
    if instance.status == RUNNING and waits != subs:
        problems.append(f"subscriptions {sorted(subs)} differ from waiting messages {sorted(waits)}")
    # A cancelled workflow is a completed one to the engine (Workflow.cancel marks it so).
    if workflow.is_completed() != (instance.status in (COMPLETED, CANCELLED)):
        problems.append(f"status {instance.status} but engine completed={workflow.is_completed()}")
    return problems


def check_all() -> dict[str, list[str]]:
    report = {}
    for instance in db.session.scalars(sa.select(ProcessInstance).order_by(ProcessInstance.started_at)):
        problems = check_case(instance)
        if problems:
            report[instance.id] = problems
    return report
