from marshmallow import Schema, fields, validate

from ..identity.roles import ROLES
from ..instances.models import STATUSES as CASE_STATUSES
from ..core.schemas import DeprecatedAliases, PageArgsSchema, deprecated
from ..instances.task_rows import CANCELLED, COMPLETED, OPEN


class TaskListArgsSchema(PageArgsSchema, DeprecatedAliases):
    ALIASES = {"instance_id": "process_instance_id"}
    process_id = fields.String()
    process_instance_id = fields.String(metadata={"description": "Only the tasks of this case"})
    instance_id = deprecated("process_instance_id")
    overdue = fields.Boolean(load_default=False)
    assigned = fields.String(validate=validate.OneOf(["me", "none"]))
    candidate_group = fields.String(validate=validate.OneOf(list(ROLES)))


class TaskSchema(Schema):
    id = fields.String()
    name = fields.String()
    element_id = fields.String()
    process_id = fields.String()
    process_instance_id = fields.String(attribute="instance_id")
    business_key = fields.String()
    municipality_code = fields.String(allow_none=True)
    candidate_groups = fields.List(fields.String())
    assignee = fields.String(allow_none=True)
    due_at = fields.DateTime(allow_none=True)
    overdue = fields.Boolean()
    priority = fields.Integer(
        metadata={
            "description": "camunda:priority of the user task, 0-100 (50 when the "
            "model sets none; 75 and higher is urgent)"
        }
    )
    urgent = fields.Boolean()
    created_at = fields.DateTime()
    status = fields.String(validate=validate.OneOf([OPEN, COMPLETED, CANCELLED]))


class TaskPageSchema(Schema):
    total = fields.Integer()
    items = fields.List(fields.Nested(TaskSchema))


class TaskDetailSchema(TaskSchema):
    form = fields.Dict(allow_none=True)
    data = fields.Dict()


class CompleteTaskSchema(Schema):
    variables = fields.Dict(keys=fields.String(), load_default=dict)


class CompletionSchema(Schema):
    task_id = fields.String()
    process_instance_id = fields.String()
    instance_status = fields.String(validate=validate.OneOf(CASE_STATUSES))
    incident = fields.Dict(allow_none=True)
    next_tasks = fields.List(fields.Nested(TaskSchema))
