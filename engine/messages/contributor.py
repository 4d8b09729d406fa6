"""A case's message subscriptions and the messages buffered for it, in step with every save."""

from __future__ import annotations

from ..instances.contributors import StepContributor
from ..runtime.inspection import waiting_messages
from .service import apply_subscriptions, consume_buffered_messages, plan_subscriptions


class Subscriptions(StepContributor):
    """Carries the (task id, message name) pairs the case waits for: exactly its subscription rows."""

    name = "messages"

    def loaded(self, session) -> None:
        session.carried[self.name] = {(w.task_id, w.message_name) for w in waiting_messages(session.workflow)}

    def before(self, session) -> None:
        consume_buffered_messages(session)  # messages that arrived before the case waited for them

    def plan(self, session, snapshot, now) -> tuple:
        plan = plan_subscriptions(session.case, session.workflow, session.carried.get(self.name, set()))
        session.carried_after[self.name] = plan[2]
        return plan

    def write(self, writer, session, plan: tuple) -> None:
        apply_subscriptions(writer, session.case, plan)
