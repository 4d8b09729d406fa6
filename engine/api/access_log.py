"""`GET /api/v1/process-instances/{id}/access-log` (privacy officer, the office holder) and
`GET /api/v1/access-log` (privacy officer: search by user and period, CSV export)."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from ..core.apidoc import Blueprint
from ..core.errors import Forbidden, NotFound
from ..access import policy
from ..identity.auth import current_actor, protect
from ..cases.service import case_with_readable_log
from ..core.schemas import AUTH, ApiErrorSchema, DeprecatedAliases, PageArgsSchema, deprecated
from ..accesslog import service

blp = Blueprint(
    "access_log",
    __name__,
    url_prefix="/api/v1",
    description="The read log: who read which case's personal data (privacy officer, office holder)",
)
protect(blp)


class AccessLogEntrySchema(Schema):
    at = fields.DateTime()
    username = fields.String()
    roles = fields.String()
    organisation = fields.String()
    process_instance_id = fields.String()
    instance_id = deprecated("process_instance_id")
    channel = fields.String(metadata={"description": "api, page or export"})
    activity = fields.String(metadata={"description": "case.read, case.history, task.read, case.operate"})
    purpose = fields.String()
    categories = fields.List(fields.String(), metadata={"description": "ordinary, sensitive, audit_trail"})
    trace_id = fields.String()


class AccessLogPageSchema(Schema):
    total = fields.Integer()
    items = fields.List(fields.Nested(AccessLogEntrySchema))


class AccessLogSearchArgsSchema(PageArgsSchema, DeprecatedAliases):
    ALIASES = {"instance_id": "process_instance_id"}
    username = fields.String(validate=validate.Length(max=120))
    since = fields.AwareDateTime(metadata={"description": "from (inclusive), ISO 8601 with offset"})
    until = fields.AwareDateTime(metadata={"description": "until (exclusive)"})
    process_instance_id = fields.String(validate=validate.Length(max=36), metadata={"description": "one case"})
    instance_id = deprecated("process_instance_id", validate=validate.Length(max=36))
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv"]))


@blp.route("/process-instances/<process_instance_id>/access-log")
class CaseAccessLog(MethodView):
    @blp.doc(security=AUTH)
    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, AccessLogPageSchema)
    @blp.alt_response(404, schema=ApiErrorSchema, description="No such case, or the caller may not read its log")
    def get(self, args, process_instance_id):
        """Who read this case's data, newest first: for the privacy officer and the office holder it is about."""
        actor = current_actor()
        instance = case_with_readable_log(process_instance_id, actor)
        if instance is None:
            raise NotFound("No such case.")
        rows, total = service.entries_for_case(instance.id, args["limit"], args["offset"])
        return {"total": total, "items": [service.as_dict(r) for r in rows]}


@blp.route("/access-log")
class AccessLogSearch(MethodView):
    @blp.doc(security=AUTH)
    @blp.arguments(AccessLogSearchArgsSchema, location="query")
    @blp.response(200, AccessLogPageSchema, description="The page as JSON, or with `format=csv` as CSV")
    @blp.doc(
        responses={
            "200": {
                "description": "The page as JSON, or with `format=csv` as CSV",
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/AccessLogPage"}},
                    "text/csv": {"schema": {"type": "string"}},
                },
                "headers": {
                    "X-Total-Count": {
                        "description": "CSV: the number of entries that match (the file holds one page)",
                        "schema": {"type": "integer"},
                    }
                },
            }
        }
    )
    @blp.alt_response(403, schema=ApiErrorSchema, description="Only the privacy officer searches the read log")
    def get(self, args):
        """(privacy) Search the read log by user, period and case; `format=csv` exports the page as CSV."""
        if not policy.can_search_access_log(current_actor()):
            raise Forbidden("Only the privacy officer (role privacy) searches the read log.")
        rows, total = service.search(
            args.get("username"),
            args.get("since"),
            args.get("until"),
            args.get("process_instance_id"),
            args["limit"],
            args["offset"],
        )
        if args["format"] == "csv":
            return Response(
                service.as_csv(rows),
                mimetype="text/csv",
                headers={"Content-Disposition": "attachment; filename=leeslog.csv", "X-Total-Count": str(total)},
            )
        return {"total": total, "items": [service.as_dict(r) for r in rows]}
