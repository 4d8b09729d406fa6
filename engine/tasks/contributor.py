"""The inbox rows of a case, kept in step with its engine state by every save (a `StepContributor`)."""

from __future__ import annotations

from ..instances.contributors import StepContributor
from ..runtime.inspection import ready_user_tasks
from .derive import TaskPlan, apply_human_tasks, plan_human_tasks


class TaskRows(StepContributor):
    """Carries {task id: (element id, name)} of the ready user tasks: exactly the case's open rows."""

    name = "tasks"

    def loaded(self, session) -> None:
        # task id -> (element id, name): the rows to close may name tasks the engine drops in this step
        session.carried[self.name] = {
            str(t.id): (t.task_spec.bpmn_id, t.task_spec.bpmn_name) for t in ready_user_tasks(session.workflow)
        }

    def plan(self, session, snapshot, now) -> TaskPlan:
        before = session.carried.get(self.name, {})
        plan = plan_human_tasks(
            session.case, session.workflow, session.version.model, before, now, snapshot.ready_user_tasks
        )
        closed = set(plan.completed) | set(plan.cancelled)
        after = {k: v for k, v in before.items() if k not in closed}
        after.update({row["id"]: (row["element_id"], row["name"]) for row in plan.new_rows})
        session.carried_after[self.name] = after
        session.task_plan = plan  # for the contributors that act on new tasks (notifications)
        return plan

    def events(self, plan: TaskPlan) -> list:
        return plan.events

    def write(self, writer, session, plan: TaskPlan) -> None:
        apply_human_tasks(writer, plan, session.actor.username, session.completed_task_id, session.step_at)
