"""What other packages add to the save of a case step, through one interface: the case knows no domain.

A `StepContributor` is registered once by the app factory (tasks: the inbox rows; messages: buffered
messages and subscriptions; webhooks: the outbox). For every step `CaseSession` calls, for each contributor
in the order of registration:

- `loaded(session)` when the case was deserialized (not taken live from the cache): note what the case
  waited for as loaded, in `session.carried[<name>]` (it travels with the cached workflow);
- `before(session)` before the snapshot is taken: the last chance to act on the workflow;
- `plan(session, snapshot, now)` what it will write; its `events(plan)` are audited with the step;
- `prepare(session, plan, events, connection)` reads before the step's batch, seeing every event;
- `write(writer, session, plan)` inside the step's batch (one transaction, one round trip on PostgreSQL).

A contributor reads and writes only its own rows; the session keeps the case row, its state and the audit.
"""

from __future__ import annotations

from typing import Any


class StepContributor:
    name = ""

    def loaded(self, session) -> None:
        return None

    def before(self, session) -> None:
        return None

    def plan(self, session, snapshot, now) -> Any:
        return None

    def events(self, plan) -> list:
        return []

    def prepare(self, session, plan, events: list, connection) -> Any:
        return plan

    def write(self, writer, session, plan) -> None:
        return None


_REGISTERED: list[StepContributor] = []


def register(contributor: StepContributor) -> None:
    """Add a contributor (once per name: every app of the process shares the same ones)."""
    if not any(c.name == contributor.name for c in _REGISTERED):
        _REGISTERED.append(contributor)


def registered() -> tuple[StepContributor, ...]:
    return tuple(_REGISTERED)
