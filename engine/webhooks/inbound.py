"""Receiving a webhook: check it, then start a case or deliver a message, exactly once.

Order of the checks, each answered before anything is written: unknown source (404), signature and
timestamp (401), body and envelope (422), unknown event type (404), the event's schema (422); a copy of a
delivery that was accepted before gets its first outcome (200) even if it fails these now. Then one
transaction holds the delivery record (inserted first), the case start or the correlation, and the case
save. The unique (source, webhook-id) key decides between concurrent copies of a delivery: the others wait
for the first one's commit and answer with its outcome.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from ..crypto import service as keys
from ..core.errors import ApiError, Conflict, Forbidden, NotFound, Unauthorized, Unprocessable
from ..db.extensions import db
from ..identity.actor import Actor
from ..instances import store
from ..messages import service as messages
from ..messages import store as message_store
from ..db.prepared import Prepared, Raw
from ..core.timeutil import utcnow
from . import state
from .models import BUFFERED, CORRELATED, DUPLICATE, FAILED, PROCESSING, STARTED, InboundDelivery
from .paths import MISSING
from .route_files import START, EventRoute, SourceRoutes
from .signatures import SignatureError, verify
from ..cases.service import start_case

log = logging.getLogger(__name__)
MAX_TRIES = 3


class ServiceUnavailable(ApiError):
    status = 503
    code = "unavailable"


class DeliveryFailed(ApiError):
    """Something on our side stopped the delivery: it is stored as failed (with its body) for a replay."""

    status = 503
    code = "delivery_failed"


@dataclass
class Received:
    routes: SourceRoutes
    route: EventRoute
    webhook_id: str
    body: bytes
    body_sha256: str
    payload: dict


# --- checks ---------------------------------------------------------------------------------------------


def source_routes(source: str) -> SourceRoutes:
    routes = state().routes.get(source)
    if routes is None:
        raise NotFound(f"No webhook source '{source}'.")
    return routes


def authenticate(routes: SourceRoutes, headers, body: bytes) -> str:
    """The webhook-id of an authentic delivery; 401 otherwise."""
    keys = routes.secret_keys()
    if keys is None:
        raise ServiceUnavailable(
            f"Webhook source '{routes.source}' is not configured on this server (no {routes.secret_env})."
        )
    try:
        webhook_id = verify(keys, headers, body)
    except SignatureError as err:
        raise Unauthorized(str(err)) from None
    if len(webhook_id) > 200:
        raise Unprocessable("webhook-id is longer than 200 characters.", errors={"webhook-id": ["Too long."]})
    return webhook_id


def _no_constant(name: str):
    raise ValueError(f"{name} is not a JSON value")


def parse(routes: SourceRoutes, webhook_id: str, body: bytes) -> Received:
    try:
        payload = json.loads(body, parse_constant=_no_constant)
    except (ValueError, UnicodeDecodeError) as err:
        raise Unprocessable(f"The body is not JSON: {err}.") from None
    except RecursionError:
        raise Unprocessable("The body is nested too deeply.") from None
    if not isinstance(payload, dict):
        raise Unprocessable('The body must be a JSON object {"type": ..., "timestamp": ..., "data": {...}}.')
    errors = {}
    if not isinstance(payload.get("type"), str) or not payload.get("type"):
        errors["type"] = ["Required: the event type, e.g. aangifte.geregistreerd."]
    if not isinstance(payload.get("data"), dict):
        errors["data"] = ["Required: an object with the event's data."]
    if "timestamp" in payload and not isinstance(payload["timestamp"], str):
        errors["timestamp"] = ["An ISO 8601 date-time text."]
    if errors:
        raise Unprocessable("The body does not follow the Standard Webhooks envelope.", errors=errors)
    route = routes.events.get(payload["type"])
    if route is None:
        known = ", ".join(sorted(routes.events))
        raise NotFound(f"Source '{routes.source}' has no event type '{payload['type']}'; it has: {known}.")
    errors = schema_errors(route, payload["data"])
    if errors:
        raise Unprocessable(
            f"The data does not match the schema of {route.event_type}; see errors for each field.", errors=errors
        )
    return Received(routes, route, webhook_id, body, hashlib.sha256(body).hexdigest(), payload)


def schema_errors(route: EventRoute, data: dict) -> dict:
    """Schema errors by field, named as `data.<path>`, each message once per field."""
    errors: dict = {}

    def add(field: str, message: str) -> None:
        # jsonschema reports a `required` (and `additionalProperties`) error once per missing (or extra) field,
        # each with the schema's whole list: collected per field, they would repeat
        messages = errors.setdefault(field, [])
        if message not in messages:
            messages.append(message)

    for error in sorted(route.validator.iter_errors(data), key=lambda e: list(e.absolute_path)):
        base = ["data", *[str(p) for p in error.absolute_path]]
        if error.validator == "required":
            missing = [f for f in error.validator_value if isinstance(error.instance, dict) and f not in error.instance]
            for name in missing:
                add(".".join(base + [name]), "Required.")
            continue
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = set(error.schema.get("properties") or {})
            for name in sorted(k for k in error.instance if k not in allowed):
                add(".".join(base + [name]), "Not a field of this event.")
            continue
        add(".".join(base), error.message)
    return errors


def variables_of(route: EventRoute, payload: dict) -> dict:
    """The route's constants and the values its paths find in the payload (a missing value sets nothing)."""
    variables = copy.deepcopy(route.constants)
    variables.update(
        {name: value for name, path in route.variables.items() if (value := path.resolve(payload)) is not MISSING}
    )
    return variables


