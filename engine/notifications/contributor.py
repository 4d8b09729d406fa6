"""The mail outbox and due-date reminders of a case step, written in its transaction (a `StepContributor`)."""

from __future__ import annotations

from ..instances.contributors import StepContributor
from .outbox import step_rows, write


class Notifications(StepContributor):
    """Reads the task rows the tasks contributor planned for this step (`session.task_plan`), so it is
    registered after it."""

    name = "notifications"

    def prepare(self, session, plan, events: list, connection):
        task_plan = getattr(session, "task_plan", None)
        new_rows = task_plan.new_rows if task_plan is not None else []
        # reads before the batch, on the step's connection
        return step_rows(session.case, new_rows, session.actor.username, session.is_new, connection)

    def write(self, writer, session, rows) -> None:
        mails, reminders = rows
        write(writer.connection, mails, reminders)
