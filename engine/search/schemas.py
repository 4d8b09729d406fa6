from marshmallow import Schema, fields, validate

from .service import QUERY_KEYS


class SavedSearchSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    query = fields.Dict(
        keys=fields.String(validate=validate.OneOf(QUERY_KEYS)),
        values=fields.String(),
        metadata={
            "description": "The cases page's parameters (q, status, process, municipality, "
            "role, task, from, until, sort)"
        },
    )
    url = fields.String(metadata={"description": "The cases page with this search"})
    created_at = fields.DateTime()


class NewSavedSearchSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=80))
    query = fields.Dict(keys=fields.String(), values=fields.Raw(), load_default=dict)
