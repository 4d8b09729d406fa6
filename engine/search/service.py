"""The case search of the API and the cases page, and the searches users save.

The case layer filters on its own columns (business key, title, status, process, municipality, dates); the
other criteria come from the domains that hold them, as selects of case ids: the step a case is at from its
open tasks, the office holder's role from the figures row (engine/reporting). Authorisation stays the case
layer's: every search runs inside the viewer's case clause.
"""

from __future__ import annotations

from urllib.parse import urlencode

import sqlalchemy as sa

from ..core.errors import Conflict, NotFound, Unprocessable
from ..db.extensions import db
from ..identity.actor import Actor
from ..identity.models import User
from ..cases.service import list_cases
from ..reporting.models import CaseFigures
from ..instances.task_rows import OPEN, HumanTask
from .models import SavedSearch

# The cases page's parameters a saved search may hold (engine/web/pages/inbox.py reads them)
QUERY_KEYS = ("q", "status", "process", "municipality", "role", "task", "from", "until", "sort")
MAX_SAVED = 25
COUNT_AT_MOST = 1000


def find_cases(
    actor: Actor,
    *,
    limit: int,
    offset: int = 0,
    office_holder_role: str | None = None,
    open_task: str | None = None,
    **criteria,
) -> tuple[list, int, bool]:
    """The page of cases `actor` may see that meet the criteria (cases.service.list_cases, plus the
    office holder's role and the step with an open task), the number of them and whether that number is
    exact. The count stops at COUNT_AT_MOST, or at the end of the page when that lies further: counting
    each of a third of all cases (what the national police see) costs more than the page, and tells a
    reader no more than "more than 1,000". When it stopped, `total` is the bound and more cases match."""
    cap = max(COUNT_AT_MOST, offset + limit)
    rows, counted = _find(
        actor, office_holder_role, open_task, limit=limit, offset=offset, count_at_most=cap, **criteria
    )
    return rows, min(counted, cap), counted <= cap


def _find(actor: Actor, office_holder_role, open_task, **criteria):
    among = []
    if office_holder_role:
        among.append(sa.select(CaseFigures.instance_id).where(CaseFigures.office_holder_role == office_holder_role))
    if open_task:
        among.append(
            sa.select(HumanTask.instance_id).where(HumanTask.status == OPEN, HumanTask.element_id == open_task)
        )
    return list_cases(actor, among=among, **criteria)


def _user(actor: Actor) -> User:
    user = db.session.scalar(sa.select(User).where(User.username == actor.username))
    if user is None:  # a webhook source or the host itself keeps no searches
        raise NotFound("Only a signed-in user keeps saved searches.")
    return user


def saved_searches(actor: Actor) -> list[SavedSearch]:
    user = _user(actor)
    return list(
        db.session.scalars(
            sa.select(SavedSearch).where(SavedSearch.user_id == user.id).order_by(sa.func.lower(SavedSearch.name))
        )
    )


def clean_query(query: dict) -> dict:
    """The query's known, non-empty parameters as strings; anything else is refused (422)."""
    unknown = sorted(set(query) - set(QUERY_KEYS))
    errors = {f"query.{key}": ["Not a parameter of the cases list."] for key in unknown}
    cleaned = {}
    for key in QUERY_KEYS:
        value = query.get(key)
        if value in (None, ""):
            continue
        if not isinstance(value, str) or len(value) > 120:
            errors[f"query.{key}"] = ["Must be text of at most 120 characters."]
            continue
        cleaned[key] = value.strip()
    if errors:
        raise Unprocessable("The search holds parameters the cases list does not know.", errors=errors)
    return cleaned


def save_search(actor: Actor, name: str, query: dict) -> SavedSearch:
    user = _user(actor)
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise Unprocessable(
            "A saved search needs a name of 1 to 80 characters.", errors={"name": ["1 to 80 characters."]}
        )
    cleaned = clean_query(query)
    existing = db.session.scalar(sa.select(SavedSearch).where(SavedSearch.user_id == user.id, SavedSearch.name == name))
    if existing is not None:
        raise Conflict(f"You already have a saved search named '{name}'.", reason="name_taken")
    count = db.session.scalar(sa.select(sa.func.count()).where(SavedSearch.user_id == user.id))
    if count >= MAX_SAVED:
        raise Conflict(
            f"You have {MAX_SAVED} saved searches, the most one can keep: delete one first.", reason="too_many"
        )
    row = SavedSearch(user_id=user.id, name=name, query=cleaned)
    db.session.add(row)
    db.session.commit()
    return row


def delete_search(actor: Actor, search_id: int) -> None:
    user = _user(actor)
    row = db.session.get(SavedSearch, search_id)
    if row is None or row.user_id != user.id:  # another user's search is not there for this one
        raise NotFound("No such saved search.")
    db.session.delete(row)
    db.session.commit()


def page_url(row: SavedSearch) -> str:
    return "/cases" + ("?" + urlencode(row.query) if row.query else "")
