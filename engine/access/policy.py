"""Authorisation: who may see and act on which case and task. The single place these rules live.

- beheerder (admin) and procesbeheerder (process owner) see every case; they do not read sensitive fields;
- gemeente users see the cases of their own municipality (a sub-role such as `gemeente.griffie` implies the
  gemeente role); a driehoek member (`gemeente.burgemeester`, `gemeente.locoburgemeester`) only those of
  them with a task of their role;
- ambtsdrager users see the cases they reported and those with a task assigned to them;
- national roles (politie, OM, BZK, IVP) see the cases in which their role has or had a task; a police user
  of a regional unit only those of the unit's municipalities (`police_units.py`);
- a task can be worked on by its assignee, or, when unassigned, by a user with one of its candidate
  groups (a municipal user only within their own municipality);
- sensitive fields (marked in the forms) are shown only to the roles in `SENSITIVE_READERS`, a field that
  names its readers only to them, and the need-to-know roles (IVP, BZK, OM) read only the form fields that
  name them (`roles.readers_of`);
- a message is sent only by the party it stands for: the senders its process declares (a webhook by its
  source), see `definitions/message_senders.py`.
A case or task a user may not see does not exist for them: the API answers 404, never 403.
"""

from __future__ import annotations

import sqlalchemy as sa

from ..instances.models import ProcessInstance
from ..instances.task_rows import OPEN, HumanTask, TaskCandidate
from ..identity import police_units
from ..identity.actor import Actor
from ..identity.roles import (
    AMBTSDRAGER,
    BEHEERDER,
    BZK,
    DRIEHOEK_MEMBERS,
    GEMEENTE,
    MUNICIPAL_ROLES,
    POLITIE,
    PRIVACY,
    PROCESBEHEERDER,
    SENSITIVE_READERS,
    readers_of,
)

OVERSEERS = frozenset({BEHEERDER, PROCESBEHEERDER})


def _unit_codes(actor: Actor) -> frozenset | None:
    """The municipalities a regional police user covers (None: not restricted)."""
    if POLITIE in actor.roles and police_units.restricts(actor.police_unit):
        return police_units.municipalities_of(actor.police_unit)
    return None


def in_police_unit(actor: Actor, municipality_code: str | None) -> bool:
    """A case or task of this municipality is in the actor's police unit (always, for others)."""
    codes = _unit_codes(actor)
    return codes is None or municipality_code is None or municipality_code in codes


def case_clause(actor: Actor):
    """A SQL condition on ProcessInstance selecting the cases `actor` may see."""
    if actor.is_system or actor.has_role(*OVERSEERS):
        return sa.true()
    # Each part is a condition the database can answer from an index (an `id IN (...)` rather than a
    # correlated EXISTS), so that the OR of them is a union of index lookups, not a scan of every case.
    return sa.or_(
        *(ProcessInstance.id.in_(part) if isinstance(part, sa.Select) else part for part in _case_parts(actor))
    )


def visible_among(actor: Actor, ids: sa.Select) -> sa.Select:
    """Of the cases `ids` (a select of case ids), those `actor` may see, as a select of case ids: the same
    cases as `ProcessInstance.id.in_(ids) & case_clause(actor)`, written for a few ids. Each part of the
    clause that is a list of case ids is intersected with `ids` in its own select, which a database answers
    from the two lists' indexes alone; a part on the case's own columns (the municipality) is its own
    select too, from that column's index. Tested as one OR on every case instead, each case read is looked
    up in every list (for the national police a hash of the third of all cases they took part in, built
    anew for each search), and no index narrows the cases read."""
    if actor.is_system or actor.has_role(*OVERSEERS):
        return ids
    column = ids.selected_columns[0]
    selects = [
        ids.where(column.in_(part))
        if isinstance(part, sa.Select)
        else sa.select(ProcessInstance.id).where(part, ProcessInstance.id.in_(ids))
        for part in _case_parts(actor)
    ]
    return sa.union_all(*selects)


def _case_parts(actor: Actor) -> list:
    """The alternatives of a non-overseer's case clause: selects of case ids, or conditions on the case."""
    parts: list = [
        ProcessInstance.started_by == actor.username,
        sa.select(HumanTask.instance_id).where(HumanTask.assignee == actor.username),
    ]
    if GEMEENTE in actor.roles and actor.municipality_code:
        parts.append(ProcessInstance.municipality_code == actor.municipality_code)
    members = [r for r in actor.roles if r in DRIEHOEK_MEMBERS]
    if members and actor.municipality_code:  # a driehoek member: the own municipality's cases with a task of theirs
        parts.append(sa.and_(_participated(members), ProcessInstance.municipality_code == actor.municipality_code))
    national = [r for r in actor.roles if r not in MUNICIPAL_ROLES and r not in OVERSEERS]
    codes = _unit_codes(actor)
    if codes is not None:  # a regional police unit: the police's part only within its municipalities
        national.remove(POLITIE)
        parts.append(
            sa.and_(
                _participated([POLITIE]),
                sa.or_(ProcessInstance.municipality_code.is_(None), ProcessInstance.municipality_code.in_(codes)),
            )
        )
    if national:
        parts.append(_participants(national))
    return parts


