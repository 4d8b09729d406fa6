"""The figures row of a threat or disruption case, kept in step with its variables by every save.

A step writes the row only when one of its values changed (the values last written travel with the cached
workflow in `session.carried`), so most steps of a case write nothing here.
"""

from __future__ import annotations

import sqlalchemy as sa

from ..instances.contributors import StepContributor
from ..instances.models import COMPLETED
from ..instances.store import insert_statement
from ..db.prepared import Prepared
from .derive import COLUMNS, PROCESSES, changing_values, closure_days, first_values
from .models import CaseFigures
from .sql import days_between

TABLE = CaseFigures.__table__
_INSERT = insert_statement(TABLE, tuple(c.name for c in TABLE.columns))
# the lead time from report to closure is counted by the database from the row's own moment of report
_UPDATE = Prepared(
    sa.update(TABLE)
    .where(TABLE.c.instance_id == sa.bindparam("match_id"))
    .values(
        {
            **{name: sa.bindparam(name, type_=TABLE.c[name].type) for name in COLUMNS},
            "report_to_closure_days": days_between(
                TABLE.c.started_at, sa.bindparam("completed_at", type_=TABLE.c.completed_at.type)
            ),
        }
    )
)


class FiguresRow(StepContributor):
    name = "figures"

    def plan(self, session, snapshot, now):
        case = session.case
        if case.process_id not in PROCESSES:
            return None
        closed = case.status == COMPLETED
        values = changing_values(case.process_id, snapshot.variables, closed, now if closed else None)
        if closed and session.carried.get(self.name, {}).get("closed"):
            values["completed_at"] = session.carried[self.name]["completed_at"]  # closed once, at that moment
        session.carried_after[self.name] = values
        if not session.is_new and session.carried.get(self.name) == values:
            return None
        if session.is_new:
            started_at = session.new_values.get("started_at") or now
            return {
                **first_values(case.id, case.process_id, case.municipality_code, started_at),
                **values,
                "report_to_closure_days": closure_days(started_at, values["completed_at"]),
            }
        return {**values, "match_id": case.id}

    def write(self, writer, session, plan) -> None:
        if plan is None:
            return
        (_INSERT if session.is_new else _UPDATE).send(writer.connection, plan)
