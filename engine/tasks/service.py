"""Inbox queries, claiming, and completing a user task with server-side form validation."""

from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask
from SpiffWorkflow.util.task import TaskState

from ..definitions.service import form_definition
from ..documents.service import check_references
from ..core.errors import Conflict, NotFound, Unprocessable
from ..db.extensions import UTCDateTime, db
from ..access import policy
from ..identity.actor import Actor
from ..instances.models import ProcessInstance
from ..instances.session import CaseSession
from ..db.prepared import Raw
from ..core.timeutil import utcnow
from ..instances.task_rows import OPEN, HumanTask
from .store import load_task_and_case
from ..instances.task_rows import TaskCandidate
from ..instances.models import AuditEvent


# what a listed task shows (`api.tasks.row_summary`): read as plain rows, not as mapped objects
_LISTED = (
    HumanTask.id,
    HumanTask.name,
    HumanTask.element_id,
    HumanTask.process_id,
    HumanTask.instance_id,
    HumanTask.municipality_code,
    HumanTask.candidate_groups,
    HumanTask.assignee,
    HumanTask.due_at,
    HumanTask.priority,
    HumanTask.status,
    HumanTask.created_at,
)
_LISTED_NAMES = tuple(column.key for column in _LISTED)
_LIST_STATEMENTS: dict = {}
_LIST_STATEMENTS_AT_MOST = 2048


def _list_statements(actor: Actor, process_id, instance_id, overdue, assigned, candidate_group):
    """(page, count) statements for this caller and these filters, built once: the policy's clause carries
    the caller's name, roles and municipality as values, the filters' values are parameters. Building them
    was a third of GET /api/v1/tasks (make bench-http --profile)."""
    key = (
        actor,  # frozen: every value of it the policy's clause may read
        bool(process_id),
        bool(instance_id),
        bool(overdue),
        assigned,
        bool(candidate_group),
    )
    found = _LIST_STATEMENTS.get(key)
    if found is not None:
        return found
    where = [HumanTask.status == OPEN, policy.task_clause(actor)]
    if process_id:
        where.append(HumanTask.process_id == sa.bindparam("process_id", type_=sa.String))
    if instance_id:
        where.append(HumanTask.instance_id == sa.bindparam("instance_id", type_=sa.String))
    if overdue:
        where += [HumanTask.due_at.is_not(None), HumanTask.due_at < sa.bindparam("now", type_=UTCDateTime)]
    if assigned == "me":
        where.append(HumanTask.assignee == actor.username)
    elif assigned == "none":
        where.append(HumanTask.assignee.is_(None))
    if candidate_group:
        where += [
            HumanTask.candidate_groups.is_not(None),
            sa.exists().where(
                TaskCandidate.task_id == HumanTask.id,
                TaskCandidate.group_name == sa.bindparam("candidate_group", type_=sa.String),
            ),
        ]
    order = (HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.created_at)
    page = (
        sa.select(*_LISTED)
        .where(*where)
        .order_by(*order)
        .limit(sa.bindparam("limit", type_=sa.Integer))
        .offset(sa.bindparam("offset", type_=sa.Integer))
    )
    count = sa.select(sa.func.count()).select_from(HumanTask).where(*where)
    if len(_LIST_STATEMENTS) >= _LIST_STATEMENTS_AT_MOST:
        _LIST_STATEMENTS.clear()
    found = _LIST_STATEMENTS[key] = (page, count)
    return found


def list_tasks(
    actor: Actor,
    process_id=None,
    instance_id=None,
    overdue=False,
    assigned=None,
    candidate_group=None,
    limit: int = 100,
    offset: int = 0,
):
    """(rows, total): a page of the open tasks `actor` may work on (the policy's clause in the row query),
    each row a ({column: value} of `_LISTED`, business key)."""
    page, count = _list_statements(actor, process_id, instance_id, overdue, assigned, candidate_group)
    given = {"process_id": process_id, "instance_id": instance_id, "candidate_group": candidate_group}
    values = {name: value for name, value in given.items() if value}
    if overdue:
        values["now"] = utcnow()
    connection = db.session.connection()
    # one row more than the page: when it is not there, the rows fetched are the rest of the list and the
    # total follows from them, without a count query
    result = connection.execute(page, {**values, "limit": limit + 1, "offset": offset})
    tasks = [dict(zip(_LISTED_NAMES, row)) for row in result]
    if len(tasks) <= limit and (offset == 0 or tasks):
        total = offset + len(tasks)
    else:
        tasks = tasks[:limit]
        total = connection.execute(count, values).scalar()
    # the case numbers of the page's rows only: joined into the row query, SQLite read them for every
    # visible task before sorting (thousands for a municipality's inbox)
    keys = _business_keys({t["instance_id"] for t in tasks})
    return [(t, keys.get(t["instance_id"])) for t in tasks], total


def business_keys_of(tasks) -> dict:
    """{case id: business key} of the tasks' cases, in one query."""
    return _business_keys({t.instance_id for t in tasks})


_BUSINESS_KEYS = sa.select(ProcessInstance.id, ProcessInstance.business_key).where(
    ProcessInstance.id.in_(sa.bindparam("ids", expanding=True))
)


def _business_keys(ids: set) -> dict:
    if not ids:
        return {}
    return dict(db.session.connection().execute(_BUSINESS_KEYS, {"ids": sorted(ids)}).all())


def open_tasks_of(instance_id: str) -> list[HumanTask]:
    """The open tasks of one case, without an access check: for a case the caller was allowed to see."""
    return list(
        db.session.scalars(sa.select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.status == OPEN))
    )


