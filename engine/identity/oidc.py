"""Optional sign-in through a municipality's OpenID Connect identity provider (Authlib).

Off unless VB_OIDC_ISSUER, VB_OIDC_CLIENT_ID and VB_OIDC_CLIENT_SECRET are set. The provider only
authenticates: the user must already exist here (same username as the claim VB_OIDC_USERNAME_CLAIM,
default `preferred_username`), and their roles and municipality come from this application.
"""

from __future__ import annotations

from authlib.integrations.flask_client import OAuth
from flask import current_app

EXTENSION = "vb_oidc"
SCOPE = "openid profile email"


def oidc_configured(config) -> bool:
    return all(config.get(key) for key in ("VB_OIDC_ISSUER", "VB_OIDC_CLIENT_ID", "VB_OIDC_CLIENT_SECRET"))


def init_oidc(app) -> None:
    if not oidc_configured(app.config):
        return
    oauth = OAuth(app)  # one registry per app: tests create several apps in one process
    oauth.register(
        "idp",
        client_id=app.config["VB_OIDC_CLIENT_ID"],
        client_secret=app.config["VB_OIDC_CLIENT_SECRET"],
        server_metadata_url=app.config["VB_OIDC_ISSUER"] + "/.well-known/openid-configuration",
        client_kwargs={"scope": SCOPE, "code_challenge_method": "S256"},
    )
    app.extensions[EXTENSION] = oauth


def client():
    """The provider's client, or None when OpenID Connect is not configured."""
    oauth = current_app.extensions.get(EXTENSION)
    return oauth.idp if oauth is not None else None


def username_from(token: dict) -> str | None:
    claims = token.get("userinfo") or {}
    value = claims.get(current_app.config["VB_OIDC_USERNAME_CLAIM"])
    return str(value).strip().lower() if value else None
