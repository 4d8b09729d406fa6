from marshmallow import Schema, fields, validate

from ..core.schemas import ApiErrorSchema


class FileContentSchema(Schema):
    content = fields.String(required=True, validate=validate.Length(max=5 * 1024 * 1024))


class NewFileSchema(FileContentSchema):
    file_name = fields.String(required=True, validate=validate.Length(min=1, max=255))


class OverrideSchema(Schema):
    file_name = fields.String(required=True, validate=validate.Length(min=1, max=255))
    content = fields.String(required=True, validate=validate.Length(max=5 * 1024 * 1024))


class ValidateSchema(Schema):
    files = fields.List(
        fields.Nested(OverrideSchema),
        load_default=list,
        metadata={"description": "Unsaved texts to judge instead of the saved ones"},
    )


class RunTestsSchema(ValidateSchema):
    only = fields.String(load_default=None, allow_none=True, metadata={"description": "One test file name"})


class DeploySchema(Schema):
    files = fields.List(
        fields.String(),
        load_default=None,
        allow_none=True,
        metadata={"description": "Draft file names to deploy; all drafts when left out"},
    )


class WorkspaceFileSchema(Schema):
    file_name = fields.String()
    kind = fields.String()
    deployed_version = fields.Integer(allow_none=True)
    draft = fields.Boolean()
    updated_by = fields.String(allow_none=True)
    updated_at = fields.DateTime(allow_none=True)
    processes = fields.List(fields.Dict())


class FileDetailSchema(Schema):
    file_name = fields.String()
    kind = fields.String()
    content = fields.String()
    draft = fields.Boolean()
    deployed_version = fields.Integer(allow_none=True)
    deployed_content = fields.String(allow_none=True)


class FindingSchema(Schema):
    file = fields.String()
    line = fields.Integer(allow_none=True)
    element_id = fields.String(allow_none=True)
    message = fields.String()
    severity = fields.String(metadata={"description": "error (blocks a deployment) or warning"})
    check = fields.String()


class ValidationReportSchema(Schema):
    valid = fields.Boolean()
    errors = fields.List(fields.Nested(FindingSchema))
    warnings = fields.List(fields.Nested(FindingSchema))
    saved = fields.Boolean()
    draft = fields.Boolean()


class ScenarioResultSchema(Schema):
    file = fields.String()
    process_id = fields.String()
    name = fields.String()
    passed = fields.Boolean()
    reasons = fields.List(fields.String())
    path = fields.List(fields.String())
    end = fields.String()
    waiting_at = fields.List(fields.String())


class TestReportSchema(ValidationReportSchema):
    ran = fields.Boolean()
    passed = fields.Boolean()
    results = fields.List(fields.Nested(ScenarioResultSchema))


class StudioDeployErrorSchema(ApiErrorSchema):
    """A 422 of a studio deployment: the stage that stopped it and what it found; nothing was deployed."""

    stage = fields.String(
        validate=validate.OneOf(["validation", "tests"]),
        metadata={
            "description": "validation: `errors` and `warnings` list the findings; tests: `tests` holds every "
            "scenario result (absent when there was nothing to deploy)"
        },
    )
    # the findings of the validation stage; or, for a request the studio cannot deploy at all (a file that is no
    # changed draft, a body that is not valid), the fields and their messages
    errors = fields.Raw(
        metadata={
            "oneOf": [
                {"type": "array", "items": {"$ref": "#/components/schemas/Finding"}},
                {
                    "type": "object",
                    "additionalProperties": True,
                    "description": "each field and its messages (for `files`: the names that are no changed draft)",
                },
            ]
        }
    )
    warnings = fields.List(fields.Nested(FindingSchema))
    tests = fields.List(fields.Nested(ScenarioResultSchema))


class StudioDeploymentSchema(Schema):
    id = fields.Integer()
    created_at = fields.DateTime()
    created_by = fields.String()
    files = fields.List(fields.Dict())
    processes = fields.List(fields.Dict())
    tests = fields.List(fields.Nested(ScenarioResultSchema))
    warnings = fields.List(fields.Nested(FindingSchema))


class VersionSchema(Schema):
    version = fields.Integer()
    version_id = fields.Integer()
    name = fields.String()
    deployment_id = fields.Integer()
    created_by = fields.String()
    source = fields.String()
    created_at = fields.DateTime()
    elements = fields.Dict(metadata={"description": "added, removed and changed elements since the version before"})
    files = fields.List(fields.Dict(), metadata={"description": "decision and form files whose version changed"})
    file_list = fields.List(fields.Dict())
