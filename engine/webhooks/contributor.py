"""The outbox: the outbound webhook rows for the events of a case step, written in its transaction."""

from __future__ import annotations

from ..instances.contributors import StepContributor
from .outbox import outbox_rows, write_outbox


class Outbox(StepContributor):
    name = "outbox"

    def prepare(self, session, plan, events: list, connection) -> list:
        return outbox_rows(session, session.case, events, connection)  # reads: before the batch

    def write(self, writer, session, rows: list) -> None:
        write_outbox(writer.connection, rows)
