"""Route files: what an event from an outside system does. One YAML file per source in `webhooks/`.

    source: politie
    secret_env: VB_WEBHOOK_SECRET_POLITIE
    events:
      melding.geregistreerd:
        start: {process: threat_response, variables: {melding_nummer: /data/melding_nummer},
                constants: {reporter_is_office_holder: false}}
        schema: {type: object, required: [melding_nummer], properties: {melding_nummer: {type: string}}}
      aangifte.geregistreerd:
        message: {name: aangifte_geregistreerd, correlation_key: /data/zaak_referentie, variables: {...}}
        schema: {...}

Paths point into the whole payload (`{"type", "timestamp", "data"}`); `schema` is the JSON Schema of its
`data` object. Every file is checked when the app starts; a problem stops the start with the file, the
place in the file and what to change.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError

from ..core.config import webhook_secret
from .demo_secrets import DEMO_SECRETS
from .paths import PathError, PayloadPath
from .signatures import SecretError, parse_secrets
from .yaml_files import read_document

log = logging.getLogger(__name__)

SOURCE_NAME = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
EVENT_TYPE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
MESSAGE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,199}$")
VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,99}$")
PROCESS_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,199}$")
ENVELOPE_FIELDS = {"type", "timestamp"}
# Set by the engine when a case starts; a route cannot write them.
RESERVED_VARIABLES = {"business_key"}

START = "start"
MESSAGE = "message"

# The structure of a route file; the checks after it are about meaning (paths, schema, names).
ROUTE_FILE_SCHEMA = {
    "type": "object",
    "required": ["source", "secret_env", "events"],
    "additionalProperties": False,
    "properties": {
        "source": {"type": "string"},
        "description": {"type": "string"},
        "secret_env": {"type": "string"},
        "events": {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": {
                "type": "object",
                "required": ["schema"],
                "additionalProperties": False,
                "properties": {
                    "description": {"type": "string"},
                    "schema": {"type": "object"},
                    "start": {
                        "type": "object",
                        "required": ["process"],
                        "additionalProperties": False,
                        "properties": {
                            "process": {"type": "string"},
                            "variables": {"type": "object", "additionalProperties": {"type": "string"}},
                            "constants": {"type": "object"},
                        },
                    },
                    "message": {
                        "type": "object",
                        "required": ["name", "correlation_key"],
                        "additionalProperties": False,
                        "properties": {
                            "name": {"type": "string"},
                            "correlation_key": {"type": "string"},
                            "variables": {"type": "object", "additionalProperties": {"type": "string"}},
                            "constants": {"type": "object"},
                        },
                    },
                },
                "oneOf": [{"required": ["start"]}, {"required": ["message"]}],
            },
        },
    },
}


class RouteFileError(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("The webhook route files have errors:\n  " + "\n  ".join(problems))


def _date_time(value) -> bool:
    """RFC 3339 date-time: a date, 'T', a time and an offset (jsonschema needs an extra package for it)."""
    if not isinstance(value, str):
        return True
    if not re.match(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})$", value):
        return False
    try:
        datetime.fromisoformat(value.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


FORMATS = FormatChecker()
for _name, _check in Draft202012Validator.FORMAT_CHECKER.checkers.items():
    FORMATS.checkers[_name] = _check
FORMATS.checks("date-time")(_date_time)


@dataclass(frozen=True)
class EventRoute:
    source: str
    event_type: str
    action: str  # START or MESSAGE
    target: str  # the process id, or the message name
    variables: dict  # variable name -> PayloadPath
    correlation_key: PayloadPath | None
    validator: Draft202012Validator = field(compare=False, repr=False)
    description: str = ""
    constants: dict = field(default_factory=dict)  # variable name -> a fixed JSON value

    def describe(self) -> dict:
        body = {
            "event_type": self.event_type,
            "description": self.description,
            "action": self.action,
            "variables": {k: str(v) for k, v in self.variables.items()},
            "constants": dict(self.constants),
        }
        if self.action == START:
            body["process_id"] = self.target
        else:
            body["message_name"] = self.target
            body["correlation_key"] = str(self.correlation_key)
        return body


@dataclass(frozen=True)
class SourceRoutes:
    source: str
    secret_env: str
    file: str
    events: dict  # event type -> EventRoute
    description: str = ""

    def secret_keys(self) -> list[bytes] | None:
        """The keys that may sign this source's deliveries; None when its variable is not set."""
        value = webhook_secret(self.secret_env)
        return _keys(value) if value else None


@lru_cache(maxsize=64)
def _keys(value: str) -> list[bytes]:
    return parse_secrets(value)


