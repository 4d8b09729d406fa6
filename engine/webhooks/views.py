"""POST /webhooks/<source>: the inbound endpoint. Authenticated by its signature, not by a user token."""
from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint

from ..errors import ApiError
from ..schemas import ApiErrorSchema
from .inbound import receive
from .schemas import InboundResultSchema

blp = Blueprint("webhooks", __name__, url_prefix="/webhooks",
                description="Inbound webhooks from police, OM, IVP and BZK systems (Standard Webhooks)")


class PayloadTooLarge(ApiError):
    status = 413
    code = "payload_too_large"


@blp.route("/<source>")
class Inbound(MethodView):
    @blp.response(202, InboundResultSchema, description="Started, correlated or buffered")
    @blp.alt_response(200, schema=InboundResultSchema, description="Duplicate: this webhook-id was seen before")
    @blp.alt_response(401, schema=ApiErrorSchema, description="Missing or wrong signature, or a stale timestamp")
    @blp.alt_response(404, schema=ApiErrorSchema, description="Unknown source or event type")
    @blp.alt_response(409, schema=ApiErrorSchema, description="The case has ended, or the webhook-id was used for another body")
    @blp.alt_response(422, schema=ApiErrorSchema, description="The data fails the event's schema (errors name the fields)")
    @blp.alt_response(503, schema=ApiErrorSchema, description="Not processed on our side; recorded for a replay")
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
