"""One unit of work on one case: load it, act on it, run the engine, save everything in one transaction.

Saved together, or not at all: the serialized state (without the spec), the derived columns and rows
(status, next timer, active elements, variables, open human tasks, message subscriptions) and the audit
events. The save is an UPDATE guarded by the case's lock version, so of two requests that loaded the same
version only the first can commit; the other gets a 409 and changes nothing.
"""
from __future__ import annotations

import json
import uuid

import sqlalchemy as sa
from flask import current_app
from SpiffWorkflow.bpmn import BpmnWorkflow

from ..definitions.models import ProcessVersion
from ..definitions.service import specs_for
from ..errors import Conflict
from ..extensions import db
from ..identity.actor import Actor
from ..messages.service import consume_buffered_messages, sync_subscriptions
from ..runtime import inspection
from ..runtime.compaction import compact_workflow
from ..runtime.sandbox import SandboxedScriptEngine
from ..runtime.serializer import dump_state, load_state
from ..tasks.derive import sync_human_tasks
from ..timeutil import utcnow
from ..webhooks.outbox import enqueue_case_events
from . import cache
from .engine_runner import StepLog, run_engine
from .models import CANCELLED, COMPLETED, ERROR, RUNNING, SUSPENDED, AuditEvent, ProcessInstance

_ENGINES: dict = {}


def script_engine() -> SandboxedScriptEngine:
    limit = current_app.config["VB_SCRIPT_TIME_LIMIT"]
    engine = _ENGINES.get(limit)
    if engine is None:
        engine = _ENGINES[limit] = SandboxedScriptEngine(time_limit=limit)
    return engine


def load_workflow(instance: ProcessInstance, version: ProcessVersion) -> BpmnWorkflow:
    workflow = cache.take(instance.id, instance.lock_version)
    if workflow is not None:
        return workflow
    spec, subprocess_specs = specs_for(version)
    state = db.session.scalar(sa.select(ProcessInstance.state).where(ProcessInstance.id == instance.id))
    return load_state(state, spec, subprocess_specs, script_engine())


def _json_safe(value):
    return json.loads(json.dumps(value, default=str))


