from marshmallow import Schema, fields, validate

from ..identity.roles import ROLES
from ..runtime.script_helpers import LOCAL_ZONE
from ..core.schemas import PageArgsSchema
from ..tasks.schemas import TaskSchema


class WaitingTimerSchema(Schema):
    task_id = fields.String(metadata={"description": "The engine's task id of the waiting timer event"})
    element_id = fields.String()
    element_name = fields.String()
    element_type = fields.String(metadata={"description": "StartEvent, IntermediateCatchEvent, BoundaryEvent, ..."})
    kind = fields.String(metadata={"description": "timeDuration, timeDate or timeCycle"})
    expression = fields.String(metadata={"description": "The timer definition as the engine evaluates it"})
    due_at = fields.DateTime(allow_none=True)
    interrupting = fields.Boolean(allow_none=True, metadata={"description": "Boundary events only"})
    remaining_cycles = fields.Integer(allow_none=True, metadata={"description": "Cycles only; null: no end"})


class CaseTimersSchema(Schema):
    process_instance_id = fields.String()
    status = fields.String()
    next_timer_due_at = fields.DateTime(allow_none=True)
    timers = fields.List(fields.Nested(WaitingTimerSchema))


class MoveTimerSchema(Schema):
    due_at = fields.AwareDateTime(
        required=True,
        default_timezone=LOCAL_ZONE,
        metadata={
            "description": "The new due time (ISO-8601; without an offset it is Dutch local time); must be in the future"
        },
    )


class OverdueArgsSchema(PageArgsSchema):
    candidate_group = fields.String(validate=validate.OneOf(list(ROLES)))
    municipality_code = fields.String(validate=validate.Regexp(r"^GM\d{4}$", error="Use a CBS code such as GM0668."))


class OverduePageSchema(Schema):
    total = fields.Integer()
    by_role = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "Overdue open tasks per candidate group (all municipalities or the one filtered on)"},
    )
    items = fields.List(fields.Nested(TaskSchema))


class StartScheduleSchema(Schema):
    process_id = fields.String()
    element_id = fields.String()
    kind = fields.String()
    text = fields.String()
    version_id = fields.Integer()
    next_occurrence = fields.DateTime(allow_none=True)
    last_occurrence = fields.DateTime(allow_none=True)
    last_business_key = fields.String(allow_none=True)
    error = fields.String(allow_none=True)
