"""/api/v1/webhooks: the sources and their routes, inbound deliveries (replay), outbound subscriptions.

Deliveries and subscriptions are for the beheerder (admin); the routes and event types may also be read by
the procesbeheerder (process owner), who writes the route files.
"""

import json

from flask import url_for
from flask.views import MethodView

from ..core.apidoc import ROLE_GATED, Blueprint
from ..accesslog import service as accesslog
from ..core.errors import Forbidden
from ..identity.auth import current_actor, protect
from ..identity.roles import BEHEERDER, PROCESBEHEERDER
from ..core.schemas import AUTH, ApiErrorSchema
from ..webhooks import deliveries as inbound_deliveries
from ..webhooks import state
from ..webhooks.events import catalog
from ..webhooks.inbound import replay
from ..webhooks.outbox import open_body
from ..webhooks.schemas import (
    EventTypeSchema,
    InboundDeliveryArgsSchema,
    InboundDeliveryPageSchema,
    InboundDeliverySchema,
    InboundResultSchema,
    OutboundDeliveryArgsSchema,
    OutboundDeliveryPageSchema,
    OutboundDeliverySchema,
    SourceSchema,
    SubscriptionCreatedSchema,
    SubscriptionCreateSchema,
    SubscriptionSchema,
    SubscriptionUpdateSchema,
)
from ..webhooks import subscriptions as service

blp = Blueprint(
    "webhooks_admin",
    __name__,
    url_prefix="/api/v1/webhooks",
    description="Webhook routes, deliveries and outbound subscriptions (beheerder)",
)
protect(blp)
ROLE_GATED.add(blp.name)  # every route needs beheerder (or procesbeheerder): 403 otherwise


def _require(*roles):
    actor = current_actor()
    if not actor.has_role(*roles):
        raise Forbidden(f"This needs one of the roles: {', '.join(roles)}.")
    return actor


def _buffer_states(deliveries) -> dict:
    return {
        delivery_id: {
            "state": status,
            "expires_at": row.expires_at,
            "delivered_at": row.consumed_at,
            "process_instance_id": row.instance_id,
            "case_id": row.instance_id,
        }
        for delivery_id, (row, status) in inbound_deliveries.buffer_states(deliveries).items()
    }


def _with_buffer(deliveries) -> list[dict]:
    states = _buffer_states(deliveries)
    result = []
    for delivery in deliveries:
        item = {
            name: getattr(delivery, name)
            for name in (
                "id",
                "source",
                "webhook_id",
                "event_type",
                "outcome",
                "instance_id",
                "business_key",
                "error",
                "attempts",
                "received_at",
                "processed_at",
                "replayed_by",
            )
        }
        item["buffer"] = states.get(delivery.id)
        result.append(item)
    return result


@blp.route("/sources")
class Sources(MethodView):
    @blp.doc(security=AUTH)
    @blp.response(200, SourceSchema(many=True))
    def get(self):
        """(beheerder, procesbeheerder) The sources, their endpoint, whether their secret is set, and their routes."""
        _require(BEHEERDER, PROCESBEHEERDER)
        return [
            {
                "source": r.source,
                "description": r.description,
                "file": r.file,
                "secret_env": r.secret_env,
                "configured": r.secret_keys() is not None,
                "url": url_for("webhooks.Inbound", source=r.source, _external=True),
                "events": [route.describe() for route in r.events.values()],
            }
            for r in state().routes.sources.values()
        ]


@blp.route("/event-types")
class EventTypes(MethodView):
    @blp.doc(security=AUTH)
    @blp.response(200, EventTypeSchema(many=True))
    def get(self):
        """(beheerder, procesbeheerder) The case and domain events a subscription can name."""
        _require(BEHEERDER, PROCESBEHEERDER)
        return [{"event_type": k, "description": v} for k, v in catalog(state().domain_events).items()]


@blp.route("/deliveries")
class Deliveries(MethodView):
    @blp.doc(security=AUTH)
    @blp.arguments(InboundDeliveryArgsSchema, location="query")
    @blp.response(200, InboundDeliveryPageSchema)
    def get(self, args):
        """(beheerder) Inbound deliveries, newest first, with their outcome and error."""
        _require(BEHEERDER)
        rows, total = inbound_deliveries.list_deliveries(
            args.get("source"), args.get("event_type"), args.get("outcome"), args["limit"], args["offset"]
        )
        return {"total": total, "items": _with_buffer(rows)}