def correlation_key_of(route: EventRoute, payload: dict) -> str:
    value = route.correlation_key.resolve(payload)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > 120:
        raise Unprocessable(
            "The case reference is missing or not a text of 1 to 120 characters.",
            errors={route.correlation_key.dotted: ["A business key of a case, e.g. VB-2026-ABC234."]},
        )
    return value.strip()


# --- exactly once -----------------------------------------------------------------------------------------


def find_delivery(source: str, webhook_id: str) -> InboundDelivery | None:
    return db.session.scalar(
        sa.select(InboundDelivery).where(InboundDelivery.source == source, InboundDelivery.webhook_id == webhook_id)
    )


def receive(source: str, headers, body: bytes) -> tuple[dict, int]:
    """Handle one POST /webhooks/<source>; returns (response body, HTTP status)."""
    routes = source_routes(source)
    webhook_id = authenticate(routes, headers, body)
    try:
        received = parse(routes, webhook_id, body)
    except (Unprocessable, NotFound):
        # A copy of a delivery accepted before gets its outcome, even if the route file changed since.
        existing = find_delivery(routes.source, webhook_id)
        if existing is not None and existing.outcome != FAILED:
            return duplicate(existing, hashlib.sha256(body).hexdigest()), 200
        raise
    result = process(received)
    return result, 200 if result["outcome"] == DUPLICATE else 202


def duplicate(existing: InboundDelivery, body_sha256: str) -> dict:
    if existing.body_sha256 != body_sha256:
        raise Conflict(
            "This webhook-id was used before for a different body; a new event needs a new webhook-id.",
            delivery_id=existing.id,
        )
    return dict(result_of(existing), outcome=DUPLICATE, first_outcome=existing.outcome)


def result_of(delivery: InboundDelivery) -> dict:
    return {
        "outcome": delivery.outcome,
        "delivery_id": delivery.id,
        "webhook_id": delivery.webhook_id,
        "source": delivery.source,
        "event_type": delivery.event_type,
        "process_instance_id": delivery.instance_id,
        "case_id": delivery.instance_id,  # case_id: deprecated
        "business_key": delivery.business_key,
    }


