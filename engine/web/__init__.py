"""The case handler's web app: server-rendered pages (Flask, Jinja) with small JavaScript islands.

The web layer is thin: it authenticates with a session cookie, parses and authorises the request, and calls
the same services as the REST API (tasks, instances, definitions); it never calls the API over HTTP.
"""

from __future__ import annotations

from datetime import timedelta
from flask import jsonify, render_template, request

from . import pages  # noqa: F401  (registers the routes on the blueprint)
from .blueprint import bp
from .i18n import init_i18n
from ..identity.oidc import init_oidc
from .security import init_security


def init_web(app) -> None:

    # The cookie lives as long as the server-side session may (session_auth); it is unreadable to scripts
    # and not sent by other sites' forms.
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=app.config["VB_SESSION_MAX_HOURS"])
    app.config["SESSION_COOKIE_NAME"] = "vb_session"
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    secure = app.config.get("VB_SECURE_COOKIES")
    app.config["SESSION_COOKIE_SECURE"] = (not app.config["VB_DEMO"]) if secure is None else bool(secure)
    init_i18n(app)
    init_security(app)
    init_oidc(app)
    app.register_blueprint(bp)
    _html_not_found_for_people(app)


def _html_not_found_for_people(app) -> None:
    """An address that matches no route: the web's 404 page for browsers, the API's JSON for everyone else."""

    @app.errorhandler(404)
    def _not_found(err):
        for_people = request.blueprint == "web" or request.accept_mimetypes.best == "text/html"
        if request.path.startswith("/api/") or not for_people:
            response = jsonify({"code": "not_found", "message": getattr(err, "description", "Not found.")})
            response.status_code = 404
            return response
        return render_template("error.html", status=404), 404
