from flask import current_app, request
from flask.views import MethodView
from marshmallow import Schema, fields

from ..core.apidoc import Blueprint
from ..core.errors import Unauthorized
from ..core.schemas import AUTH, ApiErrorSchema
from ..identity.auth import bearer_token, current_actor, login_required
from ..identity.roles import ROLES
from ..identity import second_factor
from ..identity.service import authenticate, change_password, disable_second_factor, issue_token, revoke_token
from flask import g

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Log in and identify the caller")


class TokenRequestSchema(Schema):
    username = fields.String(required=True)
    password = fields.String(required=True, load_only=True)
    totp_code = fields.String(
        load_only=True,
        metadata={
            "description": "For an account with a second factor: the six digits of the authenticator app, or one "
            "of its recovery codes (each works once)."
        },
    )


class TokenSchema(Schema):
    access_token = fields.String(required=True)
    token_type = fields.String(required=True)
    expires_in = fields.Integer(required=True)


class MeSchema(Schema):
    username = fields.String()
    display_name = fields.String()
    roles = fields.List(fields.String())
    municipality_code = fields.String(allow_none=True)
    totp_enabled = fields.Boolean(metadata={"description": "Whether the account signs in with a second factor."})
    totp_required = fields.Boolean(
        metadata={"description": "Whether the account's roles need one (VB_TOTP_REQUIRED_ROLES)."}
    )


class RoleSchema(Schema):
    name = fields.String()
    description = fields.String()


@blp.route("/token")
class Token(MethodView):
    @blp.arguments(TokenRequestSchema)
    @blp.response(200, TokenSchema)
    @blp.alt_response(
        401,
        schema=ApiErrorSchema,
        description="Wrong username or password (`unauthorized`); the "
        "account has a second factor and no code was sent (`totp_required`) or a wrong or used one "
        "(`totp_invalid`)",
    )
    @blp.alt_response(
        429,
        schema=ApiErrorSchema,
        description="Too many failed sign-ins for this account or client address: try again after Retry-After seconds",
    )
    def post(self, body):
        """Exchange a username and password (and, with a second factor, its code) for a bearer token. A user
        whose role needs a second factor and has none gets a token that opens only /api/v1/auth/* until the
        enrolment is confirmed (elsewhere 403 `totp_enrolment_required`)."""
        user = authenticate(body["username"], body["password"], request.remote_addr or "-", body.get("totp_code"))
        if user is None:
            raise Unauthorized("Wrong username or password.")
        token, ttl = issue_token(user, current_app.config["VB_TOKEN_TTL_SECONDS"])
        return {"access_token": token, "token_type": "Bearer", "expires_in": ttl}


@blp.route("/logout")
class Logout(MethodView):
    @blp.doc(security=AUTH)
    @blp.response(204)
    @blp.errors(401)
    @login_required
    def post(self):
        """Revoke the token this request was made with."""
        revoke_token(bearer_token())


@blp.route("/me")
class Me(MethodView):
    @blp.doc(security=AUTH)
    @blp.response(200, MeSchema)
    @blp.errors(401)
    @login_required
    def get(self):
        """The calling user, their roles and municipality."""

        user = g.user
        return {
            "username": user.username,
            "display_name": user.display_name,
            "roles": user.roles,
            "municipality_code": user.municipality_code,
            "totp_enabled": second_factor.is_enabled(user),
            "totp_required": bool(set(user.roles or ()) & second_factor.required_roles()),
        }


@blp.route("/roles")
class Roles(MethodView):
    @blp.doc(security=AUTH)
    @blp.response(200, RoleSchema(many=True))
    @blp.errors(401)
    @login_required
    def get(self):
        """The roles of the threat response (candidate groups in the diagrams)."""
        current_actor()
        return [{"name": name, "description": text} for name, text in ROLES.items()]


class PasswordChangeSchema(Schema):
    current_password = fields.String(required=True, load_only=True)
    new_password = fields.String(
        required=True,
        load_only=True,
        metadata={"description": "At least 12 characters, not a common password, not containing the username."},
    )


@blp.route("/password")
class Password(MethodView):
    @login_required  # outermost: without a token the answer is 401, before the body is read
    @blp.doc(security=AUTH)
    @blp.arguments(PasswordChangeSchema)
    @blp.response(204)
    @blp.alt_response(401, schema=ApiErrorSchema, description="The current password is wrong")
    @blp.alt_response(422, schema=ApiErrorSchema, description="The new password does not meet the policy")
    @blp.alt_response(429, schema=ApiErrorSchema, description="Too many failed sign-ins: try again later")
    def post(self, body):
        """Change the caller's own password (the current one is asked again). Every token and web session of
        the account ends, this one too: sign in again with the new password."""
        change_password(
            current_actor().username, body["current_password"], body["new_password"], request.remote_addr or "-"
        )


class EnrolmentSchema(Schema):
    secret = fields.String(required=True, metadata={"description": "The secret (base32), to type into the app."})
    otpauth_uri = fields.String(
        required=True, metadata={"description": "The same as an otpauth:// URI (the QR code's content)."}
    )


class CodeSchema(Schema):
    code = fields.String(required=True, load_only=True, metadata={"description": "Six digits of the app."})


class RecoveryCodesSchema(Schema):
    recovery_codes = fields.List(
        fields.String(),
        required=True,
        metadata={
            "description": "Ten one-time codes for when the app is lost: shown only now, stored only as digests."
        },
    )


class DisableSchema(Schema):
    password = fields.String(required=True, load_only=True)
    code = fields.String(
        required=True, load_only=True, metadata={"description": "A code of the app or a recovery code."}
    )


@blp.route("/totp/enrolment")
class TotpEnrolment(MethodView):
    @login_required
    @blp.doc(security=AUTH)
    @blp.response(201, EnrolmentSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="A second factor is already set up")
    @blp.errors(401)
    def post(self):
        """Start setting up a second factor: a new secret for an authenticator app (shown once; an earlier
        unconfirmed one is replaced). Confirm it with its first code."""
        view = second_factor.begin_enrolment(_local_user())
        return {"secret": view["secret"], "otpauth_uri": view["otpauth_uri"]}


@blp.route("/totp/enrolment/confirm")
class TotpConfirm(MethodView):
    @login_required
    @blp.doc(security=AUTH)
    @blp.arguments(CodeSchema)
    @blp.response(200, RecoveryCodesSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="No enrolment waits for its first code")
    @blp.alt_response(422, schema=ApiErrorSchema, description="The code is not correct")
    @blp.errors(401)
    def post(self, body):
        """Confirm the enrolment with the first code of the app. From now on a sign-in asks for a code; the
        answer holds the ten recovery codes, shown only this once."""
        return {"recovery_codes": second_factor.confirm_enrolment(_local_user(), body["code"])}


@blp.route("/totp/disable")
class TotpDisable(MethodView):
    @login_required
    @blp.doc(security=AUTH)
    @blp.arguments(DisableSchema)
    @blp.response(204)
    @blp.alt_response(
        401, schema=ApiErrorSchema, description="The password (`unauthorized`) or the code (`totp_invalid`) is wrong"
    )
    @blp.alt_response(409, schema=ApiErrorSchema, description="The account has no second factor")
    @blp.alt_response(429, schema=ApiErrorSchema, description="Too many failed sign-ins: try again later")
    def post(self, body):
        """Switch the second factor off (the password and a code are asked again); its recovery codes end."""
        disable_second_factor(current_actor().username, body["password"], body["code"], request.remote_addr or "-")


def _local_user():
    current_actor()
    return g.user
