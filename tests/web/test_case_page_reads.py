"""The case page reads each row once: the visibility of the case is decided once for its notes and
documents, and logging the read (engine/accesslog) does not make the rows read before it stale."""

from __future__ import annotations

import json

import sqlalchemy as sa

from engine.db.extensions import db


def _statements(app, call) -> list[str]:
    seen = []

    def note(conn, cursor, statement, parameters, context, executemany):
        seen.append(" ".join(statement.split()) + " " + repr(parameters))

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        response = call()
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)
    assert response.status_code == 200
    return seen


def test_the_case_page_reads_no_row_twice(app, browser_for, case):
    case_id, _, task_id = case
    client = browser_for("gemeente.westbetuwe")
    client.get(f"/tasks/{task_id}")
    client.post(f"/tasks/{task_id}", {"variables": json.dumps({"acute_danger": True, "category": "bedreiging"})})
    client.get(f"/cases/{case_id}")
    statements = _statements(app, lambda: client.get(f"/cases/{case_id}"))
    assert len(statements) == len(set(statements)), "a statement ran twice"
    reads_of_the_case = [s for s in statements if s.startswith("SELECT") and " FROM process_instance " in s]
    # the case with its visibility, its variables, its linked cases: three reads, not one per part of the page
    assert len(reads_of_the_case) == 3, reads_of_the_case
    # rows refreshed after a commit are read by primary key under their mapped names ("AS audit_event_id")
    assert not [s for s in statements if " AS audit_event_id" in s or " AS human_task_id" in s]
