"""Legal hold and erasure of one case (beheerder): `/api/v1/process-instances/{id}/legal-hold` and `/purge`."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from ..core.apidoc import Blueprint
from ..core.errors import NotFound
from ..access import policy
from ..identity.auth import current_actor, protect
from ..cases.service import get_visible_case
from ..core.schemas import AUTH, ApiErrorSchema, CaseTombstoneSchema
from ..retention import service

blp = Blueprint(
    "retention",
    __name__,
    url_prefix="/api/v1/process-instances",
    description="Retention: legal hold and erasure of a case (beheerder)",
)
protect(blp)


class RetentionReasonSchema(Schema):
    reason = fields.String(
        required=True,
        validate=validate.Length(min=1, max=service.MAX_REASON),
        metadata={"description": "Why (the request or decision it follows), without personal data."},
    )


class HoldSchema(Schema):
    reason = fields.String()
    by = fields.String()
    at = fields.String()


class PurgedSchema(Schema):
    tombstone = fields.Nested(CaseTombstoneSchema, required=True)


def _case_for_admin(instance_id: str):
    actor = current_actor()
    if not policy.can_administer_cases(actor):
        raise NotFound("No such case.")
    return get_visible_case(instance_id, actor, allow_purged=True), actor


@blp.route("/<process_instance_id>/legal-hold")
class LegalHold(MethodView):
    @blp.doc(security=AUTH)
    @blp.arguments(RetentionReasonSchema)
    @blp.response(201, HoldSchema)
    @blp.alt_response(404, schema=ApiErrorSchema, description="No such case (or not yours to administer).")
    @blp.alt_response(410, schema=ApiErrorSchema, description="The case was purged.")
    def post(self, body, process_instance_id):
        """(beheerder) Keep the case past its retention (a legal hold), with the reason."""
        instance, actor = _case_for_admin(process_instance_id)
        return service.set_hold(instance.id, actor, body["reason"])

    @blp.doc(security=AUTH)
    @blp.arguments(RetentionReasonSchema)
    @blp.response(204)
    @blp.alt_response(409, schema=ApiErrorSchema, description="The case has no legal hold.")
    @blp.errors((404, "No such case (or not yours to administer)."), (410, "The case was purged."))
    def delete(self, body, process_instance_id):
        """(beheerder) Lift the legal hold; the case's retention applies again."""
        instance, actor = _case_for_admin(process_instance_id)
        service.release_hold(instance.id, actor, body["reason"])


@blp.route("/<process_instance_id>/purge")
class Purge(MethodView):
    @blp.doc(security=AUTH)
    @blp.arguments(RetentionReasonSchema)
    @blp.response(200, PurgedSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="The case is still open: cancel it first.")
    @blp.alt_response(410, schema=ApiErrorSchema, description="The case was purged already.")
    @blp.errors((404, "No such case (or not yours to administer)."), 503)
    def post(self, body, process_instance_id):
        """(beheerder) Destroy the case's data now (an erasure request, art. 17 AVG), with the reason."""
        instance, actor = _case_for_admin(process_instance_id)
        return service.purge(instance.id, actor, body["reason"])
