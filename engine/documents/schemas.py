from marshmallow import Schema, fields

from .categories import READERS
from .sniffing import ALLOWED


class DocumentSchema(Schema):
    id = fields.String(required=True)
    process_instance_id = fields.String(required=True)
    filename = fields.String(required=True, metadata={"description": "The uploaded file's name (no folders)."})
    title = fields.String(required=True, metadata={"description": "The given title, else the file name."})
    category = fields.String(required=True, metadata={"enum": list(READERS)})
    content_type = fields.String(
        required=True,
        metadata={"description": "The media type found by the content (not the name).", "enum": list(ALLOWED)},
    )
    size = fields.Integer(required=True, metadata={"description": "Bytes."})
    sha256 = fields.String(required=True, metadata={"description": "SHA-256 of the content, hex."})
    created_by = fields.String(required=True)
    created_at = fields.DateTime(required=True)


UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "additionalProperties": False,
                "properties": {
                    "file": {
                        "type": "string",
                        "format": "binary",
                        "description": "The document (PDF, image, office "
                        "document or e-mail file, judged by its content); at most VB_DOCUMENT_MAX_BYTES.",
                    },
                    "title": {"type": "string", "maxLength": 300},
                    "category": {
                        "type": "string",
                        "enum": list(READERS),
                        "default": "algemeen",
                        "description": "Decides who reads the document (docs/documents.md, *Categories*).",
                    },
                },
            }
        }
    },
}

CONTENT_RESPONSE = {
    "description": "The document's bytes, as an attachment (Content-Disposition) with X-Content-Type-Options: "
    "nosniff; the read is recorded in the read log",
    "content": {media: {"schema": {"type": "string", "format": "binary"}} for media in ALLOWED},
    "headers": {
        "Content-Disposition": {"schema": {"type": "string"}},
        "X-Content-Type-Options": {"schema": {"type": "string", "enum": ["nosniff"]}},
    },
}
