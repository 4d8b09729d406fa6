"""The mails that could not be sent, for the beheerder: `/api/v1/notifications/failed-mails`."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields

from ..core.apidoc import ROLE_GATED, Blueprint
from ..core.errors import Forbidden
from ..identity.auth import current_actor, protect
from ..identity.roles import BEHEERDER
from ..core.schemas import AUTH, ApiErrorSchema, PageArgsSchema
from ..notifications import service
from ..notifications.models import MailMessage

blp = Blueprint(
    "notifications",
    __name__,
    url_prefix="/api/v1/notifications",
    description="E-mail notifications: the mails that failed (beheerder)",
)
protect(blp)
ROLE_GATED.add(blp.name)  # beheerder only: 403 otherwise


class FailedMailSchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(
        required=True, metadata={"description": "new_task, assigned, due_tomorrow, overdue, case_news or digest"}
    )
    recipient = fields.String(required=True, metadata={"description": "The username (not the address)."})
    task_id = fields.String(allow_none=True)
    instance_id = fields.String(allow_none=True)
    business_key = fields.String()
    status = fields.String(required=True, metadata={"description": "gave_up, or pending once retried"})
    attempts = fields.Integer(required=True)
    last_error = fields.String(allow_none=True)
    created_at = fields.DateTime(required=True)
    next_attempt_at = fields.DateTime(allow_none=True)


class FailedMailPageSchema(Schema):
    total = fields.Integer(required=True)
    items = fields.List(fields.Nested(FailedMailSchema), required=True)


def _require_beheerder() -> None:
    if not current_actor().has_role(BEHEERDER):
        raise Forbidden(f"This needs the role {BEHEERDER}.")


def _item(row: MailMessage, username: str) -> dict:
    item = {
        name: getattr(row, name)
        for name in (
            "id",
            "kind",
            "task_id",
            "instance_id",
            "business_key",
            "status",
            "attempts",
            "last_error",
            "created_at",
            "next_attempt_at",
        )
    }
    item["recipient"] = username
    return item


@blp.route("/failed-mails")
class FailedMails(MethodView):
    @blp.doc(security=AUTH)
    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, FailedMailPageSchema)
    def get(self, args):
        """(beheerder) The mails given up on after VB_MAIL_MAX_ATTEMPTS attempts, newest first."""
        _require_beheerder()
        rows, total = service.failed_mails(args["limit"], args["offset"])
        return {"total": total, "items": [_item(row, username) for row, username in rows]}


@blp.route("/failed-mails/<row_id:mail_id>/retry")
class RetryMail(MethodView):
    @blp.doc(security=AUTH)
    @blp.response(200, FailedMailSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="The mail has not failed (it is sent or on its way).")
    def post(self, mail_id):
        """(beheerder) Send a mail that was given up on once more (after fixing the address or the server)."""
        _require_beheerder()
        row, username = service.retry_failed_mail(mail_id)
        return _item(row, username)