def _task(task_id: str) -> HumanTask:
    try:
        UUID(task_id)
    except (ValueError, TypeError):
        raise NotFound("No such task.") from None
    task = db.session.get(HumanTask, task_id)
    if task is None:
        raise NotFound("No such task.")
    return task


def get_visible_task(task_id: str, actor: Actor, open_only: bool = False) -> HumanTask:
    task = _task(task_id)
    if not policy.can_see_task(actor, task, db.session) or (open_only and task.status != OPEN):
        raise NotFound("No such task.")
    return task


def case_of_task(task: HumanTask, actor: Actor) -> tuple[ProcessInstance, bool]:
    """The case of a task the actor may see, and whether the actor may see the case itself too: working a
    task does not make the rest of its case visible."""
    instance = db.session.get(ProcessInstance, task.instance_id)
    return instance, policy.can_see_case(actor, instance, db.session)


def _ensure_may_work(actor: Actor, task) -> None:
    """The policy's one answer (`refusal_to_work`) as the API gives it: 404 or 409."""
    refusal = policy.refusal_to_work(actor, task, db.session)
    if refusal == policy.HIDDEN:
        raise NotFound("No such task.")
    if refusal == policy.CLOSED:
        _ensure_open(task)


def claim(task_id: str, actor: Actor) -> HumanTask:
    task = _task(task_id)
    _ensure_may_work(actor, task)
    if task.assignee and task.assignee != actor.username:
        raise Conflict(f"This task is already claimed by {task.assignee}.", assignee=task.assignee)
    result = db.session.execute(
        sa.update(HumanTask)
        .where(
            HumanTask.id == task.id,
            HumanTask.status == OPEN,
            sa.or_(HumanTask.assignee.is_(None), HumanTask.assignee == actor.username),
        )
        .values(assignee=actor.username, claimed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise Conflict("This task was claimed or completed by someone else just now.")
    _audit(task, actor, "task.claimed")
    db.session.commit()
    db.session.refresh(task)
    return task


def unclaim(task_id: str, actor: Actor) -> HumanTask:
    task = get_visible_task(task_id, actor)
    _ensure_open(task)
    if task.assignee is None:
        return task
    if task.assignee != actor.username and not actor.is_admin:
        raise Conflict(f"This task is claimed by {task.assignee}; only they can release it.", assignee=task.assignee)
    db.session.execute(
        sa.update(HumanTask)
        .where(HumanTask.id == task.id)
        .values(assignee=None, claimed_at=None)
        .execution_options(synchronize_session=False)
    )
    _audit(task, actor, "task.unclaimed")
    db.session.commit()
    db.session.refresh(task)
    return task


def _ensure_open(task: HumanTask) -> None:
    if task.status != OPEN:
        raise Conflict(f"This task is {task.status}; it can no longer be changed.", status=task.status)


def _audit(task: HumanTask, actor: Actor, event: str) -> None:
    db.session.add(
        AuditEvent(
            instance_id=task.instance_id,
            actor=actor.username,
            event=event,
            element_id=task.element_id,
            element_name=task.name,
            task_id=task.id,
            data_keys=[],
            details={},
        )
    )


def task_form(task: HumanTask):
    return form_definition(task.form_file_id) if task.form_file_id else None


def complete(task_id: str, variables: dict, actor: Actor):
    """Complete an open user task with form data; returns the case's CaseRow after the step."""
    return _complete(task_id, variables, actor)[0]


def complete_with_next(task_id: str, variables: dict, actor: Actor):
    """`complete`, and the caller's open tasks of the case after the step, as `list_tasks` would return them,
    taken from the rows the step wrote when those are all of the case's open tasks (no query); None when
    tasks opened before the step are still open, which the caller then reads (`list_tasks`)."""
    case, session = _complete(task_id, variables, actor)
    plan = getattr(session, "task_plan", None)
    if plan is None or set(session.carried_after.get("tasks", {})) != {row["id"] for row in plan.new_rows}:
        return case, None
    rows = [
        row
        for row in plan.new_rows
        if policy.works_open_task(actor, row["assignee"], row["candidate_groups"], row["municipality_code"])
    ]
    rows.sort(key=lambda row: (row["due_at"] is None, row["due_at"] or row["created_at"], row["created_at"]))
    return case, rows


def _complete(task_id: str, variables: dict, actor: Actor):
    try:
        UUID(task_id)
    except (ValueError, TypeError):
        raise NotFound("No such task.") from None
    connection = Raw()
    task, case = load_task_and_case(task_id, connection)
    if task is None:
        raise NotFound("No such task.")
    _ensure_may_work(actor, task)
    if task.assignee and task.assignee != actor.username:
        raise Conflict(f"This task is claimed by {task.assignee}.", assignee=task.assignee)
    form = task_form(task)
    if form is None:
        raise Conflict("This task has no form definition; it cannot be completed here.")
    clean, errors = form.validate(variables or {})
    if errors:
        raise Unprocessable("The form has errors; see errors for each field.", errors=errors)
    check_references(task.instance_id, actor, form.document_references(clean))
    session = CaseSession.open(case, actor, connection=connection)
    engine_task = session.workflow.get_task_from_id(UUID(task.id))
    if engine_task is None or engine_task.state != TaskState.READY or not isinstance(engine_task.task_spec, UserTask):
        raise Conflict("This task is no longer open.")
    order = form.order_errors(clean, engine_task.data)  # rules between fields may compare with case data
    if order:
        session.put_back()
        raise Unprocessable("The form has errors; see errors for each field.", errors=order)
    engine_task.data.update(clean)
    session.record("task.completed", task.element_id, task.name, task.id, data_keys=sorted(clean))
    engine_task.run()
    session.advance()
    return session.save(completed_task_id=task.id), session
