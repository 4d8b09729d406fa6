"""CSRF protection and the security headers of every web page."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request
from flask_wtf.csrf import CSRFProtect

from .blueprint import bp

csrf = CSRFProtect()

# Scripts only from our own bundles. Styles allow inline attributes because bpmn-js and form-js set
# style attributes on the elements they draw; no inline <script> is ever needed.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def init_security(app) -> None:
    # The REST API authenticates with bearer tokens (no cookies), so CSRF applies to the web pages only:
    # they check it themselves in `_check_csrf` below instead of a global check on every blueprint.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", int(app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()))
    csrf.init_app(app)


@bp.before_request
def _check_csrf():
    if request.method in UNSAFE_METHODS:
        csrf.protect()


@bp.after_request
def _security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if request.endpoint != "web.static":
        # Pages show case data: never keep them in a shared or browser cache.
        headers.setdefault("Cache-Control", "no-store")
    return response


def safe_next(target: str | None, default: str) -> str:
    """A redirect target from user input, only when it stays on this site (no open redirects)."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target
