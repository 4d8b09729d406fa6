"""How the OpenAPI document describes the answers of the API.

Every error the API gives has one shape, `ApiErrorSchema` (engine/errors.py makes them); flask-smorest's own
per-status response components and its default error response use it (`Api.ERROR_SCHEMA`).

What every operation can answer is documented in two places:

- `Blueprint.errors(...)` on a view names the errors that depend on what the view does (403 for a role it
  needs, 404 for what it looks up, 409, 410 and 503 for a case's data, ...), with the usual sentence for each
  status or a sentence of its own;
- `Api` adds, when a blueprint is registered, what follows from the route itself: 401 when the blueprint needs
  a token (`protect`), 403 when the whole blueprint needs a role (`protect_api`), 400 for query parameters
  (never 422: engine/errors.py answers 400 for them), 404 for a path with parameters, 413 and 422 for a request
  body, and 503 `busy` for a change the database could not make in time.
"""
from __future__ import annotations

import flask_smorest

from .schemas import ApiErrorSchema

# The sentence used for a status when a view gives none of its own.
STANDARD = {
    400: "A query parameter is not valid: `errors.query` names each one (code `bad_request`)",
    401: "No valid bearer token: missing, expired or revoked (code `unauthorized`; WWW-Authenticate: Bearer)",
    403: "The caller's roles do not allow this (code `forbidden`)",
    404: "No such resource, or not visible to the caller (code `not_found`)",
    409: "The resource is not in a state that allows this (code `conflict`; `status` or `assignee` says why)",
    410: "The case's data was purged: `tombstone` says what remains (code `purged`)",
    413: "The request body is larger than the server accepts (code `request_entity_too_large`)",
    422: "The request body is not valid: `errors` names each field (code `validation_failed`)",
    429: "Too many failed sign-ins: try again after Retry-After seconds (code `too_many_attempts`)",
    503: "The configured key-encryption keys do not open this case's data key: `needed_key` names the key; "
         "nothing was read or changed (code `key_unavailable`)",
}
ENROLMENT = ("the caller's role needs a second factor and it has none yet: only /api/v1/auth/* answers until "
             "one is set up (code `totp_enrolment_required`)")
BUSY = ("The database was busy with other changes: nothing was changed; send the same request again after "
        "Retry-After seconds (code `busy`)")

# Errors of every route that reads or changes a case's data.
CASE_DATA = (410, 503)

RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before the next attempt",
                               "schema": {"type": "integer", "minimum": 1}}}

# Blueprint names whose routes need a token (401) or a role for every route (403); see identity.auth.protect
# and studio.access.protect_api.
PROTECTED: set[str] = set()
ROLE_GATED: set[str] = set()


def _error_response(status: int, description: str) -> dict:
    response = {"description": description,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ApiError"}}}}
    if status in (429, 503):
        response["headers"] = dict(RETRY_AFTER)
    if status == 401:
        response["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
    return response


class Blueprint(flask_smorest.Blueprint):
    def errors(self, *statuses):
        """Document error answers of a view: `@blp.errors(404, (409, "Claimed by another user"), *CASE_DATA)`;
        a bare status takes its sentence from `STANDARD`."""

        def decorator(func):
            for item in reversed(statuses):
                status, description = item if isinstance(item, tuple) else (item, STANDARD[item])
                headers = RETRY_AFTER if status in (429, 503) else None
                func = self.alt_response(status, schema=ApiErrorSchema, description=description,
                                         headers=headers)(func)
            return func

        return decorator


class Api(flask_smorest.Api):
    ERROR_SCHEMA = ApiErrorSchema

    def register_blueprint(self, blp, *, parameters=None, **options):
        super().register_blueprint(blp, parameters=parameters, **options)
        name = options.get("name", blp.name)
        for path, item in self.spec._paths.items():
            for method, operation in item.items():
                if isinstance(operation, dict) and name in operation.get("tags", ()) and "responses" in operation:
                    complete_responses(path, method, operation, name)


def _is_ref(response, name: str) -> bool:
    return response == name or (isinstance(response, dict) and response.get("$ref", "").endswith("/" + name))


def complete_responses(path: str, method: str, operation: dict, blueprint: str) -> None:
    """Add the answers that follow from the route itself to one operation of the document."""
    responses = operation["responses"] = {str(status): value for status, value in operation["responses"].items()}
    declared = {str(status) for status in responses}

    def add(status: int, description: str | None = None) -> None:
        if str(status) not in declared:
            responses[str(status)] = _error_response(status, description or STANDARD[status])
            declared.add(str(status))

    in_query = any(p.get("in") == "query" for p in operation.get("parameters", ()) if isinstance(p, dict))
    has_body = "requestBody" in operation
    if blueprint in PROTECTED:
        add(401)
    if blueprint in ROLE_GATED:
        add(403)
    if (blueprint in PROTECTED or operation.get("security")) and blueprint != "auth":
        # a role that needs a second factor opens nothing but /auth until it has one (identity/auth.py)
        add(403)
        if ENROLMENT not in responses["403"].get("description", ""):
            responses["403"]["description"] = f"{responses['403'].get('description', '')}; or: {ENROLMENT}"
    if in_query:
        add(400)
    for key in [k for k in responses if k == "422"]:
        # flask-smorest documents 422 for every `arguments`; arguments in the query answer 400 (engine/errors.py).
        if not has_body and _is_ref(responses[key], "UNPROCESSABLE_ENTITY"):
            del responses[key]
            declared.discard("422")
        elif _is_ref(responses[key], "UNPROCESSABLE_ENTITY"):
            responses[key] = _error_response(422, STANDARD[422])
    if "{" in path:
        add(404)
    if has_body:
        add(422)
        add(413)
    if method.lower() != "get":
        existing = responses.get("503")
        if existing is None:
            add(503, BUSY)
        elif isinstance(existing, dict) and BUSY not in existing.get("description", ""):
            existing["description"] = f"{existing.get('description', '')}; or: {BUSY}"
