from flask.views import MethodView
from marshmallow import Schema, fields, validate

from ..core.apidoc import Blueprint
from ..core.errors import NotFound
from ..identity.auth import current_actor, protect
from ..core.apidoc import CASE_DATA
from ..core.schemas import AUTH, ApiErrorSchema
from ..messages.service import deliver_to_visible_cases
from ..cases.service import _clean_variables

blp = Blueprint(
    "messages", __name__, url_prefix="/api/v1/messages", description="Deliver BPMN messages to waiting cases"
)
protect(blp)


class MessageSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    business_key = fields.String(required=True, validate=validate.Length(min=1, max=120))
    variables = fields.Dict(keys=fields.String(), load_default=dict)


class DeliverySchema(Schema):
    delivered_to = fields.List(fields.String())


@blp.route("")
class Messages(MethodView):
    @blp.doc(security=AUTH)
    @blp.arguments(MessageSchema)
    @blp.response(200, DeliverySchema)
    @blp.alt_response(404, schema=ApiErrorSchema, description="No visible case waits for this message")
    @blp.errors(
        (403, "The caller does not stand for a sender of this message (audited)"),
        (409, "The case that waits has ended or changed at the same moment"),
        (422, "A variable the message does not declare, or the body fails its schema"),
        *CASE_DATA,
    )
    def post(self, body):
        """Deliver a message to the case with this business key that waits for it; its variables are
        merged into the case data. The caller must be able to see the case."""
        actor = current_actor()

        variables = _clean_variables(body["variables"])
        delivered = deliver_to_visible_cases(body["name"], body["business_key"], variables, actor)
        if not delivered:
            raise NotFound(f"No case with business key '{body['business_key']}' waits for '{body['name']}'.")
        return {"delivered_to": delivered}
