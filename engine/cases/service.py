"""Starting cases, reading them, and repairing them after an incident."""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from SpiffWorkflow.util.task import TaskState

from ..accesslog import service as accesslog
from ..definitions.service import form_definition, version_info
from ..definitions.version_model import form_file_id
from ..core.errors import Conflict, Gone, NotFound, Unprocessable
from ..db.extensions import db
from ..access import policy
from ..identity.actor import Actor
from ..runtime.inspection import waiting_timers
from ..runtime.sandbox import SandboxViolation, to_json_value
from ..runtime.start_events import settle_start_events
from ..core.timeutil import as_utc, utcnow
from ..instances import store
from ..instances.models import ERROR, RUNNING, AuditEvent, ProcessInstance
from ..instances.session import CaseSession, new_instance_id
from ..instances.text_index import text_clause
from ..instances.sealed import case_variables
from ..instances.engine_runner import _incident_from

MUNICIPALITY_CODE = re.compile(r"^GM\d{4}$")
_KEY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_business_key(now: datetime | None = None) -> str:
    """A case number no case has yet: VB-<year>-<six of 32 characters>. Among a year's 10,000 cases two
    random draws meet with a chance of about 5 %, so a draw that is taken is drawn again."""
    year = (now or utcnow()).year
    while True:
        key = f"VB-{year}-" + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(6))
        if db.session.scalar(sa.select(ProcessInstance.id).where(ProcessInstance.business_key == key)) is None:
            return key


def _clean_variables(variables: dict) -> dict:
    try:
        return {key: to_json_value(value, key) for key, value in (variables or {}).items()}
    except SandboxViolation as err:
        raise Unprocessable(str(err)) from None


def start_form_of(version):
    for start in version.model.get("start_events", []):
        reference = start.get("form")
        if reference and not start.get("timer") and not start.get("message"):
            file_id = form_file_id(version.model, reference)
            return form_definition(file_id) if file_id else None
    return None


_ASK = object()


def start_case(
    process_id: str,
    variables: dict,
    actor: Actor,
    business_key: str | None = None,
    parent_instance_id: str | None = None,
    use_start_form: bool = True,
    commit: bool = True,
    timer_start_event: str | None = None,
    latest=_ASK,
    riders: tuple = (),
):
    """Start a case of the latest version of `process_id`; returns its CaseRow (see store.CaseRow).

    With `commit=False` the caller commits (the session is returned as `row.session`). `latest`: the
    answer of `store.latest_version(process_id)` when the caller asked it already in this transaction.
    `riders`: the caller's writes that go out in the batch of the case's first step (`store.Rider`)."""
    if latest is _ASK:
        latest = store.latest_version(process_id)
    if latest is None:
        raise NotFound(f"No process '{process_id}' is deployed.")
    version = version_info(latest[0])
    if not version.executable:
        raise Unprocessable(f"Process '{process_id}' is not executable (isExecutable=false); it is documentation only.")
    if not policy.can_start(actor, version.model.get("starter_groups", [])):
        raise NotFound(f"No process '{process_id}' is deployed.")
    variables = _clean_variables(variables)
    form = start_form_of(version) if use_start_form else None
    if form is not None:
        clean, errors = form.validate(variables)
        if not errors:
            errors = form.order_errors(clean)
        if errors:
            raise Unprocessable("The start form has errors; see errors for each field.", errors=errors)
        variables = clean
    municipality = variables.get("municipality_code") or actor.municipality_code
    if version.model.get("confidential"):
        # Not the starter's municipality either: the gemeente must not learn that the case exists.
        if "municipality_code" in variables:
            raise Unprocessable(
                "A case of this process belongs to no municipality: leave out municipality_code.",
                errors={"municipality_code": ["Not allowed for this process."]},
            )
        municipality = None
    if municipality is not None:
        municipality = str(municipality).strip().upper()
        if not MUNICIPALITY_CODE.match(municipality):
            raise Unprocessable(
                "municipality_code must be a CBS code such as GM0668.",
                errors={"municipality_code": ["Use a CBS code such as GM0668."]},
            )
        if actor.municipality_code and actor.is_municipal and municipality != actor.municipality_code:
            raise Unprocessable(
                "You can report only for your own municipality.",
                errors={"municipality_code": [f"Must be {actor.municipality_code}."]},
            )
        variables["municipality_code"] = municipality
    if business_key is not None:
        business_key = business_key.strip()
        if not business_key or len(business_key) > 120:
            raise Unprocessable("business_key must be 1 to 120 characters.", errors={"business_key": ["Invalid."]})
        if db.session.scalar(sa.select(ProcessInstance.id).where(ProcessInstance.business_key == business_key)):
            raise Conflict(f"A case with business key '{business_key}' already exists.")
    else:
        business_key = new_business_key()
    variables["business_key"] = business_key
    for start in version.model.get("start_events", []):
        if start.get("initiator"):
            variables[start["initiator"]] = actor.username
    values = {
        "id": new_instance_id(),
        "process_version_id": version.id,
        "process_id": version.process_id,
        "business_key": business_key,
        "municipality_code": municipality,
        "started_by": actor.username,
        "started_at": utcnow(),
        "parent_instance_id": parent_instance_id,
        "title": str(variables.get("case_title") or version.name or process_id)[:300],
    }
    session = CaseSession.create(values, version, variables, actor, outbox_active=latest[1])
    settle_start_events(session.workflow, timer_start_event)
    session.record("case.started", data_keys=sorted(variables), process_id=version.process_id, version=version.version)
    session.advance()
    row = session.save(commit=commit, riders=riders)
    row.session = session
    return row


