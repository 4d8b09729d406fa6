from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from ..core.schemas import ApiErrorSchema


class DeploymentFilesSchema(Schema):
    files = fields.List(Upload(), required=True, metadata={"description": "One or more .bpmn, .dmn or .form files"})


class DeployedFileSchema(Schema):
    file = fields.String()
    kind = fields.String()
    key = fields.String()
    version = fields.Integer()
    status = fields.String(metadata={"description": "new, new_version or unchanged"})


class DeployedProcessSchema(Schema):
    process_id = fields.String()
    version = fields.Integer()
    status = fields.String()


class DeploymentSchema(Schema):
    id = fields.Integer()
    created_at = fields.DateTime()
    created_by = fields.String()
    files = fields.List(fields.Nested(DeployedFileSchema))
    processes = fields.List(fields.Nested(DeployedProcessSchema))
    approval = fields.Dict(
        metadata={
            "description": "The second person's approval this deployment used, with what "
            "it lowered (absent when nothing was lowered)"
        }
    )


class DeploymentProblemSchema(Schema):
    file = fields.String()
    line = fields.Integer(allow_none=True)
    element_id = fields.String(allow_none=True)
    message = fields.String()


class DeploymentErrorSchema(ApiErrorSchema):
    """A 422 of a deployment: `errors` lists the problems per file, or (no files in the upload) names the field."""

    errors = fields.Raw(
        metadata={
            "oneOf": [
                {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "file": {"type": "string"},
                            "line": {"type": "integer", "nullable": True},
                            "element_id": {"type": "string", "nullable": True},
                            "message": {"type": "string"},
                        },
                    },
                },
                {"type": "object", "additionalProperties": True, "description": 'e.g. {"files": {"files": [...]}}'},
            ]
        }
    )


class ProcessDefinitionSchema(Schema):
    process_id = fields.String()
    name = fields.String()
    version = fields.Integer()
    version_id = fields.Integer(attribute="id")
    executable = fields.Boolean()
    deployment_id = fields.Integer()
    created_at = fields.DateTime()
    can_start = fields.Boolean()
    start_form = fields.Raw(allow_none=True)
    timer_start = fields.List(fields.Raw())


class ProcessVersionSchema(Schema):
    version = fields.Integer()
    version_id = fields.Integer(attribute="id")
    deployment_id = fields.Integer()
    created_at = fields.DateTime()
    executable = fields.Boolean()


class ProcessXmlSchema(Schema):
    process_id = fields.String()
    version = fields.Integer()
    file_name = fields.String()
    xml = fields.String()


class ApprovalSchema(Schema):
    id = fields.Integer()
    processes = fields.List(fields.String())
    changes = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "process id -> what its new version lowers"},
    )
    status = fields.String(validate=validate.OneOf(["pending", "approved", "refused", "used"]))
    requested_by = fields.String()
    requested_at = fields.DateTime()
    decided_by = fields.String(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    reason = fields.String(allow_none=True)
    deployment_id = fields.Integer(allow_none=True)


class ApprovalArgsSchema(Schema):
    status = fields.String(validate=validate.OneOf(["pending", "approved", "refused", "used"]))


class RefusalSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))
