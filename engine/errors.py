"""Errors a client can cause, and how every error becomes a JSON answer.

Services raise these; views never build error responses by hand. A 500 is a bug: it is logged with its
traceback and answered with a short JSON message that reveals nothing of the host.
"""
from __future__ import annotations

import logging

from flask import jsonify
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class ApiError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, errors=None, **extra):
        super().__init__(message)
        self.message = message
        self.errors = errors
        self.extra = extra

    def to_dict(self) -> dict:
        body = {"code": self.code, "message": self.message}
        if self.errors is not None:
            body["errors"] = self.errors
        body.update(self.extra)
        return body


class Unauthorized(ApiError):
    status = 401
    code = "unauthorized"


class Forbidden(ApiError):
    status = 403
    code = "forbidden"


class NotFound(ApiError):
    status = 404
    code = "not_found"


class Conflict(ApiError):
    status = 409
    code = "conflict"


class Unprocessable(ApiError):
    status = 422
    code = "validation_failed"


def register_error_handlers(app) -> None:
    @app.errorhandler(ApiError)
    def _api_error(err: ApiError):
        response = jsonify(err.to_dict())
        response.status_code = err.status
        if err.status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="veilig-bestuur"'
        return response

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException):
        body = {"code": err.name.lower().replace(" ", "_"), "message": err.description}
        # flask-smorest / webargs put per-field messages here for bodies that fail their schema.
        data = getattr(err, "data", None) or {}
        messages = data.get("messages")
        if messages:
            body["code"] = "validation_failed"
            body["message"] = "The request body is not valid; see errors for each field."
            body["errors"] = messages.get("json", messages) if isinstance(messages, dict) else messages
        response = jsonify(body)
        response.status_code = err.code or 500
        return response

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):
        log.exception("Unhandled error")
        response = jsonify({"code": "internal_error", "message": "An unexpected error occurred; it has been logged."})
        response.status_code = 500
        return response
