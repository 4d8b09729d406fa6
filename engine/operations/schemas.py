from marshmallow import Schema, fields, validate

from ..instances.models import STATUSES
from ..cases.schemas import CaseSchema
from ..core.schemas import MAX_DAYS, MAX_VERSION, PageArgsSchema


class OperationsCaseArgsSchema(PageArgsSchema):
    process_id = fields.String()
    version = fields.Integer(validate=validate.Range(min=1, max=MAX_VERSION))
    status = fields.String(validate=validate.OneOf(STATUSES))
    municipality_code = fields.String(validate=validate.Regexp(r"^[Gg][Mm]\d{4}$", error="A CBS code such as GM0668."))
    min_age_days = fields.Integer(
        validate=validate.Range(min=0, max=MAX_DAYS), metadata={"description": "started at least this many days ago"}
    )
    max_age_days = fields.Integer(
        validate=validate.Range(min=0, max=MAX_DAYS), metadata={"description": "started at most this many days ago"}
    )


class ReasonSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class RetryArgsSchema(Schema):
    variables = fields.Dict(keys=fields.String(), load_default=dict)


class OperationsCaseSchema(CaseSchema):
    """A case in the operations lists: the fields of the case API."""


class OperationsCasePageSchema(Schema):
    total = fields.Integer()
    items = fields.List(fields.Nested(OperationsCaseSchema))


class HeatmapArgsSchema(Schema):
    version = fields.Integer(
        validate=validate.Range(min=1, max=MAX_VERSION), metadata={"description": "one version; all when left out"}
    )


class HeatmapSchema(Schema):
    process_id = fields.String()
    name = fields.String()
    version = fields.Integer(metadata={"description": "the version whose diagram is shown"})
    all_versions = fields.Boolean()
    versions = fields.List(fields.Integer())
    xml = fields.String()
    elements = fields.Dict(metadata={"description": "{element id: {now, median_seconds, samples, type}}"})
    max_now = fields.Integer()