@dataclass(frozen=True)
class RouteTable:
    directory: str
    sources: dict = field(default_factory=dict)  # source -> SourceRoutes

    def get(self, source: str) -> SourceRoutes | None:
        return self.sources.get(source)

    def message_routes(self):
        for routes in self.sources.values():
            yield from routes.events.values()


def _schema_declares(schema: dict, segments: tuple) -> bool:
    """Whether a path below `data` is declared by the data schema (properties, nested objects, list items)."""
    node = schema
    for segment in segments:
        if not isinstance(node, dict):
            return False
        if segment.isdigit() and isinstance(node.get("items"), dict):
            node = node["items"]
            continue
        properties = node.get("properties") or {}
        if segment not in properties:
            return False
        node = properties[segment]
    return True


def _schema_requires(schema: dict, segments: tuple) -> bool:
    """Whether the payload is guaranteed to have a value at a path below `data`."""
    node = schema
    for segment in segments:
        if not isinstance(node, dict) or segment not in (node.get("required") or []):
            return False
        node = (node.get("properties") or {}).get(segment)
    return True


def _check_path(problems: list, where: str, text, schema: dict, required: bool = False) -> PayloadPath | None:
    try:
        path = PayloadPath.parse(text)
    except PathError as err:
        problems.append(f"{where}: {err}")
        return None
    head, rest = path.segments[0], path.segments[1:]
    if head in ENVELOPE_FIELDS and not rest:
        return path
    if head != "data" or not rest:
        problems.append(
            f"{where}: '{text}' must point into the payload's data (e.g. /data/field) or be /type or /timestamp"
        )
        return None
    if not _schema_declares(schema, rest):
        problems.append(f"{where}: '{text}' is not declared in the event's schema (add it under properties)")
        return None
    if required and not _schema_requires(schema, rest):
        problems.append(f"{where}: '{text}' must be listed as required in the event's schema")
        return None
    return path


def _variables(problems: list, where: str, mapping: dict | None, schema: dict) -> dict:
    variables = {}
    for name, text in (mapping or {}).items():
        if not VARIABLE_NAME.match(str(name)):
            problems.append(
                f"{where}.{name}: a variable name has letters, digits and '_' and does not start with a digit"
            )
            continue
        if name in RESERVED_VARIABLES:
            problems.append(f"{where}.{name}: '{name}' is set by the engine and cannot come from a payload")
            continue
        path = _check_path(problems, f"{where}.{name}", text, schema)
        if path is not None:
            variables[name] = path
    return variables


