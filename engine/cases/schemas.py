from marshmallow import Schema, fields, validate

from ..core.schemas import PageArgsSchema, deprecated
from ..instances.models import STATUSES
from .service import SORTS


class StartCaseSchema(Schema):
    process_id = fields.String(required=True)
    variables = fields.Dict(keys=fields.String(), load_default=dict)
    business_key = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=120))


class CaseListArgsSchema(PageArgsSchema):
    process_id = fields.String()
    status = fields.String(validate=validate.OneOf(STATUSES))
    municipality_code = fields.String()
    business_key = fields.String()
    q = fields.String(
        validate=validate.Length(min=1, max=100),
        data_key="q",
        attribute="text",
        metadata={"description": "Part of the business key or a word of the title, in any case"},
    )
    started_from = fields.AwareDateTime(metadata={"description": "Opened at or after (RFC 3339 with offset)"})
    started_before = fields.AwareDateTime(metadata={"description": "Opened before (RFC 3339 with offset)"})
    office_holder_role = fields.String(
        validate=validate.Length(max=40),
        metadata={"description": "The threatened office holder's role (burgemeester, wethouder, raadslid, ...)"},
    )
    open_task = fields.String(
        validate=validate.Length(max=200),
        metadata={"description": "The stage: the element id of a task open in the case"},
    )
    sort = fields.String(
        load_default="-started_at",
        validate=validate.OneOf(SORTS),
        metadata={
            "description": "started_at, updated_at or business_key; a leading - for descending (default -started_at)"
        },
    )


class CaseSchema(Schema):
    id = fields.String()
    process_id = fields.String()
    version = fields.Integer()
    business_key = fields.String()
    title = fields.String()
    municipality_code = fields.String(allow_none=True)
    status = fields.String(validate=validate.OneOf(STATUSES))
    started_by = fields.String()
    started_at = fields.DateTime()
    updated_at = fields.DateTime()
    completed_at = fields.DateTime(allow_none=True)
    next_timer_due_at = fields.DateTime(allow_none=True)
    active_elements = fields.List(fields.String())
    incident = fields.Dict(allow_none=True)
    parent_process_instance_id = fields.String(
        allow_none=True, metadata={"description": "The case that started this one (a call activity), if any"}
    )
    parent_instance_id = deprecated("parent_process_instance_id", allow_none=True)


class CaseDetailSchema(CaseSchema):
    variables = fields.Dict()
    open_tasks = fields.List(fields.Dict())


class CasePageSchema(Schema):
    total = fields.Integer(
        metadata={
            "description": "How many cases match, when `total_exact`; else the count "
            "stopped there and more match (it stops past 1,000, or past "
            "the page when that lies further)"
        }
    )
    total_exact = fields.Boolean(metadata={"description": "false: more than `total` cases match"})
    items = fields.List(fields.Nested(CaseSchema))


class AuditEventSchema(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    actor = fields.String()
    event = fields.String()
    element_id = fields.String(allow_none=True)
    element_name = fields.String(allow_none=True)
    task_id = fields.String(allow_none=True)
    data_keys = fields.List(fields.String())
    details = fields.Dict()


class RetrySchema(Schema):
    variables = fields.Dict(keys=fields.String(), load_default=dict)
