"""Shared marshmallow pieces for the API schemas."""
from marshmallow import Schema, fields


class ApiErrorSchema(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    errors = fields.Raw()


class PageArgsSchema(Schema):
    limit = fields.Integer(load_default=50, validate=lambda n: 1 <= n <= 500)
    offset = fields.Integer(load_default=0, validate=lambda n: n >= 0)


AUTH = [{"bearerAuth": []}]