@blp.route("/deliveries/<row_id:delivery_id>")
class Delivery(MethodView):
    @blp.doc(security=AUTH)
    @blp.response(200, InboundDeliverySchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, delivery_id):
        """(beheerder) One inbound delivery."""
        _require(BEHEERDER)
        return _with_buffer([inbound_deliveries.get_delivery(delivery_id)])[0]


@blp.route("/deliveries/<row_id:delivery_id>/replay")
class DeliveryReplay(MethodView):
    @blp.doc(security=AUTH)
    @blp.response(200, InboundResultSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="The delivery did not fail")
    @blp.errors(
        (404, "No such delivery"),
        (422, "The stored body fails the event's schema under the current routes"),
        (503, "The delivery could not be processed again; it stays failed"),
    )
    def post(self, delivery_id):
        """(beheerder) Process a failed delivery again, from its stored body, under the current routes."""
        actor = _require(BEHEERDER)
        return replay(delivery_id, actor)


@blp.route("/subscriptions")
class Subscriptions(MethodView):
    @blp.doc(security=AUTH)
    @blp.response(200, SubscriptionSchema(many=True))
    def get(self):
        """(beheerder) The outbound subscriptions (without their secrets)."""
        _require(BEHEERDER)
        return service.list_subscriptions()

    @blp.doc(security=AUTH)
    @blp.arguments(SubscriptionCreateSchema)
    @blp.response(201, SubscriptionCreatedSchema)
    @blp.alt_response(422, schema=ApiErrorSchema)
    def post(self, body):
        """(beheerder) Subscribe a URL to case events. The answer holds the signing secret, once."""
        actor = _require(BEHEERDER)
        subscription, secret = service.create_subscription(body, actor)
        result = {name: getattr(subscription, name) for name in SubscriptionSchema().fields}
        result["secret"] = secret
        return result


@blp.route("/subscriptions/<row_id:subscription_id>")
class Subscription(MethodView):
    @blp.doc(security=AUTH)
    @blp.response(200, SubscriptionSchema)
    def get(self, subscription_id):
        """(beheerder) One subscription."""
        _require(BEHEERDER)
        return service.get_subscription(subscription_id)

    @blp.doc(security=AUTH)
    @blp.arguments(SubscriptionUpdateSchema)
    @blp.response(200, SubscriptionSchema)
    def patch(self, body, subscription_id):
        """(beheerder) Change a subscription (e.g. `{"active": false}` to pause it, or a new secret)."""
        _require(BEHEERDER)
        return service.update_subscription(subscription_id, body)

    @blp.doc(security=AUTH)
    @blp.response(204)
    def delete(self, subscription_id):
        """(beheerder) Remove a subscription with its deliveries."""
        _require(BEHEERDER)
        service.delete_subscription(subscription_id)


@blp.route("/subscriptions/<row_id:subscription_id>/deliveries")
class SubscriptionDeliveries(MethodView):
    @blp.doc(security=AUTH)
    @blp.arguments(OutboundDeliveryArgsSchema, location="query")
    @blp.response(200, OutboundDeliveryPageSchema)
    def get(self, args, subscription_id):
        """(beheerder) What was sent to a subscription, newest first, with every attempt."""
        actor = _require(BEHEERDER)
        rows, total, attempts = service.outbound_deliveries(
            subscription_id, args.get("status"), args["limit"], args["offset"]
        )
        for instance_id in sorted({row.instance_id for row in rows if row.instance_id}):
            accesslog.record_read(actor, instance_id, accesslog.API, "webhook.outbox", [accesslog.ORDINARY])
        items = []
        for row in rows:
            item = {
                name: getattr(row, name)
                for name in (
                    "id",
                    "msg_id",
                    "event_type",
                    "instance_id",
                    "status",
                    "attempts",
                    "next_attempt_at",
                    "created_at",
                    "delivered_at",
                    "last_error",
                )
            }
            body = open_body(row.body, row.instance_id)
            item["payload"] = json.loads(body) if body is not None else None
            item["attempt_log"] = [
                {"at": a.at, "status_code": a.status_code, "error": a.error, "duration_ms": a.duration_ms}
                for a in attempts.get(row.id, [])
            ]
            items.append(item)
        return {"total": total, "items": items}


@blp.route("/outbound-deliveries/<row_id:outbound_id>/retry")
class OutboundRetry(MethodView):
    @blp.doc(security=AUTH)
    @blp.response(200, OutboundDeliverySchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="The delivery has not failed")
    def post(self, outbound_id):
        """(beheerder) Send a delivery that was given up on once more."""
        _require(BEHEERDER)
        return service.retry_outbound(outbound_id)
