"""How the OpenAPI document describes the answers of the API.

Every error the API gives has one shape, `ApiErrorSchema` (engine/core/errors.py makes them); flask-smorest's own
per-status response components and its default error response use it (`Api.ERROR_SCHEMA`).

What every operation can answer is documented in two places:

- `Blueprint.errors(...)` on a view names the errors that depend on what the view does (403 for a role it
  needs, 404 for what it looks up, 409, 410 and 503 for a case's data, ...), with the usual sentence for each
  status or a sentence of its own;
- `Api` adds, when a blueprint is registered, what follows from the route itself: 401 when the blueprint needs
  a token (`protect`), 403 when the whole blueprint needs a role (`protect_api`), 400 for query parameters
  (never 422: engine/core/errors.py answers 400 for them), 404 for a path with parameters, 413 and 422 for a request
  body, and 503 `busy` for a change the database could not make in time.

A query parameter that the operation does not declare is refused (400, naming it and the accepted ones) before
the view runs, on every route of the API: `Blueprint.arguments` records the names of the query schema on the
view, and `Api` checks every request of its blueprints against them (after the blueprint's authentication, so
a caller without a token still gets 401). A misspelt filter would otherwise be ignored and the answer would be
a list that is not what the client asked for.
"""

from __future__ import annotations

import json
import re
from typing import Any

import flask_smorest
from flask import current_app, request

from .errors import ApiError, NotFound, Unprocessable
from .schemas import ApiErrorSchema

# The sentence used for a status when a view gives none of its own.
STANDARD = {
    400: "A query parameter is unknown or not valid: `errors.query` names each one, `accepted` lists the ones "
    "this operation takes (code `bad_request`)",
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
ENROLMENT = (
    "the caller's role needs a second factor and it has none yet: only /api/v1/auth/* answers until "
    "one is set up (code `totp_enrolment_required`)"
)
BUSY = (
    "The database was busy with other changes: nothing was changed; send the same request again after "
    "Retry-After seconds (code `busy`)"
)

# Errors of every route that reads or changes a case's data.
CASE_DATA = (410, 503)

RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before the next attempt",
        "schema": {"type": "integer", "minimum": 1},
    }
}

# Blueprint names whose routes need a token (401) or a role for every route (403); see identity.auth.protect
# and studio.access.protect_api.
PROTECTED: set[str] = set()
ROLE_GATED: set[str] = set()


