from flask import current_app, request
from flask.views import MethodView
from marshmallow import Schema, fields

from ..apidoc import Blueprint
from ..errors import Unauthorized
from ..schemas import AUTH, ApiErrorSchema
from .auth import bearer_token, current_actor, login_required
from .roles import ROLES
from .service import authenticate, change_password, issue_token, revoke_token

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Log in and identify the caller")


class TokenRequestSchema(Schema):
    username = fields.String(required=True)
    password = fields.String(required=True, load_only=True)


class TokenSchema(Schema):
    access_token = fields.String(required=True)
    token_type = fields.String(required=True)
    expires_in = fields.Integer(required=True)


class MeSchema(Schema):
    username = fields.String()
    display_name = fields.String()
    roles = fields.List(fields.String())
    municipality_code = fields.String(allow_none=True)


class RoleSchema(Schema):
    name = fields.String()
    description = fields.String()


@blp.route("/token")
class Token(MethodView):
    @blp.arguments(TokenRequestSchema)
    @blp.response(200, TokenSchema)
    @blp.alt_response(401, schema=ApiErrorSchema, description="Wrong username or password")
    @blp.alt_response(429, schema=ApiErrorSchema, description="Too many failed sign-ins for this account or "
                      "client address: try again after Retry-After seconds")
    def post(self, body):
        """Exchange a username and password for a bearer token."""
        user = authenticate(body["username"], body["password"], request.remote_addr or "-")
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
        from flask import g

        return g.user


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
    new_password = fields.String(required=True, load_only=True, metadata={
        "description": "At least 12 characters, not a common password, not containing the username."})


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
        change_password(current_actor().username, body["current_password"], body["new_password"],
                        request.remote_addr or "-")
