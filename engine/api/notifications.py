"""The mails that could not be sent, for the beheerder: `/api/v1/notifications/failed-mails`."""

from __future__ import annotations

import sqlalchemy as sa
from flask.views import MethodView
from marshmallow import Schema, fields

from ..core.apidoc import ROLE_GATED, Blueprint
from ..core.errors import Conflict, Forbidden, NotFound
from ..db.extensions import db
from ..identity.auth import current_actor, protect
from ..identity.models import User
from ..identity.roles import BEHEERDER
from ..core.schemas import AUTH, ApiErrorSchema, PageArgsSchema
from ..core.timeutil import utcnow
from ..notifications.models import GAVE_UP, PENDING, MailMessage

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
        query = (
            sa.select(MailMessage, User.username)
            .join(User, User.id == MailMessage.user_id)
            .where(MailMessage.status == GAVE_UP)
        )
        total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
        rows = db.session.execute(query.order_by(MailMessage.id.desc()).limit(args["limit"]).offset(args["offset"]))
        return {"total": total, "items": [_item(row, username) for row, username in rows]}


@blp.route("/failed-mails/<row_id:mail_id>/retry")
class RetryMail(MethodView):
    @blp.doc(security=AUTH)
    @blp.response(200, FailedMailSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="The mail has not failed (it is sent or on its way).")
    def post(self, mail_id):
        """(beheerder) Send a mail that was given up on once more (after fixing the address or the server)."""
        _require_beheerder()
        found = db.session.execute(
            sa.select(MailMessage, User.username)
            .join(User, User.id == MailMessage.user_id)
            .where(MailMessage.id == mail_id)
        ).first()
        if found is None:
            raise NotFound("No such mail.")
        row, username = found
        changed = db.session.execute(
            sa.update(MailMessage)
            .where(MailMessage.id == mail_id, MailMessage.status == GAVE_UP)
            .values(status=PENDING, attempts=0, next_attempt_at=utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount
        if changed != 1:
            db.session.rollback()
            raise Conflict(f"Mail {mail_id} has not failed: it is {row.status}.")
        db.session.commit()
        db.session.refresh(row)
        return _item(row, username)
