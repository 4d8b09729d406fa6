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

from ..core.errors import ApiError
from ..db.extensions import db
from ..definitions.bpmn_model import URGENT_PRIORITY
from ..access import policy
from ..identity.actor import Actor
from ..instances.models import ProcessInstance
from ..instances.task_rows import OPEN, HumanTask
from ..core.timeutil import utcnow

PAGE_SIZE = 50
SCOPES = ("all", "mine", "unclaimed")
DUE_FILTERS = ("", "overdue", "today", "week", "none")
# Sorts that follow the (status, due_at) index read the dated tasks in index order and stop after one page;
# tasks without a due date come after them (the same on SQLite and PostgreSQL, which order NULLs apart).
# In these sorts urgent tasks (the model's `camunda:priority`, e.g. a report of acute danger) come first.
DATED_SORTS = {
    "due": lambda: (HumanTask.due_at, HumanTask.id),
    "-due": lambda: (HumanTask.due_at.desc(), HumanTask.id.desc()),
}
UNDATED_ORDER = lambda: (HumanTask.created_at, HumanTask.id)  # noqa: E731
SORTS = {
    **DATED_SORTS,
    "newest": lambda: (HumanTask.created_at.desc(), HumanTask.id.desc()),
    "oldest": lambda: (HumanTask.created_at, HumanTask.id),
    "process": lambda: (HumanTask.process_id, HumanTask.name, HumanTask.created_at, HumanTask.id),
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
    def from_args(cls, args, actor: Actor) -> InboxFilters:
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
        values = {
            "scope": self.scope,
            "process": self.process_id,
            "due": self.due,
            "municipality": self.municipality,
            "sort": self.sort,
            "page": self.page,
        }
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
        parts += [f"{r.task.id}:{r.task.assignee}:{r.task.due_at}:{r.task.priority}" for r in self.rows]
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


def _filter_clauses(actor: Actor, filters: InboxFilters, now: datetime) -> list:
    where = []
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
    return where


_URGENT = HumanTask.priority >= URGENT_PRIORITY
# The same test with the priority index kept out of it (`priority + 0`): the not-urgent segments are nearly
# every task, and SQLite, offered `priority < 75`, read them through that index and sorted thousands of rows
# for one page (10 ms at 10,000 open tasks) instead of walking the due-date index and stopping after 50.
_NOT_URGENT = (HumanTask.priority + 0) < URGENT_PRIORITY


def _sum_of(condition):
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def _aggregate(actor: Actor, filters: InboxFilters, now: datetime):
    """One pass over the visible open tasks, grouped by municipality and process: the counts, the number
    of matches (dated and undated) and the filter options, all at once."""
    matches = sa.and_(sa.true(), *_filter_clauses(actor, filters, now))
    query = (
        sa.select(
            HumanTask.municipality_code,
            HumanTask.process_id,
            sa.func.count(),
            _sum_of(HumanTask.assignee == actor.username),
            _sum_of(HumanTask.assignee.is_(None)),
            _sum_of(sa.and_(HumanTask.due_at.is_not(None), HumanTask.due_at < now)),
            _sum_of(sa.and_(matches, HumanTask.due_at.is_not(None))),
            _sum_of(sa.and_(matches, HumanTask.due_at.is_(None))),
            _sum_of(_URGENT),
            _sum_of(sa.and_(matches, _URGENT, HumanTask.due_at.is_not(None))),
            _sum_of(sa.and_(matches, _URGENT, HumanTask.due_at.is_(None))),
        )
        .where(_visible(actor))
        .group_by(HumanTask.municipality_code, HumanTask.process_id)
    )
    return db.session.execute(query).all()


def _page_query(where: list, order, offset: int, limit: int):
    return (
        sa.select(HumanTask, ProcessInstance.business_key, ProcessInstance.title)
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .where(*where)
        .order_by(*order)
        .limit(limit)
        .offset(offset)
    )


def _page_rows(where: list, sort: str, offset: int, totals: dict) -> list:
    """One page of rows. A dated sort is read as consecutive segments (urgent dated, urgent undated, dated,
    undated), each in its index order, skipping whole segments before the page by their counted sizes."""
    if sort not in DATED_SORTS:
        return db.session.execute(_page_query(where, SORTS[sort](), offset, PAGE_SIZE)).all()
    dated, undated = HumanTask.due_at.is_not(None), HumanTask.due_at.is_(None)
    segments = [
        ([_URGENT, dated], DATED_SORTS[sort](), totals["urgent_dated"]),
        ([_URGENT, undated], UNDATED_ORDER(), totals["urgent_undated"]),
        ([_NOT_URGENT, dated], DATED_SORTS[sort](), totals["dated"] - totals["urgent_dated"]),
        ([_NOT_URGENT, undated], UNDATED_ORDER(), totals["undated"] - totals["urgent_undated"]),
    ]
    rows = []
    for clauses, order, size in segments:
        if len(rows) >= PAGE_SIZE:
            break
        if offset >= size:
            offset -= size
            continue
        rows += db.session.execute(_page_query(where + clauses, order, offset, PAGE_SIZE - len(rows))).all()
        offset = 0
    return rows


def load_inbox(actor: Actor, filters: InboxFilters, with_options: bool = True) -> InboxPage:
    now = utcnow()
    groups = _aggregate(actor, filters, now)
    counts_ = {
        "all": sum(g[2] for g in groups),
        "mine": sum(g[3] for g in groups),
        "unclaimed": sum(g[4] for g in groups),
        "overdue": sum(g[5] for g in groups),
        "urgent": sum(g[8] for g in groups),
    }
    totals = {
        "dated": sum(g[6] for g in groups),
        "undated": sum(g[7] for g in groups),
        "urgent_dated": sum(g[9] for g in groups),
        "urgent_undated": sum(g[10] for g in groups),
    }
    total = totals["dated"] + totals["undated"]
    page_count = max(1, -(-total // PAGE_SIZE))
    page = min(filters.page, page_count)
    where = [_visible(actor), *_filter_clauses(actor, filters, now)]
    rows = [
        InboxRow(task, key, title, bool(task.due_at and task.due_at < now), task.assignee == actor.username)
        for task, key, title in _page_rows(where, filters.sort, (page - 1) * PAGE_SIZE, totals)
    ]
    result = InboxPage(rows=rows, total=total, counts=counts_, filters=filters, page_count=page_count)
    if with_options:
        result.process_ids = sorted({g[1] for g in groups})
        if not actor.is_municipal:
            result.municipalities = sorted({g[0] for g in groups if g[0]})
    return result
