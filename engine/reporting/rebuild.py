"""The figures rows of cases saved before they existed (`flask --app engine reports rebuild`), and the rows
of cases that will not step again written anew after a column was added (`... rebuild --refresh`).

A case gets its row with its next step; a case that will not step again (closed, or saved before migration
0014 and waiting) gets it here, opened once from its variables, or from its tombstone when it was purged.
"""

from __future__ import annotations

import sqlalchemy as sa

from ..db.extensions import db
from ..instances.models import COMPLETED, ProcessInstance
from ..instances.sealed import variables_of_cases
from .derive import PROCESSES, changing_values, closure_days, first_values
from .models import CaseFigures

BATCH = 500


def _cases(select, after_id: bool):
    """The cases of `select` in batches of BATCH, each batch with every case's variables, opened in one go
    (the tombstone's for a purged case): yields (batch, [(row, variables, closed)]). With `after_id` the
    next batch starts after the last id; otherwise the batch's work removes its rows from the selection."""
    after = ""
    while True:
        query = select.where(ProcessInstance.id > after) if after_id else select
        rows = db.session.execute(query.order_by(ProcessInstance.id).limit(BATCH)).all()
        if not rows:
            return
        opened = variables_of_cases((row.id, row.variables) for row in rows if row.tombstone is None)
        yield [
            (row, row.tombstone if row.tombstone is not None else opened.get(row.id, {}), row.status == COMPLETED)
            for row in rows
        ]
        db.session.commit()
        after = rows[-1].id


def rebuild_missing() -> int:
    """Write the missing rows in batches; returns how many were written."""
    written = 0
    missing = (
        sa.select(
            ProcessInstance.id,
            ProcessInstance.process_id,
            ProcessInstance.municipality_code,
            ProcessInstance.status,
            ProcessInstance.started_at,
            ProcessInstance.completed_at,
            ProcessInstance.variables,
            ProcessInstance.tombstone,
        )
        .outerjoin(CaseFigures, CaseFigures.instance_id == ProcessInstance.id)
        .where(ProcessInstance.process_id.in_(PROCESSES), CaseFigures.instance_id.is_(None))
    )
    for batch in _cases(missing, after_id=False):  # a written row leaves the selection
        for row, variables, closed in batch:
            completed_at = row.completed_at if closed else None
            db.session.add(
                CaseFigures(
                    **first_values(row.id, row.process_id, row.municipality_code, row.started_at),
                    **changing_values(row.process_id, variables, closed, completed_at),
                    report_to_closure_days=closure_days(row.started_at, completed_at),
                )
            )
        written += len(batch)
    return written


def refresh_all() -> int:
    """Derive the changing values of every existing row again (a closed case does not step again, so a column
    added later stays empty in its row until this runs); returns how many rows were read."""
    done = 0
    existing = (
        sa.select(
            ProcessInstance.id,
            ProcessInstance.process_id,
            ProcessInstance.status,
            ProcessInstance.completed_at,
            ProcessInstance.variables,
            ProcessInstance.tombstone,
        )
        .join(CaseFigures, CaseFigures.instance_id == ProcessInstance.id)
        .where(ProcessInstance.process_id.in_(PROCESSES))
    )
    for batch in _cases(existing, after_id=True):
        for row, variables, closed in batch:
            values = changing_values(row.process_id, variables, closed, row.completed_at if closed else None)
            values.pop("completed_at")  # kept as written at closure (report_to_closure_days was counted from it)
            db.session.execute(sa.update(CaseFigures).where(CaseFigures.instance_id == row.id).values(values))
        done += len(batch)
    return done
