"""Error pages of the web app: HTML for people, never the API's JSON, and never a hint that a case exists
when the viewer may not see it."""

from __future__ import annotations

import logging

from flask import render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ...core.errors import ApiError
from ..blueprint import bp

log = logging.getLogger(__name__)


def _page(status: int, message: str | None = None):
    return render_template("error.html", status=status, message=message), status


def _wants_json() -> bool:
    return request.path.endswith(".json") or request.accept_mimetypes.best == "application/json"


@bp.errorhandler(CSRFError)
def _csrf_error(err):
    if _wants_json():
        return {"code": "csrf_failed", "message": err.description}, 400
    return _page(400, "csrf")


@bp.errorhandler(ApiError)
def _api_error(err: ApiError):
    if _wants_json():
        return err.to_dict(), err.status
    return _page(err.status, err.message if err.status not in (401, 403, 404) else None)


@bp.errorhandler(HTTPException)
def _http_error(err: HTTPException):
    if _wants_json():
        return {"code": err.name.lower().replace(" ", "_"), "message": err.description}, err.code or 500
    return _page(err.code or 500)


@bp.errorhandler(Exception)
def _unexpected(err: Exception):
    log.exception("Unhandled error on a web page")
    return _page(500)
