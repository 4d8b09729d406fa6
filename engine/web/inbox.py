"""The inbox: the open tasks a user may work on, with counts, filters, sorting and paging.

Built on the policy's task clause (the same rule as the API's task list) and the indexed human task rows;
one count query and one page query, whatever the number of open tasks.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ..errors import ApiError
from ..extensions import db
from ..identity import policy
from ..identity.actor import Actor
from ..instances.models import ProcessInstance
from ..tasks.models import OPEN, HumanTask
from ..timeutil import utcnow

PAGE_SIZE = 50
SCOPES = ("all", "mine", "unclaimed")
DUE_FILTERS = ("", "overdue", "today", "week", "none")
SORTS = {
    "due": lambda: (HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.created_at, HumanTask.id),
    "-due": lambda: (HumanTask.due_at.is_(None), HumanTask.due_at.desc(), HumanTask.created_at.desc(), HumanTask.id),
    "newest": lambda: (HumanTask.created_at.desc(), HumanTask.id),
    "oldest": lambda: (HumanTask.created_at, HumanTask.id),
    "process": lambda: (HumanTask.process_id, HumanTask.name, HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.id),
}
LOCAL_ZONE = ZoneInfo("Europe/Amsterdam")


class BadFilter(ApiError):
    status = 400
    code = "bad_filter"

    def __init__(self, name: str, allowed: str):
        super().__init__(f"Unknown value for '{name}'; use one of: {allowed}.", errors={name: [allowed]})
        self.name, self.allowed = name, allowed


@dataclass
class InboxFilters:
    scope: str = "all"
    process_id: str = ""
    due: str = ""
    municipality: str = ""
    sort: str = "due"
    page: int = 1

    @classmethod
    def from_args(cls, args, actor: Actor) -> "InboxFilters":
        """Filters from the query string. A value a user could not have chosen is a 400 that says which."""
        filters = cls(
            scope=args.get("scope", "all") or "all",
            process_id=(args.get("process") or "").strip(),
            due=args.get("due", "") or "",
            municipality=(args.get("municipality") or "").strip().upper(),
            sort=args.get("sort", "due") or "due",
        )
        if filters.scope not in SCOPES:
            raise BadFilter("scope", ", ".join(SCOPES))
        if filters.due not in DUE_FILTERS:
            raise BadFilter("due", ", ".join(d for d in DUE_FILTERS if d))
        if filters.sort not in SORTS:
            raise BadFilter("sort", ", ".join(SORTS))
        if filters.municipality and actor.is_municipal:
            filters.municipality = ""  # a municipal user only ever sees their own municipality
        try:
            filters.page = max(1, int(args.get("page", "1") or "1"))
        except ValueError:
            raise BadFilter("page", "1, 2, 3, ...") from None
        return filters

    def query_args(self, **changes) -> dict:
        values = {"scope": self.scope, "process": self.process_id, "due": self.due,
                  "municipality": self.municipality, "sort": self.sort, "page": self.page}
        values.update(changes)
        defaults = {"scope": "all", "sort": "due", "page": 1}
        return {k: v for k, v in values.items() if v not in ("", None) and defaults.get(k) != v}


@dataclass
class InboxRow:
    task: HumanTask
    business_key: str
    case_title: str
    overdue: bool
    mine: bool


@dataclass
class InboxPage:
    rows: list
    total: int
    counts: dict
    filters: InboxFilters
    page_count: int
    municipalities: list = field(default_factory=list)
    process_ids: list = field(default_factory=list)

    @property
    def signature(self) -> str:
        """Changes whenever what the page shows would change: for the live refresh."""
        parts = [str(sorted(self.counts.items())), str(self.total)]
        parts += [f"{r.task.id}:{r.task.assignee}:{r.task.due_at}" for r in self.rows]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def _due_clause(due: str, now: datetime):
    if due == "overdue":
        return sa.and_(HumanTask.due_at.is_not(None), HumanTask.due_at < now)
    if due == "today":
        local_end = datetime.combine(now.astimezone(LOCAL_ZONE).date() + timedelta(days=1), time.min, LOCAL_ZONE)
        return sa.and_(HumanTask.due_at.is_not(None), HumanTask.due_at < local_end)
    if due == "week":
        return sa.and_(HumanTask.due_at.is_not(None), HumanTask.due_at < now + timedelta(days=7))
    if due == "none":
        return HumanTask.due_at.is_(None)
    return None


def _visible(actor: Actor):
    return sa.and_(HumanTask.status == OPEN, policy.task_clause(actor))


def counts(actor: Actor, now: datetime | None = None) -> dict:
    now = now or utcnow()
    mine = sa.func.coalesce(sa.func.sum(sa.case((HumanTask.assignee == actor.username, 1), else_=0)), 0)
    unclaimed = sa.func.coalesce(sa.func.sum(sa.case((HumanTask.assignee.is_(None), 1), else_=0)), 0)
    overdue = sa.func.coalesce(sa.func.sum(sa.case((sa.and_(HumanTask.due_at.is_not(None), HumanTask.due_at < now), 1),
                                                   else_=0)), 0)
    row = db.session.execute(sa.select(sa.func.count(), mine, unclaimed, overdue).where(_visible(actor))).one()
    return {"all": int(row[0]), "mine": int(row[1]), "unclaimed": int(row[2]), "overdue": int(row[3])}


def load_inbox(actor: Actor, filters: InboxFilters, with_options: bool = True) -> InboxPage:
    now = utcnow()
    where = [_visible(actor)]
    if filters.scope == "mine":
        where.append(HumanTask.assignee == actor.username)
    elif filters.scope == "unclaimed":
        where.append(HumanTask.assignee.is_(None))
    if filters.process_id:
        where.append(HumanTask.process_id == filters.process_id)
    if filters.municipality:
        where.append(HumanTask.municipality_code == filters.municipality)
    due = _due_clause(filters.due, now)
    if due is not None:
        where.append(due)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(HumanTask).where(*where))
    page_count = max(1, -(-total // PAGE_SIZE))
    page = min(filters.page, page_count)
    query = (
        sa.select(HumanTask, ProcessInstance.business_key, ProcessInstance.title)
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .where(*where)
        .order_by(*SORTS[filters.sort]())
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    )
    rows = [
        InboxRow(task, key, title, bool(task.due_at and task.due_at < now), task.assignee == actor.username)
        for task, key, title in db.session.execute(query)
    ]
    result = InboxPage(rows=rows, total=total, counts=counts(actor, now), filters=filters, page_count=page_count)
    if with_options:
        result.process_ids = list(db.session.scalars(
            sa.select(HumanTask.process_id).where(_visible(actor)).distinct().order_by(HumanTask.process_id)))
        if not actor.is_municipal:
            result.municipalities = [m for m in db.session.scalars(
                sa.select(HumanTask.municipality_code).where(_visible(actor)).distinct()
                .order_by(HumanTask.municipality_code)) if m]
    return result