def _participants(roles: list) -> sa.Select:
    """The cases in which one of `roles` has or had a task."""
    return sa.select(TaskCandidate.instance_id).where(TaskCandidate.group_name.in_(roles))


def _participated(roles: list):
    return ProcessInstance.id.in_(_participants(roles))


def task_clause(actor: Actor):
    """A SQL condition on HumanTask selecting the open tasks `actor` may work on."""
    if actor.is_system:
        return sa.true()
    mine = HumanTask.assignee == actor.username
    roles = list(actor.roles)
    if not roles:
        return mine
    by_group = sa.exists().where(TaskCandidate.task_id == HumanTask.id, TaskCandidate.group_name.in_(roles))
    national = [r for r in roles if r not in MUNICIPAL_ROLES]
    if actor.municipality_code:
        where_municipality = HumanTask.municipality_code == actor.municipality_code
    else:
        where_municipality = sa.false()
    if national:
        national_groups = sa.exists().where(
            TaskCandidate.task_id == HumanTask.id, TaskCandidate.group_name.in_(national)
        )
        codes = _unit_codes(actor)
        if codes is not None:
            national_groups = sa.and_(
                national_groups, sa.or_(HumanTask.municipality_code.is_(None), HumanTask.municipality_code.in_(codes))
            )
        scope = sa.or_(national_groups, sa.and_(by_group, where_municipality))
    else:
        scope = sa.and_(by_group, where_municipality)
    return sa.or_(mine, sa.and_(HumanTask.assignee.is_(None), scope))


def works_open_task(actor: Actor, assignee: str | None, groups, municipality_code: str | None) -> bool:
    """`task_clause` for one open task's values, in Python: for rows a step has just written (a completion's
    next tasks), so they need not be read back. tests/tasks/test_completion_next_tasks.py holds the two equal."""
    if actor.is_system or (assignee is not None and assignee == actor.username):
        return True
    roles = actor.roles
    if not roles or assignee is not None:
        return False
    groups = set(groups or ())
    in_municipality = bool(actor.municipality_code) and municipality_code == actor.municipality_code
    by_group = bool(roles & groups) and in_municipality
    national = {r for r in roles if r not in MUNICIPAL_ROLES}
    if not national:
        return by_group
    national_groups = bool(national & groups)
    codes = _unit_codes(actor)
    if codes is not None:
        national_groups = national_groups and (municipality_code is None or municipality_code in codes)
    return national_groups or by_group


def can_see_case(actor: Actor, instance: ProcessInstance, session) -> bool:
    query = sa.select(sa.literal(1)).where(ProcessInstance.id == instance.id, case_clause(actor))
    return session.scalar(query) is not None


def _by_role(actor: Actor, task: HumanTask) -> bool:
    """One of the actor's roles is a candidate group of the task (a municipal role in its municipality)."""
    for role in actor.roles & set(task.candidate_groups or []):
        if role not in MUNICIPAL_ROLES:
            if role == POLITIE and not in_police_unit(actor, task.municipality_code):
                continue
            return True
        if actor.municipality_code and actor.municipality_code == task.municipality_code:
            return True
    return False


def can_work_task(actor: Actor, task: HumanTask) -> bool:
    """Whether `actor` may claim or complete `task` (ignoring who claimed it)."""
    if actor.is_system or task.assignee == actor.username:
        return True
    return _by_role(actor, task)


def can_see_task(actor: Actor, task: HumanTask, session) -> bool:
    """A task's detail (its form and the data it shows) is for those who may work it or completed it, for
    the overseers, and, for a task of the municipality's side (gemeente, ambtsdrager), for that side's
    users who see the case (the office holder reads their gemeente's triage). Other participants see that
    the task exists (on the case page), not its detail: the IVP does not read the police's task, nor the
    police the IVP's."""
    if actor.is_system or actor.has_role(*OVERSEERS):
        return True
    if actor.username in (task.assignee, task.completed_by) or _by_role(actor, task):
        return True
    groups = set(task.candidate_groups or [])
    municipal_side = groups and groups <= MUNICIPAL_ROLES and actor.roles & MUNICIPAL_ROLES
    if municipal_side and actor.municipality_code and actor.municipality_code == task.municipality_code:
        query = sa.select(sa.literal(1)).where(ProcessInstance.id == task.instance_id, case_clause(actor))
        return session.scalar(query) is not None
    return False


HIDDEN, CLOSED = "hidden", "closed"


def refusal_to_work(actor: Actor, task, session) -> str | None:
    """Why `actor` may not claim or complete `task` now, decided once: None when they may; CLOSED when they
    see the task but it is no longer open (a conflict to tell them of); HIDDEN when they may not see it, or
    see it and may not work it (answered as if it did not exist)."""
    if task.status == OPEN and can_work_task(actor, task):
        return None
    if not can_see_task(actor, task, session):
        return HIDDEN
    return CLOSED if task.status != OPEN else HIDDEN


