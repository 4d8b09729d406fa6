from flask import jsonify
from flask.views import MethodView

from ..core.apidoc import Blueprint
from ..cases.service import case_by_id, case_variables_for
from ..identity.auth import current_actor, protect
from ..core.apidoc import CASE_DATA
from ..core.schemas import AUTH, ApiErrorSchema
from ..core.timeutil import as_utc, utcnow
from ..definitions.bpmn_model import NORMAL_PRIORITY, URGENT_PRIORITY
from ..instances.task_rows import OPEN, HumanTask
from ..tasks.schemas import (
    CompleteTaskSchema,
    CompletionSchema,
    TaskDetailSchema,
    TaskListArgsSchema,
    TaskPageSchema,
    TaskSchema,
)
from ..tasks.service import (
    business_keys_of,
    claim,
    complete_with_next,
    get_visible_task,
    list_tasks,
    task_form,
    unclaim,
)

blp = Blueprint("tasks", __name__, url_prefix="/api/v1/tasks", description="User tasks (the inbox)")
protect(blp)


def task_summary(task: HumanTask, business_keys: dict | None = None) -> dict:
    if business_keys is None or task.instance_id not in business_keys:
        business_keys = business_keys_of([task])
    key = business_keys.get(task.instance_id)
    due = as_utc(task.due_at)
    return {
        "id": task.id,
        "name": task.name,
        "element_id": task.element_id,
        "process_id": task.process_id,
        "instance_id": task.instance_id,
        "business_key": key,
        "municipality_code": task.municipality_code,
        "candidate_groups": task.candidate_groups or [],
        "assignee": task.assignee,
        "due_at": due,
        "overdue": bool(due and task.status == OPEN and due < utcnow()),
        "priority": task.priority,
        "urgent": task.urgent,
        "created_at": task.created_at,
        "status": task.status,
    }


def task_json(summary: dict) -> dict:
    """What TaskSchema dumps for a `task_summary`, built directly: the task list and a completion's next tasks
    send many, and marshmallow took about half of GET /api/v1/tasks (make bench-http --profile).
    tests/tasks/test_task_json.py holds it to the schema."""
    due, created = summary["due_at"], summary["created_at"]
    return {
        "id": summary["id"],
        "name": summary["name"],
        "element_id": summary["element_id"],
        "process_id": summary["process_id"],
        "process_instance_id": summary["instance_id"],
        "business_key": summary["business_key"],
        "municipality_code": summary["municipality_code"],
        "candidate_groups": list(summary["candidate_groups"]),
        "assignee": summary["assignee"],
        "due_at": due.isoformat() if due is not None else None,
        "overdue": summary["overdue"],
        "priority": summary["priority"],
        "urgent": summary["urgent"],
        "created_at": created.isoformat() if created is not None else None,
        "status": summary["status"],
    }


def row_summary(row: dict, business_key: str | None) -> dict:
    """`task_summary` of a task row as a step wrote it (`tasks/derive.py`), before it is read back."""
    due = as_utc(row["due_at"])
    priority = row["priority"] if row["priority"] is not None else NORMAL_PRIORITY
    return {
        "id": row["id"],
        "name": row["name"],
        "element_id": row["element_id"],
        "process_id": row["process_id"],
        "instance_id": row["instance_id"],
        "business_key": business_key,
        "municipality_code": row["municipality_code"],
        "candidate_groups": row["candidate_groups"] or [],
        "assignee": row["assignee"],
        "due_at": due,
        "overdue": bool(due and row["status"] == OPEN and due < utcnow()),
        "priority": priority,
        "urgent": (priority or NORMAL_PRIORITY) >= URGENT_PRIORITY,
        "created_at": as_utc(row["created_at"]),
        "status": row["status"],
    }


@blp.route("")
class Tasks(MethodView):
    @blp.doc(security=AUTH)
    @blp.arguments(TaskListArgsSchema, location="query")
    @blp.response(200, TaskPageSchema)
    def get(self, args):
        """The caller's open tasks: assigned to them, or unclaimed for one of their roles (and municipality).
        Sorted by due date; `overdue=true` lists only overdue ones."""
        actor = current_actor()
        limit, offset = args.pop("limit"), args.pop("offset")
        rows, total = list_tasks(
            actor, limit=limit, offset=offset, instance_id=args.pop("process_instance_id", None), **args
        )
        return jsonify({"total": total, "items": [task_json(row_summary(row, key)) for row, key in rows]})


@blp.route("/<task_id>")
class Task(MethodView):
    @blp.doc(security=AUTH)
    @blp.response(200, TaskDetailSchema)
    @blp.alt_response(404, schema=ApiErrorSchema, description="No such task, or not visible to the caller")
    @blp.errors(*CASE_DATA)
    def get(self, task_id):
        """One task with its form definition and the current case data to prefill it."""
        actor = current_actor()
        task = get_visible_task(task_id, actor)
        body = task_summary(task)
        form = task_form(task)
        body["form"] = form.schema if form else None
        instance = case_by_id(task.instance_id)
        body["data"] = case_variables_for(
            actor, instance, activity="task.read", purpose=f"Taak / task {task.element_id}"
        )
        return body


@blp.route("/<task_id>/claim")
class Claim(MethodView):
    @blp.doc(security=AUTH)
    @blp.response(200, TaskSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="Claimed by someone else, or no longer open")
    @blp.errors((404, "No such task, or the caller may not work it"))
    def post(self, task_id):
        """Claim a task: it is then assigned to the caller and leaves the others' inboxes."""
        return task_summary(claim(task_id, current_actor()))


@blp.route("/<task_id>/unclaim")
class Unclaim(MethodView):
    @blp.doc(security=AUTH)
    @blp.response(200, TaskSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="Claimed by someone else, or no longer open")
    @blp.errors((404, "No such task, or the caller may not work it"))
    def post(self, task_id):
        """Release a claimed task back to its candidate groups."""
        return task_summary(unclaim(task_id, current_actor()))


@blp.route("/<task_id>/complete")
class Complete(MethodView):
    @blp.doc(security=AUTH)
    @blp.arguments(CompleteTaskSchema)
    @blp.response(200, CompletionSchema)
    @blp.alt_response(422, schema=ApiErrorSchema, description="Form data invalid; errors name each field")
    @blp.alt_response(409, schema=ApiErrorSchema, description="No longer open, or claimed by another user")
    @blp.errors((404, "No such task, or the caller may not work it"), *CASE_DATA)
    def post(self, body, task_id):
        """Complete a task with the form's variables; they are validated against the task's form first."""
        actor = current_actor()
        instance, written = complete_with_next(task_id, body["variables"], actor)
        if written is not None:  # the step's own rows are all the case's open tasks
            next_tasks = [task_json(row_summary(row, instance.business_key)) for row in written]
        else:
            rows, _ = list_tasks(actor, instance_id=instance.id)
            next_tasks = [task_json(row_summary(row, key)) for row, key in rows]
        return jsonify(
            {
                "task_id": task_id,
                "process_instance_id": instance.id,
                "instance_status": instance.status,
                "incident": instance.incident,
                "next_tasks": next_tasks,
            }
        )