def get_visible_case(instance_id: str, actor: Actor, allow_purged: bool = False) -> ProcessInstance:
    """The case if the actor may see it (404 otherwise); a purged case is 410 with what remains of it."""
    try:
        UUID(instance_id)
    except (ValueError, TypeError):
        raise NotFound("No such case.") from None
    instance = db.session.scalar(
        sa.select(ProcessInstance).where(ProcessInstance.id == instance_id, policy.case_clause(actor))
    )
    if instance is None:
        raise NotFound("No such case.")
    if instance.purged_at is not None and not allow_purged:
        raise Gone(
            "This case's data was destroyed at the end of its retention or on an erasure request; only "
            "its tombstone remains.",
            tombstone=case_tombstone(instance),
        )
    return instance


def case_by_id(instance_id: str) -> ProcessInstance | None:
    """The case row by its id, without an access check: for a case the caller reached already (one its step
    just saved, the case of a task it may see)."""
    return db.session.get(ProcessInstance, instance_id)


def case_with_readable_log(instance_id: str, actor: Actor) -> ProcessInstance | None:
    """The case if the actor may read who read its data (the privacy officer, the office holder it is
    about); None otherwise, and for an id too long to be one, without a query."""
    instance = db.session.get(ProcessInstance, instance_id) if len(instance_id) <= 36 else None
    if instance is None or not policy.can_read_access_log(actor, instance, db.session):
        return None
    return instance


def case_tombstone(instance: ProcessInstance) -> dict:
    # `case_id`: the deprecated name of `process_instance_id` (docs/api.md, *Names*), until the next version
    return {
        "process_instance_id": instance.id,
        "case_id": instance.id,
        "business_key": instance.business_key,
        "process_id": instance.process_id,
        "municipality_code": instance.municipality_code,
        "status": instance.status,
        "started_at": _iso(instance.started_at),
        "completed_at": _iso(instance.completed_at),
        "purged_at": _iso(instance.purged_at),
        "purge_reason": instance.purge_reason,
    }


def _iso(value) -> str | None:
    return as_utc(value).isoformat() if value is not None else None


