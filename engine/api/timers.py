from flask.views import MethodView

from ..core.apidoc import Blueprint
from ..identity.auth import current_actor, protect
from ..core.apidoc import CASE_DATA
from ..core.schemas import AUTH, ApiErrorSchema
from ..timers.schemas import (
    CaseTimersSchema,
    MoveTimerSchema,
    OverdueArgsSchema,
    OverduePageSchema,
    StartScheduleSchema,
)
from ..timers.service import case_timers, fire_timer_now, move_timer, overdue_tasks, start_schedules
from ..tasks.service import business_keys_of
from .tasks import task_summary

blp = Blueprint(
    "timers",
    __name__,
    url_prefix="/api/v1",
    description="Timers: waiting timers of a case, overdue tasks, timer start schedules",
)
protect(blp)


def _case_timers(instance_id, actor) -> dict:
    instance, timers = case_timers(instance_id, actor)
    return {
        "process_instance_id": instance.id,
        "status": instance.status,
        "next_timer_due_at": instance.next_timer_due_at,
        "timers": timers,
    }


@blp.route("/process-instances/<process_instance_id>/timers")
class CaseTimers(MethodView):
    @blp.doc(security=AUTH)
    @blp.response(200, CaseTimersSchema)
    @blp.alt_response(403, schema=ApiErrorSchema, description="Needs the role beheerder")
    @blp.alt_response(404, schema=ApiErrorSchema, description="No such case, or not visible to the caller")
    @blp.errors(*CASE_DATA)
    def get(self, process_instance_id):
        """(beheerder) The waiting timers of a case, earliest first, with the due time the engine stored."""
        return _case_timers(process_instance_id, current_actor())


@blp.route("/process-instances/<process_instance_id>/timers/<task_id>/fire")
class FireTimer(MethodView):
    @blp.doc(security=AUTH)
    @blp.response(200, CaseTimersSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="The case is not running, or changed at the same moment")
    @blp.errors(
        (403, "Needs the role beheerder"), (404, "No such case, or no waiting timer with that task id"), *CASE_DATA
    )
    def post(self, process_instance_id, task_id):
        """(beheerder) Fire a waiting timer now: the case runs on as if it fell due (recorded in the audit trail).
        For a cycle, only this turn comes early; the following turns keep their times."""
        actor = current_actor()
        fire_timer_now(process_instance_id, task_id, actor)
        return _case_timers(process_instance_id, actor)


@blp.route("/process-instances/<process_instance_id>/timers/<task_id>/move")
class MoveTimer(MethodView):
    @blp.doc(security=AUTH)
    @blp.arguments(MoveTimerSchema)
    @blp.response(200, CaseTimersSchema)
    @blp.alt_response(422, schema=ApiErrorSchema, description="due_at missing, malformed or not in the future")
    @blp.alt_response(409, schema=ApiErrorSchema, description="The case is not running, or changed at the same moment")
    @blp.errors(
        (403, "Needs the role beheerder"), (404, "No such case, or no waiting timer with that task id"), *CASE_DATA
    )
    def post(self, body, process_instance_id, task_id):
        """(beheerder) Move a waiting timer's due time (recorded in the audit trail); the scheduler follows."""
        actor = current_actor()
        move_timer(process_instance_id, task_id, body["due_at"], actor)
        return _case_timers(process_instance_id, actor)


@blp.route("/timers/overdue-tasks")
class OverdueTasks(MethodView):
    @blp.doc(security=AUTH)
    @blp.arguments(OverdueArgsSchema, location="query")
    @blp.response(200, OverduePageSchema)
    @blp.alt_response(403, schema=ApiErrorSchema, description="Needs the role beheerder or procesbeheerder")
    def get(self, args):
        """(beheerder, procesbeheerder) Overdue open tasks of all cases, most overdue first, optionally of one
        role (candidate group) and municipality, with counts per role."""

        actor = current_actor()
        rows, total, by_role = overdue_tasks(actor, **args)
        keys = business_keys_of(rows)
        return {"total": total, "by_role": by_role, "items": [task_summary(t, keys) for t in rows]}


@blp.route("/timers/start-schedules")
class StartSchedules(MethodView):
    @blp.doc(security=AUTH)
    @blp.response(200, StartScheduleSchema(many=True))
    @blp.alt_response(403, schema=ApiErrorSchema, description="Needs the role beheerder or procesbeheerder")
    def get(self):
        """(beheerder, procesbeheerder) Processes with a timer start event: the schedule read from the diagram,
        the next occurrence that will start a case, and the last one that did."""
        return start_schedules(current_actor())
