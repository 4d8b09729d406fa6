"""Errors a client can cause, and how every error becomes a JSON answer.

Services raise these; views never build error responses by hand. A 500 is a bug: it is logged with its
traceback and answered with a short JSON message that reveals nothing of the host.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import jsonify
from sqlalchemy.exc import DBAPIError
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


class Gone(ApiError):
    """A case whose data was destroyed at the end of its retention or on an erasure request."""

    status = 410
    code = "purged"


class Unprocessable(ApiError):
    status = 422
    code = "validation_failed"


class TooManyRequests(ApiError):
    """Answered with a Retry-After header (seconds) from `retry_after`."""

    status = 429
    code = "too_many_attempts"


class KeyUnavailable(ApiError):
    """The configured key-encryption keys do not open a case's data key: nothing is read or written."""

    status = 503
    code = "key_unavailable"


def register_error_handlers(app) -> None:
    @app.errorhandler(ApiError)
    def _api_error(err: ApiError):
        response = jsonify(err.to_dict())
        response.status_code = err.status
        if err.status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="veilig-bestuur"'
        if "retry_after" in err.extra:
            response.headers["Retry-After"] = str(err.extra["retry_after"])
        return response

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException):
        body: dict[str, Any] = {"code": err.name.lower().replace(" ", "_"), "message": err.description}
        # flask-smorest / webargs put per-field messages here for bodies that fail their schema.
        data = getattr(err, "data", None) or {}
        messages = data.get("messages")
        status = err.code or 500
        if messages:
            if isinstance(messages, dict) and set(messages) <= {"query", "path"}:
                # The request itself names something that cannot be (a bad or huge number, an unknown
                # value): 400, as for an unknown parameter; a body that fails its schema stays 422.
                status = 400
                body["code"] = "bad_request"
                body["message"] = "A query parameter is not valid; see errors for each parameter."
                body["errors"] = messages
            else:
                body["code"] = "validation_failed"
                body["message"] = "The request body is not valid; see errors for each field."
                body["errors"] = messages.get("json", messages) if isinstance(messages, dict) else messages
                _name_accepted_fields(body, data.get("schema"))
        response = jsonify(body)
        response.status_code = status
        return response

    @app.errorhandler(DBAPIError)
    def _database_error(err: DBAPIError):
        if not is_contention(err):
            return _unexpected(err)
        # Another transaction held what this one needed for too long: nothing was written (the request's
        # transaction is rolled back); the same request can simply be sent again.
        log.warning("Database busy, answered 503: %s", str(err.orig).strip()[:200])
        response = jsonify(
            {
                "code": "busy",
                "message": "The database is busy with other changes; nothing was "
                "changed. Send the same request again in a moment.",
            }
        )
        response.status_code = 503
        response.headers["Retry-After"] = "1"
        return response

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):
        log.exception("Unhandled error")
        response = jsonify({"code": "internal_error", "message": "An unexpected error occurred; it has been logged."})
        response.status_code = 500
        return response


UNKNOWN_FIELD = "Unknown field."


def _name_accepted_fields(body: dict, schema) -> None:
    """A body field the (closed) schema does not declare: say which fields it does take."""
    errors = body.get("errors")
    if schema is None or not isinstance(errors, dict):
        return
    unknown = [name for name, problems in errors.items() if problems == [UNKNOWN_FIELD]]
    if not unknown:
        return
    accepted = sorted(field.data_key or name for name, field in schema.fields.items() if not field.dump_only)
    listed = ", ".join(accepted) or "none"
    for name in unknown:
        errors[name] = [f"Unknown field; accepted: {listed}."]
    body["message"] = (
        f"The request body is not valid: unknown field {', '.join(repr(n) for n in unknown)}; the body takes: {listed}."
    )
    body["accepted"] = accepted


# PostgreSQL: serialization_failure, deadlock_detected, lock_not_available (a lock or statement timeout)
_CONTENTION_SQLSTATES = {"40001", "40P01", "55P03"}


def is_contention(err: DBAPIError) -> bool:
    """Whether a database error means "busy, try again" rather than a bug: SQLite's lock wait ran out (its
    busy timeout), or PostgreSQL gave up a transaction for a lock or a conflict."""
    orig = err.orig
    if getattr(orig, "sqlstate", None) in _CONTENTION_SQLSTATES:
        return True
    text = str(orig).lower()
    return type(orig).__module__ == "sqlite3" and ("database is locked" in text or "database table is locked" in text)
