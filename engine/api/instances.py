from flask.views import MethodView

from ..core.apidoc import Blueprint
from ..definitions.service import version_info
from ..identity.auth import current_actor, protect
from ..core.apidoc import CASE_DATA
from ..core.schemas import AUTH, ApiErrorSchema
from ..cases.schemas import (
    AuditEventSchema,
    CaseDetailSchema,
    CaseListArgsSchema,
    CasePageSchema,
    RetrySchema,
    StartCaseSchema,
)
from ..accesslog import service as accesslog
from ..search.service import find_cases
from ..cases.service import (
    case_by_id,
    case_history,
    case_variables_for,
    get_visible_case,
    retry_case,
    start_case,
)
from ..tasks.service import open_tasks_of

blp = Blueprint("instances", __name__, url_prefix="/api/v1/process-instances", description="Cases")
protect(blp)


def case_summary(instance) -> dict:
    version = version_info(instance.process_version_id)
    return {
        "id": instance.id,
        "process_id": instance.process_id,
        "version": version.version,
        "business_key": instance.business_key,
        "title": instance.title,
        "municipality_code": instance.municipality_code,
        "status": instance.status,
        "started_by": instance.started_by,
        "started_at": instance.started_at,
        "updated_at": instance.updated_at,
        "completed_at": instance.completed_at,
        "next_timer_due_at": instance.next_timer_due_at,
        "active_elements": instance.active_elements or [],
        "incident": instance.incident,
        "parent_process_instance_id": instance.parent_instance_id,
        "parent_instance_id": instance.parent_instance_id,  # deprecated name (docs/api.md, *Names*)
    }


def case_detail(instance, actor) -> dict:
    body = case_summary(instance)
    body["variables"] = case_variables_for(actor, instance)
    tasks = open_tasks_of(instance.id)
    body["open_tasks"] = [
        {
            "id": t.id,
            "name": t.name,
            "element_id": t.element_id,
            "candidate_groups": t.candidate_groups,
            "assignee": t.assignee,
            "due_at": t.due_at.isoformat() if t.due_at else None,
        }
        for t in tasks
    ]
    return body


@blp.route("")
class Cases(MethodView):
    @blp.doc(security=AUTH)
    @blp.arguments(StartCaseSchema)
    @blp.response(201, CaseDetailSchema)
    @blp.alt_response(422, schema=ApiErrorSchema, description="Variables fail the start form")
    @blp.errors((404, "No such process is deployed"), (409, "The business key is taken by another case"))
    def post(self, body):
        """Start a case of the latest version of a process."""
        actor = current_actor()
        row = start_case(body["process_id"], body["variables"], actor, body.get("business_key"))
        return case_detail(case_by_id(row.id), actor)

    @blp.doc(security=AUTH)
    @blp.arguments(CaseListArgsSchema, location="query")
    @blp.response(200, CasePageSchema)
    def get(self, args):
        """The cases the caller may see, with filters and search; newest first unless `sort` says otherwise."""
        actor = current_actor()
        limit, offset = args.pop("limit"), args.pop("offset")
        rows, total, exact = find_cases(actor, limit=limit, offset=offset, **args)
        return {"total": total, "total_exact": exact, "items": [case_summary(r) for r in rows]}


@blp.route("/<process_instance_id>")
class Case(MethodView):
    @blp.doc(security=AUTH)
    @blp.response(200, CaseDetailSchema)
    @blp.alt_response(404, schema=ApiErrorSchema, description="No such case, or not visible to the caller")
    @blp.errors(*CASE_DATA)
    def get(self, process_instance_id):
        """One case: status, active elements, open tasks, and the variables the caller may see."""
        actor = current_actor()
        return case_detail(get_visible_case(process_instance_id, actor), actor)


@blp.route("/<process_instance_id>/history")
class CaseHistory(MethodView):
    @blp.doc(security=AUTH)
    @blp.response(200, AuditEventSchema(many=True))
    @blp.errors((404, "No such case, or not visible to the caller"), *CASE_DATA)
    def get(self, process_instance_id):
        """The audit trail of a case: every transition with who, when, which element and which data keys."""
        actor = current_actor()
        instance = get_visible_case(process_instance_id, actor)
        accesslog.record_read(actor, instance.id, accesslog.API, "case.history", [accesslog.AUDIT])
        return case_history(instance)


@blp.route("/<process_instance_id>/retry")
class CaseRetry(MethodView):
    @blp.doc(security=AUTH)
    @blp.arguments(RetrySchema)
    @blp.response(200, CaseDetailSchema)
    @blp.errors(
        (404, "No such case, or the caller does not administer cases"),
        (409, "The case is not in the error state"),
        *CASE_DATA,
    )
    def post(self, body, process_instance_id):
        """(beheerder) Retry a case in the error state, after setting corrected variables on the failed task."""
        actor = current_actor()
        row = retry_case(process_instance_id, body["variables"], actor)
        return case_detail(case_by_id(row.id), actor)