# The orders a list of cases can be read in; ties are broken by id, so paging never repeats or skips a case.
SORTS = {
    "-started_at": ProcessInstance.started_at.desc(),
    "started_at": ProcessInstance.started_at.asc(),
    "-updated_at": ProcessInstance.updated_at.desc(),
    "updated_at": ProcessInstance.updated_at.asc(),
    "business_key": ProcessInstance.business_key.asc(),
    "-business_key": ProcessInstance.business_key.desc(),
}


def list_cases(
    actor: Actor,
    process_id=None,
    status=None,
    municipality_code=None,
    business_key=None,
    limit: int = 50,
    offset: int = 0,
    text: str | None = None,
    started_from=None,
    started_before=None,
    among=(),
    sort: str = "-started_at",
    count_at_most: int | None = None,
):
    """The cases the actor may see, newest first unless `sort` says otherwise (a key of SORTS). `text` finds
    a case by part of its business key or of its title, in any case (text_index.py); `started_from` /
    `started_before` bound when it was opened; `among` are selects of case ids the case must be in (the
    domains' own criteria, such as an open task at a step).

    With `count_at_most` the count stops at that bound (or at the page's end, when that lies further), and
    a total past the bound means there are more: then one query reads the ids in the page's order up to
    the bound, which gives the count and the page at once (and builds the lists of the viewer's clause
    once)."""
    query = sa.select(ProcessInstance.id)
    if text and text.strip():
        query = query.where(text_clause(text))
    if started_from:
        query = query.where(ProcessInstance.started_at >= started_from)
    if started_before:
        query = query.where(ProcessInstance.started_at < started_before)
    if process_id:
        query = query.where(ProcessInstance.process_id == process_id)
    if status:
        query = query.where(ProcessInstance.status == status)
    if municipality_code:
        query = query.where(ProcessInstance.municipality_code == municipality_code)
    if business_key:
        query = query.where(ProcessInstance.business_key == business_key)
    start_from = None  # a criterion's few cases, intersected with the viewer's lists (policy.visible_among)
    for ids in among:
        condition, few = _member_of(ids)
        if few and start_from is None and _starts_from_few(actor):
            start_from = ids
        else:
            query = query.where(condition)
    if start_from is not None:
        query = query.where(ProcessInstance.id.in_(policy.visible_among(actor, start_from)))
    else:
        query = query.where(policy.case_clause(actor))
    order = (SORTS[sort], ProcessInstance.id.desc() if sort.startswith("-") else ProcessInstance.id.asc())
    # The page's ids first, from the search index alone; then only those rows (a late row lookup: the case
    # rows are wide, and a search that walks them in order reads a great many it does not show).
    if count_at_most is None:
        total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
        page = query.order_by(*order).limit(limit).offset(offset)
    else:
        found = db.session.scalars(query.order_by(*order).limit(max(count_at_most, offset + limit) + 1)).all()
        total, page = len(found), found[offset : offset + limit]
    order = (SORTS[sort], ProcessInstance.id.desc() if sort.startswith("-") else ProcessInstance.id.asc())
    rows = db.session.scalars(sa.select(ProcessInstance).where(ProcessInstance.id.in_(page)).order_by(*order)).all()
    return rows, total


# A domain's criterion with more cases than this is walked; with fewer, the search starts from its cases
WALK_PAST = 10_000


def _member_of(ids):
    """The condition that the case is among `ids`, and whether those are few (at most WALK_PAST).

    Starting from S cases costs about S; walking the cases in the page's order to a page and a bounded
    count costs about N / S times the bound: they cross near the square root of N times the bound. SQLite's
    planner takes the IN list for a few rows and always starts from it, which for an office holder's role
    (a third of all cases) fetches and sorts every one of them; past WALK_PAST the condition is written
    `+id IN (...)`, which makes SQLite walk the cases in order and test each, stopping at the page."""
    many = db.session.scalar(sa.select(sa.func.count()).select_from(ids.limit(WALK_PAST + 1).subquery()))
    if many > WALK_PAST and db.engine.dialect.name == "sqlite":
        return sa.literal_column("+process_instance.id").in_(ids), False
    return ProcessInstance.id.in_(ids), many <= WALK_PAST