def process(received: Received, replayed_by: str | None = None) -> dict:
    """Act on a checked delivery once. Returns the result; raises ApiError for what the sender must fix."""
    if db.engine.dialect.name == "sqlite":
        # SQLite has one writer at a time, and the INSERT below takes the write lock even when it inserts
        # nothing: a copy of a stored delivery is answered from a read first, without waiting for that lock.
        existing = find_delivery(received.routes.source, received.webhook_id)
        if existing is not None and existing.outcome not in (FAILED, PROCESSING):
            result = duplicate(existing, received.body_sha256)
            db.session.rollback()
            return result
    for _ in range(MAX_TRIES):
        failed_id = None
        delivery_id, prefetched = _insert_new(received)
        if delivery_id is None:  # this webhook-id is stored already (or a copy is being processed right now)
            existing = find_delivery(received.routes.source, received.webhook_id)
            if existing is None:  # that copy was rolled back meanwhile: try again
                db.session.rollback()
                continue
            if existing.outcome != FAILED:
                result = duplicate(existing, received.body_sha256)
                db.session.rollback()
                return result
            delivery_id = failed_id = _take_failed(existing.id)
            if delivery_id is None:
                db.session.rollback()
                continue
        return _apply(received, delivery_id, failed_id, replayed_by, prefetched)
    raise Conflict("This delivery is being processed by another request right now; send it again later.")


# The same SQL on SQLite (3.35+) and PostgreSQL, prepared once (every delivery runs it: see engine.db.prepared).
_DELIVERIES = InboundDelivery.__table__
_INSERT_DELIVERY = Prepared(
    sa.text(
        f"INSERT INTO {InboundDelivery.__tablename__} "
        "(source, webhook_id, event_type, body_sha256, outcome, attempts, received_at) "
        "VALUES (:source, :webhook_id, :event_type, :body_sha256, :outcome, 1, :received_at) "
        "ON CONFLICT (source, webhook_id) DO NOTHING RETURNING id"
    ).bindparams(sa.bindparam("received_at", type_=_DELIVERIES.c.received_at.type))
)
_OUTCOME_COLUMNS = ("outcome", "event_type", "instance_id", "business_key", "processed_at", "error", "body")
_RECORD_OUTCOME = {
    replayed: Prepared(
        sa.update(_DELIVERIES)
        .where(_DELIVERIES.c.id == sa.bindparam("delivery_id"))
        .values(
            {
                name: sa.bindparam(name, type_=_DELIVERIES.c[name].type)
                for name in _OUTCOME_COLUMNS + (("replayed_by",) if replayed else ())
            }
        )
    )
    for replayed in (False, True)
}


@dataclass(frozen=True)
class Prefetched:
    """What `_insert_new` read for `act` in the delivery's first round trip: the answer of
    `store.latest_version` (a start) or of `store.lock_case_for_message` (a correlation)."""

    answer: object


def _insert_new(received: Received):
    """Store the delivery first, in the transaction that will act on it. The unique (source, webhook-id)
    key makes one copy the owner: a concurrent copy waits here for the owner's commit and then inserts
    nothing (None). Returns (delivery id or None, prefetched).

    What acting on the delivery reads first goes out in the same round trip, after the INSERT: the process
    version to start, or the case to correlate with, locked. `prefetched` is that answer (for `act`; None
    when nothing was read). A copy that turns out to be a duplicate rolls back, which releases that lock
    at once. Every answer is read here, even one nobody will use: no statement is left with unread rows (on
    SQLite such a statement can keep an old snapshot open, which makes the connection's next write fail)."""
    connection = Raw()
    route = received.route
    key = None
    if route.action != START:
        try:
            key = correlation_key_of(route, received.payload)
        except Unprocessable:
            pass  # `act` refuses it, after the duplicate check
    with connection.batch():  # on PostgreSQL the transaction's BEGIN travels with it: one round trip
        cursor = _INSERT_DELIVERY.send(
            connection,
            {
                "source": received.routes.source,
                "webhook_id": received.webhook_id,
                "event_type": route.event_type,
                "body_sha256": received.body_sha256,
                "outcome": PROCESSING,
                "received_at": utcnow(),
            },
            connection.driver.cursor(),
        )  # its own cursor: more statements follow
        if route.action == START:
            answer = store.send_latest_version(route.target, connection)
        elif key is not None:
            answer = message_store.send_lock_case_for_message(key, route.target, connection)
        else:
            answer = None
    rows = cursor.fetchall()
    prefetched = Prefetched(answer()) if answer is not None else None
    return (rows[0][0] if rows else None), prefetched


