"""The events outside systems can subscribe to.

Case events come straight from a case's audit trail (`CASE_EVENTS`). Domain events (such as
`compensation.decided`) are declared in `webhooks/outbound/events.yaml`: each fires when a case catches a
named message or completes a named element, and may carry a few case variables as facts:

    events:
      compensation.decided:
        description: BZK heeft besloten over de tegemoetkoming
        when: {element: decision_reached}             # or {message: <BPMN message name>}
        process: threat_response                      # optional: only cases of this process
        facts: [compensation_decision, granted_amount]
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


from .route_files import EVENT_TYPE, MESSAGE_NAME, PROCESS_ID, VARIABLE_NAME, RouteFileError
from .yaml_files import read_document

CASE_EVENTS = {
    "case.started": "Een zaak is gestart / a case was started",
    "case.completed": "Een zaak is afgerond / a case was completed",
    "case.incident": "Een zaak staat stil door een fout / a case stopped on an error",
    "task.created": "Een taak staat klaar / a user task was opened",
    "task.completed": "Een taak is afgerond / a user task was completed",
    "message.received": "Een zaak ontving een bericht / a case caught a message",
}

DOMAIN_EVENTS_FILE = Path("outbound") / "events.yaml"

_FILE_SCHEMA = {
    "type": "object",
    "required": ["events"],
    "additionalProperties": False,
    "properties": {
        "events": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "required": ["when"],
                "additionalProperties": False,
                "properties": {
                    "description": {"type": "string"},
                    "process": {"type": "string"},
                    "facts": {"type": "array", "items": {"type": "string"}},
                    "when": {
                        "type": "object",
                        "additionalProperties": False,
                        "minProperties": 1,
                        "maxProperties": 1,
                        "properties": {"message": {"type": "string"}, "element": {"type": "string"}},
                    },
                },
            },
        }
    },
}


@dataclass(frozen=True)
class DomainEvent:
    event_type: str
    description: str
    message: str | None
    element: str | None
    process_id: str | None
    facts: tuple

    def matches(self, audit_event: dict, process_id: str) -> bool:
        if self.process_id and self.process_id != process_id:
            return False
        if self.message:
            return (
                audit_event["event"] == "message.received"
                and (audit_event.get("details") or {}).get("message") == self.message
            )
        return (
            audit_event["event"] in ("element.completed", "task.completed")
            and audit_event.get("element_id") == self.element
        )


def load_domain_events(directory) -> dict:
    """The domain events of `<directory>/outbound/events.yaml` (none when the file does not exist)."""
    path = Path(directory) / DOMAIN_EVENTS_FILE
    if not path.is_file():
        return {}
    name = str(DOMAIN_EVENTS_FILE)
    document, unusable = read_document(path, name, _FILE_SCHEMA)
    if unusable:
        raise RouteFileError(unusable)
    problems, events = [], {}
    for event_type, spec in document["events"].items():
        where = f"{name}: events.{event_type}"
        if not EVENT_TYPE.match(event_type) or event_type in CASE_EVENTS:
            problems.append(f"{where}: choose a dotted lower-case name that is not a case event")
            continue
        when = spec["when"]
        if "message" in when and not MESSAGE_NAME.match(when["message"]):
            problems.append(f"{where}.when.message: '{when['message']}' is not a message name")
        if "element" in when and not PROCESS_ID.match(when["element"]):
            problems.append(f"{where}.when.element: '{when['element']}' is not an element id")
        if spec.get("process") and not PROCESS_ID.match(spec["process"]):
            problems.append(f"{where}.process: '{spec['process']}' is not a process id")
        bad = [f for f in spec.get("facts", []) if not VARIABLE_NAME.match(f)]
        if bad:
            problems.append(f"{where}.facts: not variable names: {', '.join(bad)}")
        events[event_type] = DomainEvent(
            event_type,
            spec.get("description", "").strip(),
            when.get("message"),
            when.get("element"),
            spec.get("process"),
            tuple(spec.get("facts", [])),
        )
    if problems:
        raise RouteFileError(problems)
    return events


def catalog(domain_events: dict) -> dict:
    """Every event type a subscription may name, with its description."""
    result = dict(CASE_EVENTS)
    result.update({name: event.description for name, event in domain_events.items()})
    return result