def _starts_from_few(actor: Actor) -> bool:
    """Whether a search with a criterion of few cases starts from them and the viewer's lists alone
    (policy.visible_among). On PostgreSQL the viewer's clause on every case was a scan of all cases: for
    the national police each tested against a hash of the third they took part in, built for each search;
    for a gemeente user each tested for the municipality. Their intersections with the criterion's cases
    are read from the lists' indexes, and from the municipality's cases only. SQLite starts from the few
    cases' list anyway, and tests the clause on those."""
    return db.engine.dialect.name == "postgresql"


def case_history(instance: ProcessInstance) -> list[AuditEvent]:
    return list(
        db.session.scalars(sa.select(AuditEvent).where(AuditEvent.instance_id == instance.id).order_by(AuditEvent.id))
    )


def case_variables_for(
    actor: Actor, instance, channel: str = accesslog.API, activity: str = "case.read", purpose: str | None = None
) -> dict:
    """The variables of a case the actor may read (others masked); the read is logged (engine/accesslog)."""
    version = version_info(instance.process_version_id)
    variables = case_variables(instance.id)
    sensitive = version.model.get("sensitive_keys", [])
    visible = policy.visible_variables(
        actor,
        variables,
        sensitive,
        version.model.get("field_readers"),
        version.model.get("form_keys", ()),
        version.model.get("case_readers"),
    )
    accesslog.record_read(actor, instance.id, channel, activity, accesslog.categories_of(visible, sensitive), purpose)
    return visible


def retry_case(instance_id: str, variables: dict, actor: Actor):
    """After an incident: set corrected variables on the failed task and run it again."""
    if not policy.can_administer_cases(actor):
        raise NotFound("No such case.")
    instance = get_visible_case(instance_id, actor)
    if instance.status != ERROR:
        raise Conflict("Only a case in the error state can be retried.", status=instance.status)
    variables = _clean_variables(variables)
    session = CaseSession.open(instance, actor, allow_states=(ERROR,))
    workflow = session.workflow
    incident = instance.incident or {}
    task = workflow.get_task_from_id(UUID(incident["task_id"])) if incident.get("task_id") else None
    errored = workflow.get_tasks(state=TaskState.ERROR)
    if task is None and errored:
        task = errored[0]
    targets = [task] if task is not None else workflow.get_tasks(state=TaskState.READY | TaskState.WAITING)
    for target in targets:
        target.data.update(variables)
    session.record(
        "case.retried",
        incident.get("element_id"),
        incident.get("element_name"),
        str(task.id) if task is not None else None,
        data_keys=sorted(variables),
    )
    if task is not None and task.state == TaskState.ERROR:
        try:
            task.run()
        except Exception as err:  # the same incident again, or a new one
            session.log.incident = _incident_from(err, workflow)
    if session.log.incident is None:
        session.advance()
    return session.save()


def fire_timers(instance_id: str, actor: Actor):
    """Run a case's due timers (and whatever follows them) and save. Returns None when nothing was due:
    then nothing is written."""
    case = store.load_case(instance_id)
    if case is None or case.status != RUNNING:
        return None
    session = CaseSession.open(case, actor)
    now = utcnow()
    due = [t for t in waiting_timers(session.workflow) if t.due_at is not None and t.due_at < now]
    session.advance()
    # A timer that fired is gone or has a new due time (a cycle's next turn). Record it: a cycle that only
    # opens a new task completes no element, and would otherwise look like nothing happened.
    after = {t.task_id: t.due_at for t in waiting_timers(session.workflow)}
    for timer in due:
        if after.get(timer.task_id, None) != timer.due_at:
            session.record(
                "timer.fired",
                timer.element_id,
                timer.element_name,
                timer.task_id,
                due_at=timer.due_at.isoformat(),
                kind=timer.kind,
            )
    if not session.log.events and session.log.incident is None:
        db.session.rollback()
        session.put_back()
        return None
    return session.save()
