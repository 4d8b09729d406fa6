"""Who is told of a task: exactly the people the inbox would show it to (access/policy.py), with an
address, each once, by their preference for the kind."""

from __future__ import annotations

from functools import lru_cache
from types import SimpleNamespace
from typing import NamedTuple

import sqlalchemy as sa

from ..db.extensions import db
from ..db.prepared import Prepared, Raw
from ..identity.actor import Actor
from ..identity.models import User
from ..access.policy import can_see_case, can_work_task
from ..identity.roles import effective_roles
from .models import ASSIGNED, DEFAULT_DIGEST_HOUR, DEFAULT_MODES, NEW_TASK, NotificationPreference
from ..instances.task_rows import HumanTask


class Recipient(NamedTuple):
    user_id: int
    username: str
    actor: Actor
    email: str
    language: str
    modes: dict
    digest_hour: int

    def mode(self, kind: str) -> str:
        return self.modes.get(kind) or DEFAULT_MODES[kind]


_ADDRESSABLE = (
    sa.select(
        User.id,
        User.username,
        User.roles,
        User.municipality_code,
        User.police_unit,
        User.email,
        User.language,
        NotificationPreference.modes,
        NotificationPreference.digest_hour,
    )
    .outerjoin(NotificationPreference, NotificationPreference.user_id == User.id)
    .where(User.is_active.is_(True), User.email.is_not(None), User.email != "")
)
# every step that creates a task reads these: on the step's own connection, compiled once (db/prepared.py)
_ADDRESSABLE_ALL = Prepared(_ADDRESSABLE.order_by(User.id))
_COMPLETERS = Prepared(
    sa.select(HumanTask.completed_by)
    .distinct()
    .where(
        HumanTask.instance_id == sa.bindparam("instance_id", type_=HumanTask.__table__.c.instance_id.type),
        HumanTask.completed_by.is_not(None),
    )
)


@lru_cache(maxsize=4096)
def _actor(username: str, roles: tuple, municipality_code: str | None, police_unit: str | None) -> Actor:
    # the same few hundred users are read on every step; their roles are expanded once per combination
    return Actor(username, effective_roles(roles), municipality_code, "user", police_unit=police_unit)


def _recipient(row) -> Recipient:
    user_id, username, roles, municipality_code, police_unit, email, language, modes, digest_hour = row
    return Recipient(
        user_id,
        username,
        _actor(username, tuple(sorted(roles or ())), municipality_code, police_unit),
        email,
        language or "nl",
        modes or {},
        DEFAULT_DIGEST_HOUR if digest_hour is None else digest_hour,
    )


@lru_cache(maxsize=8192)
def _cached_recipient(raw: tuple, convert) -> Recipient:
    return _recipient(convert(raw))


def _seen_recipient(raw, convert) -> Recipient:
    """A user's row as the driver gave it (JSON as text on SQLite) made into a Recipient once: a changed
    row (roles, address, preferences) is a new key. PostgreSQL's driver gives the JSON parsed, unhashable."""
    try:
        return _cached_recipient(tuple(raw), convert)
    except TypeError:
        return _recipient(convert(raw))


def addressable(usernames=None, connection: Raw | None = None) -> list[Recipient]:
    """Active users with an e-mail address and their preferences (all, or those named). With `connection`
    (a case step's), all of them are read through its cursor."""
    if connection is not None and usernames is None:
        rows, convert = _ADDRESSABLE_ALL.raw_all(connection)
        return [_seen_recipient(raw, convert) for raw in rows]
    query = _ADDRESSABLE
    if usernames is not None:
        query = query.where(User.username.in_(sorted(usernames)))
    return [_recipient(tuple(row)) for row in db.session.execute(query.order_by(User.id))]


def as_task(row: dict):
    """The attributes of a task row that the policy reads."""
    return SimpleNamespace(
        assignee=row.get("assignee"),
        candidate_groups=row.get("candidate_groups") or [],
        municipality_code=row.get("municipality_code"),
        instance_id=row.get("instance_id"),
    )


def for_task(row: dict, users: list[Recipient]) -> list[tuple[Recipient, str]]:
    """(recipient, kind) for a new task: its assignee (ASSIGNED), else everyone who may work on it by role
    (NEW_TASK). A task assigned to someone is in nobody else's inbox, so nobody else hears of it."""
    task = as_task(row)
    if task.assignee:
        return [(user, ASSIGNED) for user in users if user.username == task.assignee]
    return [(user, NEW_TASK) for user in users if can_work_task(user.actor, task)]


def workers_of(task, users: list[Recipient]) -> list[Recipient]:
    """Who may work on an open task now (for its reminders): the assignee, else its roles' people."""
    if task.assignee:
        return [user for user in users if user.username == task.assignee]
    return [user for user in users if can_work_task(user.actor, task)]


def case_handlers(instance_id: str, users: list[Recipient], leave_out: str | None, connection: Raw) -> list[Recipient]:
    """The people who completed a task of the case and still see it; without `leave_out` (the one who caused
    the step, who is not told of it), whose visibility would be one query more on every completion. Read on
    the step's `connection`."""
    names = {name for (name,) in _COMPLETERS.all(connection, {"instance_id": instance_id})}
    names.discard(leave_out)
    if not names:
        return []
    case = SimpleNamespace(id=instance_id)
    return [user for user in users if user.username in names and can_see_case(user.actor, case, db.session)]
