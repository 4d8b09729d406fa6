"""Shared marshmallow pieces for the API schemas."""
from marshmallow import Schema, fields, validate


class ApiErrorSchema(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    errors = fields.Raw()


class PageArgsSchema(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))


AUTH = [{"bearerAuth": []}]
