from marshmallow import Schema, fields, validate

from ..schemas import PageArgsSchema, deprecated
from .models import STATUSES


class StartCaseSchema(Schema):
    process_id = fields.String(required=True)
    variables = fields.Dict(keys=fields.String(), load_default=dict)
    business_key = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=120))


class CaseListArgsSchema(PageArgsSchema):
    process_id = fields.String()
    status = fields.String(validate=validate.OneOf(STATUSES))
    municipality_code = fields.String()
    business_key = fields.String()


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
    parent_process_instance_id = fields.String(allow_none=True, metadata={
        "description": "The case that started this one (a call activity), if any"})
    parent_instance_id = deprecated("parent_process_instance_id", allow_none=True)


class CaseDetailSchema(CaseSchema):
    variables = fields.Dict()
    open_tasks = fields.List(fields.Dict())


class CasePageSchema(Schema):
    total = fields.Integer()
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
