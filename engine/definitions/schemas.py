from flask_smorest.fields import Upload
from marshmallow import Schema, fields


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


class DeploymentProblemSchema(Schema):
    file = fields.String()
    line = fields.Integer(allow_none=True)
    element_id = fields.String(allow_none=True)
    message = fields.String()


class DeploymentErrorSchema(Schema):
    code = fields.String()
    message = fields.String()
    errors = fields.List(fields.Nested(DeploymentProblemSchema))


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