def _is_json(value, depth: int = 0) -> bool:
    if depth > 10:
        return False
    if isinstance(value, float):
        return math.isfinite(value)
    if value is None or isinstance(value, (str, bool, int)):
        return True
    if isinstance(value, list):
        return all(_is_json(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_json(v, depth + 1) for k, v in value.items())
    return False


def _constants(problems: list, where: str, mapping: dict | None, variables: dict) -> dict:
    """Fixed values an event sets besides those from the payload: facts that follow from the route itself
    (a report from a police desk is never made by the office holder personally)."""
    constants = {}
    for name, value in (mapping or {}).items():
        if not VARIABLE_NAME.match(str(name)):
            problems.append(
                f"{where}.{name}: a variable name has letters, digits and '_' and does not start with a digit"
            )
        elif name in RESERVED_VARIABLES:
            problems.append(f"{where}.{name}: '{name}' is set by the engine and cannot be set by a route")
        elif name in variables:
            problems.append(
                f"{where}.{name}: '{name}' is also taken from the payload under variables; set it in one place"
            )
        elif not _is_json(value):
            problems.append(
                f"{where}.{name}: a constant is text, a number, true/false, null or a list or object of "
                f"those (write a date in quotes: '2026-01-01')"
            )
        else:
            constants[name] = value
    return constants


def _event_route(problems: list, source: str, event_type: str, spec: dict) -> EventRoute | None:
    where = f"events.{event_type}"
    if not EVENT_TYPE.match(event_type):
        problems.append(f"{where}: an event type is lower-case words joined by dots, e.g. aangifte.geregistreerd")
        return None
    schema = spec["schema"]
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as err:
        at = ".".join(str(p) for p in err.absolute_path)
        problems.append(f"{where}.schema{'.' + at if at else ''}: not a valid JSON Schema: {err.message}")
        return None
    if schema.get("type") != "object":
        problems.append(f"{where}.schema: the data of an event is an object: write 'type: object'")
        return None
    before = len(problems)
    if "start" in spec:
        process_id = spec["start"]["process"]
        if not PROCESS_ID.match(process_id):
            problems.append(f"{where}.start.process: '{process_id}' is not a process id")
        variables = _variables(problems, f"{where}.start.variables", spec["start"].get("variables"), schema)
        constants = _constants(problems, f"{where}.start.constants", spec["start"].get("constants"), variables)
        action, target, key = START, process_id, None
    else:
        message = spec["message"]
        if not MESSAGE_NAME.match(message["name"]):
            problems.append(f"{where}.message.name: '{message['name']}' is not a message name (letters, digits, '_')")
        key = _check_path(
            problems, f"{where}.message.correlation_key", message["correlation_key"], schema, required=True
        )
        variables = _variables(problems, f"{where}.message.variables", message.get("variables"), schema)
        constants = _constants(problems, f"{where}.message.constants", message.get("constants"), variables)
        action, target = MESSAGE, message["name"]
    if len(problems) > before:
        return None
    return EventRoute(
        source=source,
        event_type=event_type,
        action=action,
        target=target,
        variables=variables,
        correlation_key=key,
        validator=Draft202012Validator(schema, format_checker=FORMATS),
        description=spec.get("description", "").strip(),
        constants=constants,
    )


def _structure_problem(err) -> str:
    at = ".".join(str(p) for p in err.absolute_path)
    if err.validator == "oneOf":
        message = "give either 'start' or 'message' (exactly one)"
    elif err.validator == "additionalProperties":
        message = err.message.replace("Additional properties are not allowed", "unknown key(s)")
    else:
        message = err.message
    return f"{at or '(top)'}: {message}"


def load_source(path: Path) -> tuple[SourceRoutes | None, list[str]]:
    """One route file; returns the routes or the problems (each naming the place in the file)."""
    problems: list[str] = []
    document, unusable = read_document(path, path.name, ROUTE_FILE_SCHEMA, _structure_problem)
    if unusable:
        return None, unusable
    source = document["source"]
    if source != path.stem:
        problems.append(f"source: '{source}' must equal the file name ({path.stem})")
    if not SOURCE_NAME.match(source):
        problems.append("source: a source name is 2-40 lower-case letters, digits or '_'")
    expected_env = f"VB_WEBHOOK_SECRET_{source.upper()}"
    if document["secret_env"] != expected_env:
        problems.append(f"secret_env: must be {expected_env}")
    events = {}
    for event_type, spec in document["events"].items():
        route = _event_route(problems, source, event_type, spec)
        if route is not None:
            events[event_type] = route
    if problems:
        return None, [f"{path.name}: {p}" for p in problems]
    return SourceRoutes(
        source=source,
        secret_env=expected_env,
        file=path.name,
        events=events,
        description=(document.get("description") or "").strip(),
    ), []


def load_routes(directory) -> RouteTable:
    """Every `*.yaml` file of the directory (not its subfolders). A missing directory means no routes."""
    directory = Path(directory)
    table = RouteTable(str(directory))
    if not directory.is_dir():
        return table
    problems = []
    for path in sorted(list(directory.glob("*.yaml")) + list(directory.glob("*.yml"))):
        routes, found = load_source(path)
        problems.extend(found)
        if routes is not None:
            if routes.source in table.sources:
                problems.append(
                    f"{path.name}: source '{routes.source}' is also defined in {table.sources[routes.source].file}"
                )
            table.sources[routes.source] = routes
    if problems:
        raise RouteFileError(problems)
    return table


def missing_secrets(table: RouteTable) -> list:
    """The sources whose secret is not set: (source, variable)."""
    return [
        (routes.source, routes.secret_env) for routes in table.sources.values() if not webhook_secret(routes.secret_env)
    ]


def warn_missing_secrets(table: RouteTable) -> None:
    for source, variable in missing_secrets(table):
        log.warning("Webhook source '%s' has no secret (%s is not set): its deliveries are refused.", source, variable)


def check_secrets(table: RouteTable, demo: bool = True) -> list[str]:
    """Problems with the configured secrets (a malformed value, or outside the demo one of the public demo
    secrets, stops the start). A source without a secret answers 503 until one is set; that is said by
    `warn_missing_secrets` where deliveries are served, not by every command that loads the app (deploy,
    seed-demo, the scheduler)."""
    problems = []
    for routes in table.sources.values():
        value = webhook_secret(routes.secret_env)
        if not demo and set(value.split()) & set(DEMO_SECRETS.values()):
            problems.append(
                f"{routes.secret_env} holds the demo secret of `make run`, which is public: set a "
                "secret of your own (outside the demo, VB_DEMO)"
            )
            continue
        if not value:
            continue
        try:
            _keys(value)
        except SecretError as err:
            problems.append(f"{routes.secret_env}: {err} (several secrets are separated by spaces)")
    return problems
