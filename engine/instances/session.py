"""One unit of work on one case: load it, act on it, run the engine, save everything in one transaction.

Saved together, or not at all: the sealed state (without the spec), the derived columns (status, next
timer, active elements, sealed variables), the audit events, and what the registered contributors write
(`contributors.py`: the inbox rows, message subscriptions, the outbox). The save is an UPDATE guarded by the
case's lock version, so of two requests that loaded the same version only the first can commit; the other
gets a 409 and changes nothing.

Contributors write their rows as the difference between what the case waited for when it was loaded (what
they carried, `session.carried`) and what it waits for now: the rows always match the saved state (same
transaction), so no query is needed to find them. The session itself knows none of them.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from flask import current_app
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session as OrmSession
from SpiffWorkflow.bpmn import BpmnWorkflow

from ..crypto import service as keys
from ..definitions.service import VersionInfo, specs_for, version_info
from ..core.errors import Conflict, NotFound
from ..db.extensions import db
from ..identity.actor import Actor
from ..runtime import inspection
from ..runtime.compaction import compact_workflow
from ..runtime.sandbox import SandboxedScriptEngine
from ..runtime.serializer import dump_state, load_state
from ..core.timeutil import utcnow
from . import cache, sealed, store
from .contributors import registered
from .engine_runner import StepLog, run_engine
from .models import CANCELLED, COMPLETED, ERROR, RUNNING, SUSPENDED
from .store import CaseRow

_ENGINES: dict = {}


def script_engine() -> SandboxedScriptEngine:
    limit = current_app.config["VB_SCRIPT_TIME_LIMIT"]
    engine = _ENGINES.get(limit)
    if engine is None:
        engine = _ENGINES[limit] = SandboxedScriptEngine(time_limit=limit)
    return engine


def load_workflow(case: CaseRow, version: VersionInfo):
    """(workflow, (ready task ids, waits) when known from the cache, else None)."""
    workflow, waiting = cache.take(case.id, case.lock_version)
    if workflow is not None:
        return workflow, waiting
    spec, subprocess_specs = specs_for(version)
    state = sealed.open_state(case.id, store.load_state(case.id))
    return load_state(state, spec, subprocess_specs, script_engine()), None


def _as_case(instance) -> CaseRow:
    if isinstance(instance, CaseRow):
        return instance
    instance_id = instance if isinstance(instance, str) else instance.id
    case = store.load_case(instance_id)
    if case is None:
        raise NotFound("No such case.")
    return case


class CaseSession:
    """Use: `session = CaseSession.open(case, actor)`; act on `session.workflow`; `session.advance()`;
    `session.save()`."""

    def __init__(
        self,
        case: CaseRow,
        version: VersionInfo,
        workflow: BpmnWorkflow,
        actor: Actor,
        is_new: bool = False,
        new_values: dict | None = None,
        waiting: dict | None = None,
    ):
        self.case = case
        self.version = version
        self.workflow = workflow
        self.actor = actor
        self.is_new = is_new
        self.new_values = new_values or {}
        self.expected_version = case.lock_version
        self.log = StepLog()
        self.keep_status = None
        self.connection = None  # the Raw of the open transaction, if known
        # set by `save`, for the contributors
        self.completed_task_id: str | None = None
        self.step_at: datetime | None = None
        # What each contributor noted about the case as loaded, and after this step (see contributors.py)
        self.carried_after: dict = {}
        if is_new:
            self.carried = {}
        elif waiting is not None:
            self.carried = waiting
        else:
            self.carried = {}
            for contributor in registered():
                contributor.loaded(self)

    @property
    def instance(self) -> CaseRow:
        return self.case

    @classmethod
    def open(cls, instance, actor: Actor, allow_states=(RUNNING,), connection=None) -> CaseSession:
        """Load a case (a ProcessInstance, a CaseRow or an id) to act on it. `connection`: the `Raw` of the
        open transaction, when the caller has one (saves looking it up again)."""
        case = _as_case(instance)
        if case.status not in allow_states:
            raise Conflict(f"This case is {case.status}; it cannot be changed now.", status=case.status)
        version = version_info(case.process_version_id)
        workflow, waiting = load_workflow(case, version)
        session = cls(case, version, workflow, actor, waiting=waiting)
        session.connection = connection
        return session

    @classmethod
    def create(
        cls, values: dict, version: VersionInfo, variables: dict, actor: Actor, outbox_active: bool | None = None
    ) -> CaseSession:
        """A new case from the column values of its row; nothing is written before `save`."""
        spec, subprocess_specs = specs_for(version)
        workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=script_engine())
        workflow.task_tree.data.update(variables)
        case = CaseRow(
            values["id"],
            version.id,
            version.process_id,
            values["business_key"],
            values.get("municipality_code"),
            RUNNING,
            0,
            None,
            values["started_by"],
            outbox_active=outbox_active,
        )
        return cls(case, version, workflow, actor, is_new=True, new_values=values)

    # --- acting -----------------------------------------------------------------------------------

    def record(self, event: str, element_id=None, element_name=None, task_id=None, data_keys=(), **details):
        self.log.events.append(
            {
                "event": event,
                "element_id": element_id,
                "element_name": element_name,
                "task_id": task_id,
                "data_keys": list(data_keys),
                "details": details,
            }
        )

    def advance(self) -> None:
        """Run the engine until the case waits for a person, a timer or a message (or hits an incident)."""
        run_engine(self.workflow, self.log)

    # --- saving -----------------------------------------------------------------------------------

    def _status(self) -> str:
        if self.keep_status:
            return self.keep_status
        if self.log.incident is not None:
            return ERROR
        if self._snapshot.completed:
            return COMPLETED
        return RUNNING

    def save(self, completed_task_id: str | None = None, commit: bool = True, riders: tuple = ()) -> CaseRow:
        """Write the step. With `commit=False` the caller commits (to add its own rows to the transaction);
        the live workflow is kept for the next step when that transaction commits. `riders`: the caller's
        writes that go out in the step's batch (`store.Rider`)."""
        config = current_app.config
        workflow = self.workflow
        contributors = registered()
        for contributor in contributors:
            contributor.before(self)
        now = utcnow()
        self.completed_task_id, self.step_at = completed_task_id, now
        self._snapshot = snap = inspection.snapshot(workflow)
        status = self._status()
        case = self.case
        # the indexed columns as stored, so the UPDATE leaves them alone when they keep their value
        stored_status, stored_timer = case.loaded_status, case.next_timer_due_at
        case.status = status
        plans = [(contributor, contributor.plan(self, snap, now)) for contributor in contributors]  # before compaction
        removed = compact_workflow(workflow, config["VB_COMPACT_THRESHOLD"], config["VB_COMPACT_KEEP"])
        incident: dict | None = None
        if status == ERROR:
            incident = dict(self.log.incident or self.case.incident or {}, at=now.isoformat())
        if self.is_new:
            key_row: dict | None = keys.new_case_key(case.id)
            cipher = keys.cipher_for(case.id)
        else:  # a case saved before encryption gets its key now
            key_row, cipher = None, keys.cipher_for(case.id, create=True)
        state, variables = sealed.seal_step(cipher, case.id, dump_state(workflow), snap.variables)
        values = {
            "state": state,
            "status": status,
            "lock_version": self.expected_version + 1,
            "updated_at": now,
            "next_timer_due_at": inspection.next_timer_due(workflow) if status == RUNNING else None,
            "active_elements": snap.active_elements,
            "variables": variables,
            "incident": incident,
            "completed_at": now if status in (COMPLETED, CANCELLED) else None,
        }
        case.lock_version, case.incident = self.expected_version + 1, incident
        case.next_timer_due_at = values["next_timer_due_at"]
        if incident is not None and self.log.incident is not None:  # an incident of this step
            self.record(
                "case.incident",
                incident.get("element_id"),
                incident.get("element_name"),
                incident.get("task_id"),
                message=incident.get("message"),
                line=incident.get("line"),
            )
        if status == COMPLETED:
            self.record("case.completed")
        if removed:
            self.record("case.compacted", removed_tasks=removed)
        events = self.log.events + [event for contributor, plan in plans for event in contributor.events(plan)]
        orm_session = db.session()  # the request's session, looked up once
        try:
            writer = store.StepWriter(self.connection)
            self.connection = None  # the transaction ends with this save (or with the caller's commit)
            plans = [
                (contributor, contributor.prepare(self, plan, events, writer.connection)) for contributor, plan in plans
            ]
            try:
                with writer.batch():
                    if key_row is not None:  # a new case, with its new key
                        writer.insert_case({**self.new_values, **values})
                        writer.insert_case_key(key_row)
                    else:
                        writer.update_case(
                            case.id,
                            self.expected_version,
                            values,
                            unchanged=[
                                name
                                for name, stored in (("status", stored_status), ("next_timer_due_at", stored_timer))
                                if stored_status is not None and stored == values[name]
                            ],
                        )
                    self._write_audit(writer, events, now)
                    for contributor, plan in plans:
                        contributor.write(writer, self, plan)
                    for rider in riders:  # e.g. the outcome of a webhook delivery
                        rider.write(writer, case)
                        rider.case = case
            except DBAPIError:
                if not writer.case_was_current():  # rows of a step that lost the race: not the cause
                    raise self._lost_race() from None
                raise
            if not writer.case_was_current():
                raise self._lost_race()
            case.loaded_status = status  # what the row holds now (a failed transaction discards this CaseRow)
            orm_session.info.setdefault(_AFTER_COMMIT, []).append(self)
            if commit:
                orm_session.commit()
        except Exception:
            orm_session.rollback()
            cache.drop(case.id)
            raise
        return case

    @staticmethod
    def _lost_race() -> Conflict:
        return Conflict("This case was changed by someone else at the same moment; reload and try again.")

    def after_commit(self) -> None:
        """Keep the live workflow for the next step of this case in this process (see `cache`)."""
        cache.put(self.case.id, self.expected_version + 1, self.workflow, self.carried_after)

    def put_back(self) -> None:
        """Return the unchanged live workflow to the cache (a step that found nothing to do)."""
        cache.put(self.case.id, self.expected_version, self.workflow, self.carried)

    def _write_audit(self, writer, events: list, now) -> None:
        writer.insert_audit(
            [
                {
                    "instance_id": self.case.id,
                    "at": now,
                    "actor": self.actor.username,
                    "event": e["event"],
                    "element_id": e.get("element_id"),
                    "element_name": (e.get("element_name") or None),
                    "task_id": e.get("task_id"),
                    "data_keys": e.get("data_keys") or [],
                    "details": e.get("details") or {},
                }
                for e in events
            ]
        )


# Case sessions saved in the ORM session's open transaction: their workflows go to the cache when (and only
# when) that transaction commits, whoever commits it (a webhook delivery, an admin action, a timer).
_AFTER_COMMIT = "vb_case_sessions"


@event.listens_for(OrmSession, "after_commit")
def _keep_saved_workflows(orm_session) -> None:
    for saved in orm_session.info.pop(_AFTER_COMMIT, ()):
        saved.after_commit()


@event.listens_for(OrmSession, "after_rollback")
def _forget_saved_workflows(orm_session) -> None:
    for saved in orm_session.info.pop(_AFTER_COMMIT, ()):
        cache.drop(saved.case.id)


def new_instance_id() -> str:
    return str(uuid.uuid4())


__all__ = ["CaseSession", "new_instance_id", "script_engine", "SUSPENDED"]
