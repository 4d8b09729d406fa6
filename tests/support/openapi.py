"""The published OpenAPI document as a contract: every response a test receives is checked against the operation
and status it documents.

`Contract(document).check(method, path, status, content_type, body)` returns the mismatches (empty when the
response conforms): an undocumented operation or status, a body that fails the documented schema (OpenAPI
3.0.3 read as JSON Schema: `nullable`, `$ref` into the document, objects closed to undeclared fields unless
they say `additionalProperties`, and formats such as `date-time` checked), or a content type that is not
documented. `ContractClient` is a Flask test
client that checks every answer to a path of the document and collects the mismatches in `MISMATCHES`; the
test that received them fails (tests/conftest.py).
"""

from __future__ import annotations

import copy
import json
import re
from urllib.parse import urlsplit

from flask.testing import FlaskClient
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

URN = "urn:vb:openapi"
FORMATS = Draft7Validator.FORMAT_CHECKER
assert "date-time" in FORMATS.checkers, "rfc3339-validator (the test extras) checks date-times"
MISMATCHES: list[str] = []


def to_json_schema(node, in_properties: bool = False):
    """An OpenAPI 3.0 schema object as JSON Schema draft 7."""
    if isinstance(node, list):
        return [to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    if in_properties:  # the keys of `properties` are field names, not keywords
        return {name: to_json_schema(value) for name, value in node.items()}
    result = {}
    for key, value in node.items():
        if key == "$ref":
            result[key] = URN + value
        elif key == "properties":
            result[key] = to_json_schema(value, in_properties=True)
        elif key in (
            "example",
            "examples",
            "nullable",
            "discriminator",
            "xml",
            "externalDocs",
            "deprecated",
            "readOnly",
            "writeOnly",
        ):
            continue
        else:
            result[key] = to_json_schema(value)
    if "properties" in result and "additionalProperties" not in result:
        result["additionalProperties"] = False
    if node.get("nullable"):
        if isinstance(result.get("type"), str):
            result["type"] = [result["type"], "null"]
            if "enum" in result and None not in result["enum"]:
                result["enum"] = [*result["enum"], None]
        elif "type" not in result:
            result = {"anyOf": [{"type": "null"}, result]}
    return result


def _converted(document: dict) -> dict:
    """The document with every schema object (components and inline) converted; the rest kept as it is."""
    document = copy.deepcopy(document)
    for name, schema in document.get("components", {}).get("schemas", {}).items():
        document["components"]["schemas"][name] = to_json_schema(schema)
    return document


def openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


class Contract:
    def __init__(self, document: dict):
        self.document = document
        self.converted = _converted(document)
        self.registry = Registry().with_resource(
            URN, Resource.from_contents(self.converted, default_specification=DRAFT7)
        )
        self._validators: dict = {}

    def response_for(self, method: str, path: str, status: int):
        operation = self.document["paths"].get(path, {}).get(method.lower())
        if operation is None:
            return None, f"{method} {path} is not in the document"
        responses = operation["responses"]
        response = responses.get(str(status))
        if response is None and status >= 500 and "default" in responses:
            response = responses["default"]
        if response is None:
            return (
                None,
                f"{method} {path} answered {status}, which it does not document ({', '.join(sorted(responses))})",
            )
        if "$ref" in response:
            response = self.document["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
        return response, None

    def validator(self, schema: dict) -> Draft7Validator:
        key = json.dumps(schema, sort_keys=True)
        if key not in self._validators:
            # formats are checked: a `date-time` must be RFC 3339 (an offset included), as generators parse it
            self._validators[key] = Draft7Validator(
                to_json_schema(schema), registry=self.registry, format_checker=FORMATS
            )
        return self._validators[key]

    def check(self, method: str, path: str, status: int, content_type: str | None, body) -> list[str]:
        """`path` is the document's path (with `{name}` parameters); `body` the parsed JSON or raw bytes."""
        response, problem = self.response_for(method, path, status)
        if problem:
            return [problem]
        where = f"{method} {path} {status}"
        content = response.get("content")
        if not content:
            if body not in (None, b"", ""):
                return [f"{where}: a body, where the document declares none"]
            return []
        media = (content_type or "").split(";")[0].strip()
        if media not in content:
            return [f"{where}: content type {media or 'none'}, the document declares {', '.join(content)}"]
        schema = content[media].get("schema")
        if schema is None or media != "application/json":
            return []
        return [
            f"{where}: {'/'.join(map(str, error.absolute_path)) or '(body)'}: {error.message}"
            for error in self.validator(schema).iter_errors(body)
        ]


_CONTRACTS: dict[int, Contract] = {}


def contract_for(app) -> Contract:
    """One contract per app (its document does not change while the app lives)."""
    key = id(app)
    if key not in _CONTRACTS:
        _CONTRACTS.clear()
        with app.app_context():
            from engine.db.extensions import api

            _CONTRACTS[key] = Contract(json.loads(json.dumps(api.spec.to_dict())))
    return _CONTRACTS[key]


def check_response(app, method: str, url_path: str, response) -> list[str]:
    """Check one test-client response; answers to paths outside the document (pages, /healthz) are not checked."""
    from werkzeug.exceptions import HTTPException

    adapter = app.url_map.bind("localhost")
    try:
        rule, _ = adapter.match(url_path, method=method, return_rule=True)
    except HTTPException:
        rule = None
    contract = contract_for(app)
    if rule is None or openapi_path(rule.rule) not in contract.document["paths"]:
        if url_path.startswith("/api/v1/") and not url_path.startswith("/api/v1/openapi"):
            # a 404 or 405 from the router on an API path: the error shape is still the contract
            return contract_errors_only(contract, method, url_path, response)
        return []
    body = response.get_json(silent=True) if response.is_json else response.get_data()
    return contract.check(method, openapi_path(rule.rule), response.status_code, response.content_type, body)


def contract_errors_only(contract: Contract, method, url_path, response) -> list[str]:
    body = response.get_json(silent=True)
    errors = contract.validator({"$ref": "#/components/schemas/ApiError"}).iter_errors(body)
    return [f"{method} {url_path} {response.status_code}: {e.message}" for e in errors]


class ContractClient(FlaskClient):
    """A test client that checks each answer against the app's OpenAPI document (see MISMATCHES)."""

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        request = response.request
        if request is not None and request.method not in ("HEAD", "OPTIONS"):
            MISMATCHES.extend(check_response(self.application, request.method, request.path, response))
        return response


def _template_pattern(template: str) -> re.Pattern:
    return re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + "$")


def template_for(contract: Contract, method: str, path: str) -> str | None:
    """The document's path that a real request path falls under (a literal path before one with parameters)."""
    candidates = [
        t
        for t, item in contract.document["paths"].items()
        if method.lower() in item and _template_pattern(t).match(path)
    ]
    return min(candidates, key=lambda t: t.count("{"), default=None)


def check_http_response(contract: Contract, response) -> list[str]:
    """The same check for an answer of a real server (a `requests` response), e.g. the tests' gunicorn."""
    method, path = response.request.method, urlsplit(response.request.url).path
    if method in ("HEAD", "OPTIONS"):
        return []
    media = (response.headers.get("Content-Type") or "").split(";")[0].strip()
    body = response.json() if media == "application/json" and response.content else response.content
    template = template_for(contract, method, path)
    if template is None:
        if path.startswith("/api/v1/") and not path.startswith("/api/v1/openapi"):
            errors = contract.validator({"$ref": "#/components/schemas/ApiError"}).iter_errors(body)
            return [f"{method} {path} {response.status_code}: {e.message}" for e in errors]
        return []
    return contract.check(method, template, response.status_code, media, body)


def checked_session(session, document: dict):
    """Check every answer `session` (a requests.Session) receives against `document`; mismatches go to
    MISMATCHES, where the test that received them fails (tests/conftest.py)."""
    contract = Contract(document)

    def hook(response, *args, **kwargs):
        MISMATCHES.extend(check_http_response(contract, response))
        return response

    session.hooks["response"].append(hook)
    return session