def can_send_message(actor: Actor, senders, municipality_code: str | None) -> bool:
    """Whether `actor` may send a message whose declared senders are `senders` (roles) to a case of this
    municipality: a user by one of their roles (a municipal role only for their own municipality), a
    webhook by its source. No role sends a message for another party, administrators included."""
    senders = set(senders or ())
    if actor.is_system:
        return actor.source in senders if actor.source else True  # else: the host itself (timers, commands)
    for role in actor.roles & senders:
        if role not in MUNICIPAL_ROLES:
            if role == POLITIE and not in_police_unit(actor, municipality_code):
                continue
            return True
        if actor.municipality_code and actor.municipality_code == municipality_code:
            return True
    return False


def can_read_sensitive(actor: Actor) -> bool:
    return actor.is_system or bool(actor.roles & SENSITIVE_READERS)


def visible_variables(
    actor: Actor, variables: dict, sensitive_keys, field_readers: dict | None = None, form_keys=(), case_readers=None
) -> dict:
    """Case variables with the values masked that the actor may not read (`roles.readers_of`): a field that
    names its readers (forms: `"readers": "gemeente,ivp"`) for every other role; else a sensitive field for
    the roles outside `SENSITIVE_READERS`; else any form field for the need-to-know roles (IVP, BZK, OM).
    A municipal user of a case that spans municipalities (the toolkit roll-out) sees only their own
    municipality's rows. A process that names the readers of its cases (`case_readers`, the IVP's support)
    limits every variable to them, derived ones included."""
    if actor.is_municipal:
        variables = _own_rows(variables, actor.municipality_code)
    if actor.is_system:
        return dict(variables)
    readers, sensitive, forms = field_readers or {}, set(sensitive_keys or ()), set(form_keys or ())
    hidden = set()
    for key in variables:
        allowed = readers_of(key, readers, sensitive, forms)
        if case_readers:
            allowed = (allowed if allowed is not None else frozenset(case_readers)) & frozenset(case_readers)
        if allowed is not None and not actor.roles & allowed:
            hidden.add(key)
    if not hidden:
        return dict(variables)
    return {k: ("***" if k in hidden else v) for k, v in variables.items()}


def _municipality_of(row) -> str | None:
    if isinstance(row, dict):
        code = row.get("municipality_code", row.get("code"))
        if isinstance(code, str) and len(code) == 6 and code[:2].upper() == "GM" and code[2:].isdigit():
            return code.upper()
    return None


def _own_rows(variables: dict, own: str | None) -> dict:
    """Rows (dicts naming a municipality by its CBS code) of other municipalities left out: lists keep the
    own rows, a single row of another municipality is dropped."""
    kept = {}
    for key, value in variables.items():
        if isinstance(value, list) and any(_municipality_of(item) for item in value):
            value = [item for item in value if _municipality_of(item) in (None, own)]
        elif _municipality_of(value) not in (None, own):
            continue
        kept[key] = value
    return kept


def can_start(actor: Actor, starter_groups: list) -> bool:
    if actor.is_system or actor.is_admin:
        return True
    if not starter_groups:
        return bool(actor.roles)
    return bool(actor.roles & set(starter_groups))


def can_administer_cases(actor: Actor) -> bool:
    return actor.is_system or actor.has_role(BEHEERDER)


def can_deploy(actor: Actor) -> bool:
    return actor.has_role(BEHEERDER, PROCESBEHEERDER)


def can_search_access_log(actor: Actor) -> bool:
    """The privacy officer (functionaris gegevensbescherming) searches and exports the read log."""
    return actor.has_role(PRIVACY)


def can_read_access_log(actor: Actor, instance: ProcessInstance, session) -> bool:
    """Who read a case: the privacy officer, and the office holder the case is about (art. 15 AVG)."""
    if actor.has_role(PRIVACY):
        return True
    return AMBTSDRAGER in actor.roles and can_see_case(actor, instance, session)


def can_oversee(actor: Actor) -> bool:
    """Read-only operations views (case lists across municipalities, incidents, the heatmap)."""
    return actor.is_system or actor.has_role(*OVERSEERS)


__all__ = [
    "AMBTSDRAGER",
    "case_clause",
    "task_clause",
    "can_see_case",
    "can_work_task",
    "can_see_task",
    "can_send_message",
    "can_read_sensitive",
    "visible_variables",
    "can_start",
    "can_administer_cases",
    "can_deploy",
    "can_oversee",
    "can_read_access_log",
    "can_search_access_log",
]


def can_read_reports(actor: Actor) -> bool:
    """The yearly report (aggregates only): BZK, who evaluates the vangnet, and the administrator."""
    return actor.has_role(BZK, BEHEERDER)
