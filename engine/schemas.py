"""Shared marshmallow pieces for the API schemas."""
from marshmallow import Schema, fields, validate


ERROR_CODES = ["bad_request", "unauthorized", "forbidden", "not_found", "method_not_allowed", "conflict", "purged",
               "request_entity_too_large", "payload_too_large", "validation_failed", "too_many_attempts",
               "internal_error", "busy", "key_unavailable", "unavailable", "delivery_failed"]


class CaseTombstoneSchema(Schema):
    """What remains of a purged case (privacy.md, retention and crypto-shredding)."""
    case_id = fields.String(required=True)
    business_key = fields.String(allow_none=True)
    process_id = fields.String(required=True)
    municipality_code = fields.String(allow_none=True)
    status = fields.String(required=True)
    started_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    completed_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    purged_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    purge_reason = fields.String(allow_none=True)


class ApiErrorSchema(Schema):
    """Every error the API answers (engine/errors.py): the same shape for every status."""

    code = fields.String(required=True, metadata={
        "description": "A stable, machine-readable name of the error (a string, never a number): "
                       + ", ".join(ERROR_CODES) + ".", "example": "not_found"})
    message = fields.String(required=True, metadata={"description": "A sentence for a person (English)."})
    errors = fields.Raw(metadata={
        "description": "Details: for 400 `{\"query\": {name: [messages]}}`, for 422 `{field: [messages]}` or, for "
                       "deployments, a list of `{file, line, element_id, message}`.",
        "oneOf": [{"type": "object", "additionalProperties": True}, {"type": "array", "items": {}}]})
    status = fields.String(metadata={"description": "409: the state of the case or task that stopped the change."})
    assignee = fields.String(allow_none=True, metadata={"description": "409: who claimed the task."})
    tombstone = fields.Nested(CaseTombstoneSchema, metadata={"description": "410: what remains of the purged case."})
    case_id = fields.String(metadata={"description": "410: the purged case."})
    needed_key = fields.String(metadata={"description": "503 key_unavailable: the id of the key-encryption key "
                                                        "this case's data key needs."})
    retry_after = fields.Integer(metadata={"description": "429: seconds until the next attempt counts (also in the "
                                                         "Retry-After header)."})
    message_name = fields.String(metadata={"description": "403 for a message: the message the caller may not send."})
    senders = fields.List(fields.String(), metadata={"description": "403 for a message: who may send it."})
    delivery_id = fields.Integer(metadata={"description": "Webhooks, 503: the stored delivery, for a replay."})
    outcome = fields.String(metadata={"description": "Webhooks, 503: how the delivery was recorded (failed)."})


# Every number a client sends is bounded: a value beyond what the database can hold would otherwise reach
# the driver (an overflow is a 500). A billion rows of offset, a century of days, 2^31 versions are more
# than any real request needs.
MAX_OFFSET = 1_000_000_000
MAX_DAYS = 36_500
MAX_VERSION = 2**31 - 1


class PageArgsSchema(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_OFFSET))


AUTH = [{"bearerAuth": []}]
