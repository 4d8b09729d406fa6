"""Finding a case by part of its business key or of its title, from an index rather than a scan.

Both are plain columns of the case row already (docs/privacy.md); the index holds nothing else. PostgreSQL
answers the search's `lower(column) LIKE '%part%'` from GIN trigram indexes (pg_trgm, migration 0022) and
its planner weighs them against walking the cases in order. SQLite has no such index, so a contentless FTS5
table with the trigram tokenizer (`case_search_text`) holds the trigrams of the two columns, keyed by
`case_search_row`, and triggers on `process_instance` keep it: every write of the case row reaches it, a
step's save as well as a purge emptying the title or a bulk load, which a step contributor would not see.

SQLite's planner cannot tell a rare part from a common one, so this asks the index first, for at most FEW
matches: a rare part becomes the list of those cases; a common one stays a LIKE on the cases list's
covering index (ix_process_instance_search), which walked in order finds a page of it at once.
A trigram index needs at least three characters; a shorter part is a LIKE too.
"""

from __future__ import annotations

import sqlalchemy as sa

from ..db.extensions import db
from .models import ProcessInstance

TRIGRAM = 3
FEW = 1000
_MATCHES = sa.text(
    "SELECT r.instance_id FROM case_search_text t JOIN case_search_row r ON r.id = t.rowid "
    "WHERE case_search_text MATCH :phrase LIMIT :few"
)


def _like(text: str):
    pattern = "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return sa.or_(
        sa.func.lower(ProcessInstance.business_key).like(pattern, escape="\\"),
        sa.func.lower(ProcessInstance.title).like(pattern, escape="\\"),
    )


def text_clause(text: str):
    """A condition on ProcessInstance: `text` is part of its business key or title, in any case."""
    text = text.strip()
    if db.engine.dialect.name != "sqlite" or len(text) < TRIGRAM:
        return _like(text)
    # One FTS5 phrase of the whole text: with the trigram tokenizer that is a substring, in any case.
    phrase = '"' + text.replace('"', '""') + '"'
    ids = db.session.scalars(_MATCHES, {"phrase": phrase, "few": FEW + 1}).all()
    if len(ids) <= FEW:
        return ProcessInstance.id.in_(ids)
    return _like(text)