def _take_failed(delivery_id: int) -> int | None:
    """Take over a failed delivery for another try; None if another request took it first."""
    taken = db.session.execute(
        sa.update(InboundDelivery)
        .where(InboundDelivery.id == delivery_id, InboundDelivery.outcome == FAILED)
        .values(outcome=PROCESSING, attempts=InboundDelivery.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    return delivery_id if taken.rowcount == 1 else None


def _outcome_values(
    received: Received, delivery_id: int, outcome: str, case_id: str, business_key: str, replayed_by: str | None
) -> dict:
    values = {
        "outcome": outcome,
        "event_type": received.route.event_type,
        "instance_id": case_id,
        "business_key": business_key,
        "processed_at": utcnow(),
        "error": None,
        "body": None,
        "delivery_id": delivery_id,
    }
    if replayed_by:
        values["replayed_by"] = replayed_by
    return values


def _apply(
    received: Received,
    delivery_id: int,
    failed_id: int | None,
    replayed_by: str | None,
    prefetched: Prefetched | None = None,
) -> dict:
    # The delivery's outcome rides with the case's save (one round trip less), as the outcome a start or a
    # correlation gives; if acting ends otherwise (buffered, or another case was saved), it is written after.
    record = _RECORD_OUTCOME[bool(replayed_by)]
    expected = STARTED if received.route.action == START else CORRELATED
    rider = store.Rider(
        lambda writer, case: record.send(
            writer.connection, _outcome_values(received, delivery_id, expected, case.id, case.business_key, replayed_by)
        )
    )
    try:
        outcome, case_id, business_key = act(received, delivery_id, prefetched, riders=(rider,))
    except (Unprocessable, NotFound, Conflict, Forbidden):
        db.session.rollback()  # the sender's to fix (or the case has ended, or it may not send this): nothing is stored
        raise
    except Exception as err:  # our side failed: keep the delivery (and its body) for a replay
        db.session.rollback()
        stored_id = record_failure(received, failed_id, err, replayed_by)
        if isinstance(err, DeliveryFailed):
            err.extra.update(delivery_id=stored_id, outcome=FAILED)
            raise
        log.exception("Webhook delivery %s from %s failed", received.webhook_id, received.routes.source)
        raise DeliveryFailed(
            "The delivery could not be processed; it is recorded and will be looked at.",
            delivery_id=stored_id,
            outcome=FAILED,
        ) from None
    rode = rider.case
    if rode is None or (rode.id, rode.business_key, expected) != (case_id, business_key, outcome):
        record.execute(Raw(), _outcome_values(received, delivery_id, outcome, case_id, business_key, replayed_by))
    db.session.commit()
    return {
        "outcome": outcome,
        "delivery_id": delivery_id,
        "webhook_id": received.webhook_id,
        "source": received.routes.source,
        "event_type": received.route.event_type,
        "process_instance_id": case_id,
        "case_id": case_id,
        "business_key": business_key,
    }


def act(
    received: Received, delivery_id: int, prefetched: Prefetched | None = None, riders: tuple = ()
) -> tuple[str, str, str]:
    """Start the case or deliver the message, in the open transaction. Returns (outcome, case id, key).
    `prefetched`: see `_insert_new`; `riders`: writes that go out with the case's step (`store.Rider`)."""
    route = received.route
    actor = Actor.webhook(route.source)
    variables = variables_of(route, received.payload)
    if route.action == START:
        try:
            instance = start_case(
                route.target,
                variables,
                actor,
                use_start_form=False,
                commit=False,
                riders=riders,
                **({"latest": prefetched.answer} if prefetched is not None else {}),
            )
        except NotFound:
            raise DeliveryFailed(
                f"Process '{route.target}' is not deployed; deploy it and replay this delivery."
            ) from None
        except Unprocessable as err:
            if err.errors is None:  # about the process (not executable), not about a field of the payload
                raise DeliveryFailed(
                    f"Process '{route.target}' cannot be started: {err.message} Fix it and replay this delivery."
                ) from None
            raise
        return STARTED, instance.id, instance.business_key
    key = correlation_key_of(route, received.payload)
    ttl = timedelta(seconds=current_app.config["VB_MESSAGE_BUFFER_TTL_SECONDS"])
    try:
        outcome, case_ids = messages.correlate_or_buffer(
            route.target,
            key,
            variables,
            actor,
            ttl,
            delivery_id=delivery_id,
            webhook_id=received.webhook_id,
            locked=prefetched.answer if prefetched is not None else None,
            riders=riders,
        )
    except messages.NoSuchCase:
        raise Unprocessable(
            f"No case has business key '{key}'.",
            errors={route.correlation_key.dotted: [f"No case has business key '{key}'."]},
        ) from None
    except messages.CaseEnded as err:
        raise Conflict(
            f"The case with business key '{key}' is {err.status}; it no longer waits for messages.", status=err.status
        ) from None
    return (CORRELATED if outcome == messages.CORRELATED else BUFFERED), case_ids[0], key


DELIVERY_BODY = "webhook_delivery"


def record_failure(received: Received, failed_id: int | None, err: Exception, replayed_by: str | None) -> int | None:
    """Store the failed delivery in its own transaction (the failed one was rolled back)."""
    error = {
        "code": getattr(err, "code", "internal_error"),
        "message": err.message if isinstance(err, ApiError) else f"{type(err).__name__}: {err}"[:1000],
        "at": utcnow().isoformat(),
    }
    body = keys.seal_remnant(received.body, DELIVERY_BODY)
    try:
        if failed_id is not None:
            db.session.execute(
                sa.update(InboundDelivery)
                .where(InboundDelivery.id == failed_id)
                .values(
                    error=error,
                    body=body,
                    processed_at=utcnow(),
                    attempts=InboundDelivery.attempts + 1,
                    replayed_by=replayed_by or InboundDelivery.replayed_by,
                )
                .execution_options(synchronize_session=False)
            )
            db.session.commit()
            return failed_id
        delivery = InboundDelivery(
            source=received.routes.source,
            webhook_id=received.webhook_id,
            event_type=received.route.event_type,
            body_sha256=received.body_sha256,
            outcome=FAILED,
            error=error,
            body=body,
            attempts=1,
            received_at=utcnow(),
            processed_at=utcnow(),
        )
        db.session.add(delivery)
        db.session.commit()
        return delivery.id
    except IntegrityError:
        db.session.rollback()  # a concurrent copy of this delivery holds the record now
        return None


def replay(delivery_id: int, actor) -> dict:
    """(beheerder) Process a failed delivery again from its stored body, under the current routes."""
    delivery = db.session.get(InboundDelivery, delivery_id)
    if delivery is None:
        raise NotFound("No such delivery.")
    if delivery.outcome != FAILED:
        raise Conflict(
            f"Only a failed delivery can be replayed; this one is {delivery.outcome}.", outcome=delivery.outcome
        )
    routes = state().routes.get(delivery.source)
    if routes is None:
        raise Conflict(f"Source '{delivery.source}' has no route file any more.")
    received = parse(routes, delivery.webhook_id, keys.open_remnant(delivery.body, DELIVERY_BODY) or b"")
    received.body_sha256 = delivery.body_sha256  # the stored body is the received one
    return process(received, replayed_by=actor.username)