def _error_response(status: int, description: str) -> dict:
    response = {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ApiError"}}},
    }
    if status in (429, 503):
        response["headers"] = dict(RETRY_AFTER)
    if status == 401:
        response["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
    return response


QUERY_PARAMETERS = "_query_parameters"


def query_names(schema) -> frozenset[str]:
    """The names a query schema reads (its fields' data keys)."""
    instance = schema() if isinstance(schema, type) else schema
    return frozenset(field.data_key or name for name, field in instance.fields.items() if not field.dump_only)


class Blueprint(flask_smorest.Blueprint):
    def arguments(self, schema, *, location="json", **kwargs):
        decorator = super().arguments(schema, location=location, **kwargs)
        if location not in ("query", "querystring"):
            return decorator

        def record(func):
            view = decorator(func)
            setattr(view, QUERY_PARAMETERS, getattr(func, QUERY_PARAMETERS, frozenset()) | query_names(schema))
            return view

        return record

    def errors(self, *statuses):
        """Document error answers of a view: `@blp.errors(404, (409, "Claimed by another user"), *CASE_DATA)`;
        a bare status takes its sentence from `STANDARD`."""

        def decorator(func):
            for item in reversed(statuses):
                status, description = item if isinstance(item, tuple) else (item, STANDARD[item])
                headers = RETRY_AFTER if status in (429, 503) else None
                func = self.alt_response(status, schema=ApiErrorSchema, description=description, headers=headers)(func)
            return func

        return decorator


class Api(flask_smorest.Api):
    ERROR_SCHEMA = ApiErrorSchema

    def init_app(self, app, *args, **kwargs):
        super().init_app(app, *args, **kwargs)

        @app.before_request
        def _document_route():  # /api/v1/openapi.json takes no parameters either
            if request.blueprint == "api-docs":
                refuse_unknown_query_parameters()
                refuse_nul_characters()

    def register_blueprint(self, blp, *, parameters=None, **options):
        if refuse_unknown_query_parameters not in blp.before_request_funcs.get(None, ()):
            # after the blueprint's own authentication (protect), before its views; once per blueprint
            blp.before_request(refuse_unknown_query_parameters)
            blp.before_request(refuse_nul_characters)
        super().register_blueprint(blp, parameters=parameters, **options)
        name = options.get("name", blp.name)
        for path, item in self.spec._paths.items():
            for method, operation in item.items():
                if isinstance(operation, dict) and name in operation.get("tags", ()) and "responses" in operation:
                    complete_responses(path, method, operation, name)


class UnknownQueryParameter(ApiError):
    status = 400
    code = "bad_request"


def accepted_query_parameters(endpoint: str, method: str) -> frozenset[str]:
    """The query parameters the view of `endpoint` declares for `method` (none when it declares no schema)."""
    view = current_app.view_functions.get(endpoint)
    handler = view
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        method = method.lower()
        handler = getattr(view_class, method, None) or (getattr(view_class, "get", None) if method == "head" else None)
    return getattr(handler, QUERY_PARAMETERS, frozenset())


def refuse_unknown_query_parameters() -> None:
    if request.endpoint is None or not request.args:
        return
    accepted = accepted_query_parameters(request.endpoint, request.method)
    unknown = sorted(set(request.args) - accepted)
    if not unknown:
        return
    listed = ", ".join(sorted(accepted)) or "none"
    names = ", ".join(f"'{name}'" for name in unknown)
    raise UnknownQueryParameter(
        f"Unknown query parameter {names}; this operation accepts: {listed}.",
        errors={"query": {name: [f"Unknown parameter; accepted: {listed}."] for name in unknown}},
        accepted=sorted(accepted),
    )


NUL = "\x00"
# How JSON writes one (a raw NUL byte is no valid JSON at all); only a body with it is parsed here
_ESCAPED_NUL = re.compile(rb"\\u0000", re.IGNORECASE)


def _nul_fields(value) -> list[tuple]:
    """The places in a JSON value (`a.0.b`) whose key or text holds a NUL character (walked without recursion:
    a body may nest deeper than Python's stack, and is judged for that by the view)."""
    found: list[tuple] = []
    stack: list[tuple[tuple, Any]] = [((), value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            if NUL in item:
                found.append(path)
        elif isinstance(item, dict):
            for key, child in item.items():
                if NUL in str(key):
                    found.append((*path, str(key).replace(NUL, "\\0")))
                else:
                    stack.append(((*path, key), child))
        elif isinstance(item, list):
            stack.extend(((*path, index), child) for index, child in enumerate(item))
    return sorted(found, key=lambda path: ".".join(map(str, path)))


def refuse_nul_characters() -> None:
    """A NUL character is in no name, id or text a person or system means to send, and PostgreSQL's text and
    JSON cannot hold one: refused before the view reads anything (a path: 404, the query: 400, a body: 422)."""
    if any(isinstance(v, str) and NUL in v for v in (request.view_args or {}).values()):
        raise NotFound("No such resource.")
    names = sorted(
        {
            name.replace(NUL, "\\0")
            for name, values in request.args.lists()
            if NUL in name or any(NUL in v for v in values)
        }
    )
    if names:
        raise UnknownQueryParameter(
            f"The query parameter {', '.join(names)} holds a NUL character.",
            errors={"query": {name: ["Holds a NUL character."] for name in names}},
        )
    if request.is_json and _ESCAPED_NUL.search(request.get_data(cache=True)):
        try:
            body = json.loads(request.get_data(cache=True))
        except (ValueError, RecursionError):
            return  # not JSON (or nested too deep): the view says so
        fields = [".".join(map(str, path)) or "body" for path in _nul_fields(body)]
        if fields:
            raise Unprocessable(
                f"The request body holds a NUL character in {', '.join(fields)}.",
                errors={field: ["Holds a NUL character."] for field in fields},
            )


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
    add(
        400,
        None
        if in_query
        else "An unknown query parameter: this operation takes none (code `bad_request`, `errors.query` names it)",
    )
    for key in [k for k in responses if k == "422"]:
        # flask-smorest documents 422 for every `arguments`; arguments in the query answer 400 (engine/core/errors.py).
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