class CaseSession:
    """Use: `session = CaseSession.open(instance, actor)`; act on `session.workflow`; `session.advance()`;
    `session.save()`."""

    def __init__(self, instance: ProcessInstance, version: ProcessVersion, workflow: BpmnWorkflow, actor: Actor,
                 is_new: bool = False):
        self.instance = instance
        self.version = version
        self.workflow = workflow
        self.actor = actor
        self.is_new = is_new
        self.expected_version = instance.lock_version
        self.log = StepLog()
        self.keep_status = None

    @classmethod
    def open(cls, instance: ProcessInstance, actor: Actor, allow_states=(RUNNING,)) -> "CaseSession":
        if instance.status not in allow_states:
            raise Conflict(f"This case is {instance.status}; it cannot be changed now.", status=instance.status)
        version = db.session.get(ProcessVersion, instance.process_version_id)
        return cls(instance, version, load_workflow(instance, version), actor)

    @classmethod
    def create(cls, instance: ProcessInstance, version: ProcessVersion, variables: dict, actor: Actor) -> "CaseSession":
        spec, subprocess_specs = specs_for(version)
        workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=script_engine())
        workflow.task_tree.data.update(variables)
        return cls(instance, version, workflow, actor, is_new=True)

    # --- acting -----------------------------------------------------------------------------------

    def record(self, event: str, element_id=None, element_name=None, task_id=None, data_keys=(), **details):
        self.log.events.append({"event": event, "element_id": element_id, "element_name": element_name,
                                "task_id": task_id, "data_keys": list(data_keys), "details": details})

    def advance(self) -> None:
        """Run the engine until the case waits for a person, a timer or a message (or hits an incident)."""
        run_engine(self.workflow, self.log)

    # --- saving -----------------------------------------------------------------------------------

    def _status(self) -> str:
        if self.keep_status:
            return self.keep_status
        if self.log.incident is not None:
            return ERROR
        if self.workflow.is_completed():
            return COMPLETED
        return RUNNING

    def save(self, completed_task_id: str | None = None, commit: bool = True) -> ProcessInstance:
        """`commit=False` flushes instead, for callers that commit this save together with their own rows
        (an inbound webhook delivery)."""
        config = current_app.config
        workflow = self.workflow
        # A message that arrived before the case waited for it is caught now, before the state is written.
        consume_buffered_messages(self)
        removed = compact_workflow(workflow, config["VB_COMPACT_THRESHOLD"], config["VB_COMPACT_KEEP"])
        now = utcnow()
        status = self._status()
        incident = None
        if status == ERROR:
            incident = dict(self.log.incident or self.instance.incident or {}, at=now.isoformat())
        values = {
            "state": dump_state(workflow),
            "status": status,
            "lock_version": self.expected_version + 1,
            "updated_at": now,
            "next_timer_due_at": inspection.next_timer_due(workflow) if status == RUNNING else None,
            "active_elements": inspection.active_elements(workflow),
            "variables": _json_safe(inspection.case_variables(workflow)),
            "incident": incident,
            "completed_at": now if status in (COMPLETED, CANCELLED) else None,
        }
        instance = self.instance
        instance_view = _InstanceView(instance.id, instance.business_key, instance.municipality_code, status)
        try:
            if self.is_new:
                for key, value in values.items():
                    setattr(instance, key, value)
                db.session.add(instance)
                db.session.flush()
            else:
                result = db.session.execute(
                    sa.update(ProcessInstance)
                    .where(ProcessInstance.id == instance.id, ProcessInstance.lock_version == self.expected_version)
                    .values(**values)
                    .execution_options(synchronize_session=False)
                )
                if result.rowcount != 1:
                    raise Conflict("This case was changed by someone else at the same moment; reload and try again.")
                db.session.expire(instance)
            events = sync_human_tasks(instance_view, workflow, self.version.model, self.actor.username, completed_task_id)
            sync_subscriptions(instance_view, workflow)
            if status == ERROR and (self.is_new or (self.log.incident is not None)):
                self.record("case.incident", (incident or {}).get("element_id"), (incident or {}).get("element_name"),
                            (incident or {}).get("task_id"), message=(incident or {}).get("message"),
                            line=(incident or {}).get("line"))
            if status == COMPLETED:
                self.record("case.completed")
            if removed:
                self.record("case.compacted", removed_tasks=removed)
            self._write_audit(self.log.events + events, now)
            enqueue_case_events(self, instance_view, self.log.events + events)
            if commit:
                db.session.commit()
            else:
                db.session.flush()
        except Exception:
            db.session.rollback()
            cache.drop(instance.id)
            raise
        if commit:
            cache.put(instance.id, self.expected_version + 1, workflow)
        else:
            cache.drop(instance.id)  # the caller may still roll back: never cache an uncommitted version
        return instance

    def _write_audit(self, events: list, now) -> None:
        if not events:
            return
        rows = [{
            "instance_id": self.instance.id, "at": now, "actor": self.actor.username,
            "event": e["event"], "element_id": e.get("element_id"), "element_name": (e.get("element_name") or None),
            "task_id": e.get("task_id"), "data_keys": e.get("data_keys") or [], "details": _json_safe(e.get("details") or {}),
        } for e in events]
        db.session.execute(sa.insert(AuditEvent), rows)


class _InstanceView:
    """The few instance facts derived-row sync needs, without touching the (expired) ORM object."""

    def __init__(self, id, business_key, municipality_code, status):
        self.id, self.business_key, self.municipality_code, self.status = id, business_key, municipality_code, status


def new_instance_id() -> str:
    return str(uuid.uuid4())


__all__ = ["CaseSession", "new_instance_id", "script_engine", "SUSPENDED"]
