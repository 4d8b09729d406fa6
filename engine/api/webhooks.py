"""POST /webhooks/<source>: the inbound endpoint. Authenticated by its signature, not by a user token."""

from flask import current_app, request
from flask.views import MethodView

from ..core.apidoc import Blueprint
from ..core.errors import ApiError
from ..core.schemas import ApiErrorSchema
from ..webhooks.inbound import receive
from ..webhooks.schemas import InboundResultSchema

blp = Blueprint(
    "webhooks",
    __name__,
    url_prefix="/webhooks",
    description="Inbound webhooks from police, OM, IVP and BZK systems (Standard Webhooks)",
)


class PayloadTooLarge(ApiError):
    status = 413
    code = "payload_too_large"


@blp.route("/<source>")
class Inbound(MethodView):
    @blp.response(202, InboundResultSchema, description="Started, correlated or buffered")
    @blp.alt_response(200, schema=InboundResultSchema, description="Duplicate: this webhook-id was seen before")
    @blp.alt_response(401, schema=ApiErrorSchema, description="Missing or wrong signature, or a stale timestamp")
    @blp.alt_response(404, schema=ApiErrorSchema, description="Unknown source or event type")
    @blp.alt_response(
        403,
        schema=ApiErrorSchema,
        description="The source is not a declared sender of the message this event delivers (audited)",
    )
    @blp.alt_response(
        409, schema=ApiErrorSchema, description="The case has ended, or the webhook-id was used for another body"
    )
    @blp.alt_response(413, schema=ApiErrorSchema, description="The body is larger than VB_WEBHOOK_MAX_BYTES")
    @blp.alt_response(
        422, schema=ApiErrorSchema, description="The data fails the event's schema (errors name the fields)"
    )
    @blp.alt_response(
        503,
        schema=ApiErrorSchema,
        description="Not processed on our side; recorded for a replay "
        "(`delivery_failed`), or the source has no secret on this server (`unavailable`)",
    )
    def post(self, source):
        """Receive one event: `{"type": ..., "timestamp": ..., "data": {...}}`, signed with the source's secret
        (headers webhook-id, webhook-timestamp, webhook-signature)."""
        limit = current_app.config["VB_WEBHOOK_MAX_BYTES"]
        if request.content_length is not None and request.content_length > limit:
            raise PayloadTooLarge(f"A webhook body has at most {limit} bytes.")
        body = request.get_data(cache=False)
        if len(body) > limit:
            raise PayloadTooLarge(f"A webhook body has at most {limit} bytes.")
        return receive(source, request.headers, body)


SIGNATURE_HEADERS = [
    {
        "name": "webhook-id",
        "in": "header",
        "required": True,
        "schema": {"type": "string", "maxLength": 200},
        "description": "The event's unique id: a delivery sent again with the same id and body is a duplicate (200).",
    },
    {
        "name": "webhook-timestamp",
        "in": "header",
        "required": True,
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
        "description": "Whole seconds since 1970 (UTC); at most 5 minutes from the server's clock.",
    },
    {
        "name": "webhook-signature",
        "in": "header",
        "required": True,
        "schema": {"type": "string"},
        "description": '`v1,<base64 HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}">` with the source\'s '
        "secret (VB_WEBHOOK_SECRET_<SOURCE>); several, separated by spaces, during a secret rotation.",
    },
]


def document_inbound(api, routes) -> None:
    """Describe `POST /webhooks/{source}` from the route files: the sources, the signature headers and one
    envelope per source and event type, with the event's own JSON Schema as `data`."""
    operation = api.spec._paths.get("/webhooks/{source}", {}).get("post")
    if operation is None:
        return
    envelopes = []
    for source in sorted(routes.sources):
        for event_type, route in sorted(routes.sources[source].events.items()):
            envelopes.append(
                {
                    "title": f"{source}: {event_type}",
                    "description": route.description,
                    "type": "object",
                    "required": ["type", "data"],
                    "properties": {
                        "type": {"type": "string", "enum": [event_type]},
                        "timestamp": {"type": "string", "format": "date-time"},
                        "data": route.validator.schema,
                    },
                }
            )
    operation["parameters"] = [
        {
            "name": "source",
            "in": "path",
            "required": True,
            "schema": {"type": "string", "enum": sorted(routes.sources)},
        },
        *SIGNATURE_HEADERS,
    ]
    operation["requestBody"] = {
        "required": True,
        "description": "A Standard Webhooks envelope; `type` names the "
        "event of the source in the path (webhooks/<source>.yaml)",
        "content": {"application/json": {"schema": {"oneOf": envelopes}}},
    }
