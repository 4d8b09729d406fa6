"""Shared marshmallow pieces for the API schemas."""
from marshmallow import Schema, fields, validate


class ApiErrorSchema(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    errors = fields.Raw()


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
