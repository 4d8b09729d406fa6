"""OpenID Connect sign-in against a small identity provider served on 127.0.0.1 by the test itself."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from joserfc import jwt  # Authlib's own JOSE library (a dependency of Authlib==1.9.10)
from joserfc.jwk import RSAKey

from engine import create_app
from engine.demo.users import seed_demo
from engine.db.extensions import db

from .conftest import WebClient

CLIENT_ID, CLIENT_SECRET = "veilig-bestuur", "s3cret"


class FakeIdentityProvider:
    """Discovery, JWKS and token endpoints; the authorization step is the test reading the redirect."""

    def __init__(self):
        self.key = RSAKey.generate_key(2048, parameters={"kid": "k1"})
        self.codes: dict = {}  # code -> (nonce, username)
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, body, status=200):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                if self.path == "/.well-known/openid-configuration":
                    self._json(
                        {
                            "issuer": provider.issuer,
                            "authorization_endpoint": provider.issuer + "/authorize",
                            "token_endpoint": provider.issuer + "/token",
                            "jwks_uri": provider.issuer + "/jwks",
                            "response_types_supported": ["code"],
                            "subject_types_supported": ["public"],
                            "id_token_signing_alg_values_supported": ["RS256"],
                        }
                    )
                elif self.path == "/jwks":
                    self._json({"keys": [provider.key.as_dict(private=False)]})
                else:
                    self._json({"error": "not_found"}, 404)

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                form = parse_qs(self.rfile.read(length).decode())
                code = form.get("code", [""])[0]
                if self.path != "/token" or code not in provider.codes:
                    self._json({"error": "invalid_grant"}, 400)
                    return
                nonce, username = provider.codes.pop(code)
                now = int(time.time())
                claims = {
                    "iss": provider.issuer,
                    "aud": CLIENT_ID,
                    "sub": f"sub-{username}",
                    "nonce": nonce,
                    "iat": now,
                    "exp": now + 300,
                    "preferred_username": username,
                }
                id_token = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, provider.key)
                self._json(
                    {"access_token": "at-" + code, "token_type": "Bearer", "expires_in": 300, "id_token": id_token}
                )

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.issuer = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()


@pytest.fixture
def idp():
    with FakeIdentityProvider() as provider:
        yield provider


@pytest.fixture
def oidc_app(database_url, idp):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "TESTING": True,
            "VB_DEMO": True,
            "VB_AUTO_MIGRATE": False,
            "SECRET_KEY": "test-secret",
            "VB_OIDC_ISSUER": idp.issuer,
            "VB_OIDC_CLIENT_ID": CLIENT_ID,
            "VB_OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "VB_OIDC_LABEL": "Inloggen met eHerkenning-test",
        }
    )
    with app.app_context():
        seed_demo()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _authorize(client: WebClient, next_path="/cases"):
    response = client.get(f"/login/oidc?next={next_path}")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    return location, {k: v[0] for k, v in parse_qs(location.query).items()}


def test_sign_in_through_the_identity_provider(oidc_app, idp):
    client = WebClient(oidc_app)
    assert "Inloggen met eHerkenning-test" in client.get("/login").get_data(as_text=True)
    location, params = _authorize(client)
    assert f"{location.scheme}://{location.netloc}" == idp.issuer and location.path == "/authorize"
    assert params["client_id"] == CLIENT_ID and params["response_type"] == "code"
    assert params["code_challenge_method"] == "S256" and "openid" in params["scope"].split()
    assert params["redirect_uri"].endswith("/login/oidc/callback")
    idp.codes["code-1"] = (params["nonce"], "gemeente.westbetuwe")

    response = client.get(f"/login/oidc/callback?code=code-1&state={params['state']}")
    assert response.status_code == 302 and response.headers["Location"] == "/cases"
    page = client.get("/").get_data(as_text=True)
    assert "Gemeente West Betuwe (OOV)" in page


def test_a_tampered_state_is_refused(oidc_app, idp):
    client = WebClient(oidc_app)
    _, params = _authorize(client)
    idp.codes["code-2"] = (params["nonce"], "politie")
    response = client.get("/login/oidc/callback?code=code-2&state=forged")
    assert response.status_code == 401
    assert "Inloggen via uw organisatie is niet gelukt" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_a_wrong_nonce_is_refused(oidc_app, idp):
    client = WebClient(oidc_app)
    _, params = _authorize(client)
    idp.codes["code-3"] = ("another-nonce", "politie")
    response = client.get(f"/login/oidc/callback?code=code-3&state={params['state']}")
    assert response.status_code == 401
    assert client.get("/").status_code == 302


def test_an_account_unknown_here_is_refused(oidc_app, idp):
    client = WebClient(oidc_app)
    _, params = _authorize(client)
    idp.codes["code-4"] = (params["nonce"], "stranger")
    response = client.get(f"/login/oidc/callback?code=code-4&state={params['state']}")
    assert response.status_code == 403
    assert "is hier niet bekend" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302
