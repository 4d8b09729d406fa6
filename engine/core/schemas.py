"""Shared marshmallow pieces for the API schemas."""

from marshmallow import Schema, ValidationError, fields, missing, post_load, validate, validates_schema


ERROR_CODES = [
    "bad_request",
    "unauthorized",
    "forbidden",
    "approval_required",
    "not_found",
    "method_not_allowed",
    "conflict",
    "purged",
    "request_entity_too_large",
    "payload_too_large",
    "validation_failed",
    "too_many_attempts",
    "internal_error",
    "busy",
    "key_unavailable",
    "unavailable",
    "delivery_failed",
    "unsupported_document_type",
]


class _Alias(fields.String):
    """A string field that answers the value of another attribute (marshmallow refuses two fields with one
    `attribute`)."""

    def __init__(self, source: str, **kwargs):
        super().__init__(**kwargs)
        self.source = source

    def get_value(self, obj, attr, accessor=None, default=missing):
        return super().get_value(obj, self.source, accessor=accessor, default=default)


def deprecated(replacement: str, source: str | None = None, **kwargs):
    """A string field kept under its old name for one version beside `replacement` (docs/api.md, *Names*): the
    document marks it `deprecated`. `source`: the attribute it answers, when not its own name."""
    metadata = {
        "deprecated": True,
        "description": f"Deprecated: the same as `{replacement}`, which replaces it; it goes in the next version.",
    }
    if source is not None:
        return _Alias(source, metadata=metadata, **kwargs)
    return fields.String(metadata=metadata, **kwargs)


class DeprecatedAliases(Schema):
    """Query arguments that still accept an old name (`ALIASES`: old -> new) for one version: the value is
    read under the new name; both names with different values are a 400."""

    ALIASES: dict[str, str] = {}

    @validates_schema
    def _one_value(self, data, **kwargs):
        for old, new in self.ALIASES.items():
            if old in data and new in data and data[old] != data[new]:
                raise ValidationError(f"'{old}' is the deprecated name of '{new}': give one of them.", old)

    @post_load
    def _renamed(self, data, **kwargs):
        for old, new in self.ALIASES.items():
            if old in data:
                data.setdefault(new, data.pop(old))
                data.pop(old, None)
        return data


class CaseTombstoneSchema(Schema):
    """What remains of a purged case (privacy.md, retention and crypto-shredding)."""

    process_instance_id = fields.String(required=True)
    case_id = deprecated("process_instance_id", required=True)
    business_key = fields.String(allow_none=True)
    process_id = fields.String(required=True)
    municipality_code = fields.String(allow_none=True)
    status = fields.String(required=True)
    started_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    completed_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    purged_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    purge_reason = fields.String(allow_none=True)


class ApiErrorSchema(Schema):
    """Every error the API answers (engine/core/errors.py): the same shape for every status."""

    code = fields.String(
        required=True,
        metadata={
            "description": "A stable, machine-readable name of the error (a string, never a number): "
            + ", ".join(ERROR_CODES)
            + ".",
            "example": "not_found",
        },
    )
    message = fields.String(required=True, metadata={"description": "A sentence for a person (English)."})
    errors = fields.Raw(
        metadata={
            "description": 'Details: for 400 `{"query": {name: [messages]}}`, for 422 `{field: [messages]}` or, for '
            "deployments, a list of `{file, line, element_id, message}`.",
            "oneOf": [{"type": "object", "additionalProperties": True}, {"type": "array", "items": {}}],
        }
    )
    status = fields.String(metadata={"description": "409: the state of the case or task that stopped the change."})
    assignee = fields.String(allow_none=True, metadata={"description": "409: who claimed the task."})
    reason = fields.String(
        metadata={
            "description": "409 for a saved search: name_taken (the caller has one of that "
            "name) or too_many (the caller keeps the most allowed)."
        }
    )
    tombstone = fields.Nested(CaseTombstoneSchema, metadata={"description": "410: what remains of the purged case."})
    process_instance_id = fields.String(metadata={"description": "410: the purged case."})
    case_id = deprecated("process_instance_id")
    accepted = fields.List(
        fields.String(),
        metadata={"description": "400 for an unknown query parameter: the parameters this operation accepts."},
    )
    needed_key = fields.String(
        metadata={"description": "503 key_unavailable: the id of the key-encryption key this case's data key needs."}
    )
    retry_after = fields.Integer(
        metadata={"description": "429: seconds until the next attempt counts (also in the Retry-After header)."}
    )
    message_name = fields.String(metadata={"description": "403 for a message: the message the caller may not send."})
    senders = fields.List(fields.String(), metadata={"description": "403 for a message: who may send it."})
    approval_id = fields.Integer(
        metadata={
            "description": "403 approval_required: the approval request a second "
            "person decides (POST /deployments/approvals/{id}/approve)"
        }
    )
    changes = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={
            "description": "403 approval_required: process id -> how its new version lowers the protection of case data"
        },
    )
    found = fields.String(
        metadata={
            "description": "422 unsupported_document_type: the media type the content "
            "was found to be (`unknown` when none)."
        }
    )
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


AUTH: list[dict[str, list[str]]] = [{"bearerAuth": []}]
