"""The operations JSON API under /api/v1/operations: beheerder and procesbeheerder read; beheerder acts."""

from __future__ import annotations

from flask.views import MethodView

from ..core.apidoc import CASE_DATA, Blueprint
from ..access import policy
from ..cases.service import case_by_id, retry_case
from ..core.schemas import AUTH
from ..identity.auth import current_actor
from ..studio.access import protect_api
from ..operations import service
from ..operations.heatmap import heatmap
from ..operations.schemas import (
    HeatmapArgsSchema,
    HeatmapSchema,
    OperationsCaseArgsSchema,
    OperationsCasePageSchema,
    OperationsCaseSchema,
    ReasonSchema,
    RetryArgsSchema,
)

blp = Blueprint(
    "operations",
    __name__,
    url_prefix="/api/v1/operations",
    description="Operating cases: filters, incidents, suspend/resume/cancel, heatmap",
)
protect_api(blp, policy.can_oversee)


@blp.route("/cases")
class Cases(MethodView):
    @blp.doc(security=AUTH)
    @blp.arguments(OperationsCaseArgsSchema, location="query")
    @blp.response(200, OperationsCasePageSchema)
    def get(self, args):
        """Cases with filters on process, version, status, municipality and age (days since the start)."""
        limit, offset = args.pop("limit"), args.pop("offset")
        rows, total = service.list_cases(current_actor(sessions=True), limit=limit, offset=offset, **args)
        return {"total": total, "items": [service.case_summary(i, v) for i, v in rows]}


@blp.route("/incidents")
class Incidents(MethodView):
    @blp.doc(security=AUTH)
    @blp.response(200, OperationsCaseSchema(many=True))
    def get(self):
        """Cases in the error state, with the element, line and message of their incident."""
        return [service.case_summary(i) for i in service.list_incidents(current_actor(sessions=True))]


def _action(name: str, action):
    @blp.route(f"/cases/<process_instance_id>/{name}", endpoint=f"case_{name}")
    class CaseAction(MethodView):
        @blp.doc(security=AUTH, summary=f"(beheerder) {name.capitalize()} a case, with a reason for the audit trail")
        @blp.arguments(ReasonSchema)
        @blp.response(200, OperationsCaseSchema)
        @blp.errors((409, "The case is not in a state that allows this (`status` says which it is in)"), *CASE_DATA)
        def post(self, body, process_instance_id):
            row = action(process_instance_id, body["reason"], current_actor(sessions=True))

            return service.case_summary(case_by_id(row.id))

    return CaseAction


_action("suspend", service.suspend)
_action("resume", service.resume)
_action("cancel", service.cancel)


@blp.route("/cases/<process_instance_id>/retry")
class Retry(MethodView):
    @blp.doc(security=AUTH)
    @blp.arguments(RetryArgsSchema)
    @blp.response(200, OperationsCaseSchema)
    @blp.errors(
        (404, "No such case, or the caller does not administer cases"),
        (409, "The case is not in the error state (`status` says which it is in)"),
        *CASE_DATA,
    )
    def post(self, body, process_instance_id):
        """(beheerder) Retry a case after an incident, with corrected variables."""

        row = retry_case(process_instance_id, body["variables"], current_actor(sessions=True))
        return service.case_summary(case_by_id(row.id))


@blp.route("/heatmap/<process_id>")
class Heatmap(MethodView):
    @blp.doc(security=AUTH)
    @blp.arguments(HeatmapArgsSchema, location="query")
    @blp.response(200, HeatmapSchema)
    def get(self, args, process_id):
        """Per element: cases there now and the median time spent there."""
        return heatmap(process_id, args.get("version"))
