from marshmallow import Schema, fields, validate


class NewNoteSchema(Schema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=10_000))
    restricted = fields.Boolean(
        load_default=False,
        metadata={
            "description": "Only users of the author's organisation read the note (their municipality; for "
            "national roles, the same role)."
        },
    )


class NoteSchema(Schema):
    id = fields.String(required=True)
    process_instance_id = fields.String(required=True)
    text = fields.String(required=True)
    author = fields.String(required=True)
    organisation = fields.String(required=True)
    restricted = fields.Boolean(required=True)
    created_at = fields.DateTime(required=True)
