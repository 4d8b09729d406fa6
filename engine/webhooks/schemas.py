from marshmallow import Schema, fields, validate

from ..core.schemas import PageArgsSchema, deprecated
from .models import DELIVERED, DUPLICATE, GAVE_UP, OUTCOMES, PENDING, PROCESSING


class InboundResultSchema(Schema):
    outcome = fields.String(
        validate=validate.OneOf([*OUTCOMES, DUPLICATE]),
        metadata={"description": "started, correlated, buffered or duplicate"},
    )
    first_outcome = fields.String(
        validate=validate.OneOf(OUTCOMES),
        metadata={"description": "for a duplicate: the outcome of the first delivery"},
    )
    delivery_id = fields.Integer()
    webhook_id = fields.String()
    source = fields.String()
    event_type = fields.String()
    process_instance_id = fields.String(allow_none=True)
    case_id = deprecated("process_instance_id", allow_none=True)
    business_key = fields.String(
        allow_none=True, metadata={"description": "the case reference to send with later events"}
    )


class BufferStateSchema(Schema):
    state = fields.String(validate=validate.OneOf(["waiting", "delivered", "expired"]))
    expires_at = fields.DateTime()
    delivered_at = fields.DateTime(allow_none=True)
    process_instance_id = fields.String(allow_none=True)
    case_id = deprecated("process_instance_id", allow_none=True)


class InboundDeliverySchema(Schema):
    id = fields.Integer()
    source = fields.String()
    webhook_id = fields.String()
    event_type = fields.String()
    outcome = fields.String(validate=validate.OneOf([*OUTCOMES, PROCESSING]))
    process_instance_id = fields.String(attribute="instance_id", allow_none=True)
    case_id = deprecated("process_instance_id", source="instance_id", allow_none=True)
    business_key = fields.String(allow_none=True)
    error = fields.Dict(allow_none=True)
    attempts = fields.Integer()
    received_at = fields.DateTime()
    processed_at = fields.DateTime(allow_none=True)
    replayed_by = fields.String(allow_none=True)
    buffer = fields.Nested(BufferStateSchema, allow_none=True)


class InboundDeliveryArgsSchema(PageArgsSchema):
    source = fields.String()
    event_type = fields.String()
    outcome = fields.String(validate=validate.OneOf(OUTCOMES))


class InboundDeliveryPageSchema(Schema):
    total = fields.Integer()
    items = fields.List(fields.Nested(InboundDeliverySchema))


class EventRouteSchema(Schema):
    event_type = fields.String()
    description = fields.String()
    action = fields.String()
    process_id = fields.String()
    message_name = fields.String()
    correlation_key = fields.String()
    variables = fields.Dict(keys=fields.String(), values=fields.String())
    constants = fields.Dict(keys=fields.String(), metadata={"description": "fixed values the route sets"})


class SourceSchema(Schema):
    source = fields.String()
    description = fields.String()
    file = fields.String()
    secret_env = fields.String()
    configured = fields.Boolean(metadata={"description": "whether the secret variable is set on this server"})
    url = fields.String()
    events = fields.List(fields.Nested(EventRouteSchema))


class EventTypeSchema(Schema):
    event_type = fields.String()
    description = fields.String()


_MUNICIPALITY = validate.Regexp(r"^GM\d{4}$", error="A CBS code such as GM0668.")


class SubscriptionCreateSchema(Schema):
    url = fields.Url(required=True, schemes={"http", "https"}, require_tld=False, validate=validate.Length(max=2000))
    event_types = fields.List(fields.String(), required=True, validate=validate.Length(min=1))
    secret = fields.String(load_default=None, metadata={"description": "whsec_... (generated when omitted)"})
    description = fields.String(load_default="", validate=validate.Length(max=300))
    process_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=200))
    municipality_code = fields.String(load_default=None, allow_none=True, validate=_MUNICIPALITY)
    active = fields.Boolean(load_default=True)


class SubscriptionUpdateSchema(Schema):
    url = fields.Url(schemes={"http", "https"}, require_tld=False, validate=validate.Length(max=2000))
    event_types = fields.List(fields.String(), validate=validate.Length(min=1))
    secret = fields.String()
    description = fields.String(validate=validate.Length(max=300))
    process_id = fields.String(allow_none=True, validate=validate.Length(min=1, max=200))
    municipality_code = fields.String(allow_none=True, validate=_MUNICIPALITY)
    active = fields.Boolean()


class SubscriptionSchema(Schema):
    id = fields.Integer()
    url = fields.String()
    event_types = fields.List(fields.String())
    process_id = fields.String(allow_none=True)
    municipality_code = fields.String(allow_none=True)
    description = fields.String()
    active = fields.Boolean()
    created_at = fields.DateTime()
    created_by = fields.String()


class SubscriptionCreatedSchema(SubscriptionSchema):
    secret = fields.String(metadata={"description": "shown only now: the receiver verifies signatures with it"})


class OutboundAttemptSchema(Schema):
    at = fields.DateTime()
    status_code = fields.Integer(allow_none=True)
    error = fields.String(allow_none=True)
    duration_ms = fields.Integer()


class OutboundDeliverySchema(Schema):
    id = fields.Integer()
    msg_id = fields.String(metadata={"description": "the webhook-id header of every attempt"})
    event_type = fields.String()
    process_instance_id = fields.String(attribute="instance_id", allow_none=True)
    case_id = deprecated("process_instance_id", source="instance_id", allow_none=True)
    status = fields.String(validate=validate.OneOf([PENDING, DELIVERED, GAVE_UP]))
    attempts = fields.Integer()
    next_attempt_at = fields.DateTime()
    created_at = fields.DateTime()
    delivered_at = fields.DateTime(allow_none=True)
    last_error = fields.String(allow_none=True)
    payload = fields.Raw()
    attempt_log = fields.List(fields.Nested(OutboundAttemptSchema))


class OutboundDeliveryArgsSchema(PageArgsSchema):
    status = fields.String(validate=validate.OneOf([PENDING, DELIVERED, GAVE_UP]))


class OutboundDeliveryPageSchema(Schema):
    total = fields.Integer()
    items = fields.List(fields.Nested(OutboundDeliverySchema))
