"""Whether the webhook routes and the outbound domain events fit the deployed processes.

Checked against the latest deployed version of every process (with the processes it calls):
- a start route names a deployed, executable process and sets every variable that process reads and
  nothing in it writes (what its start form asks for otherwise);
- a message route names a message a deployed process catches, from a source the process declares as its
  sender, with only the variables it declares (else its deliveries are refused); where the catching event
  keeps the payload
  under `camunda:resultVariable` (a script then copies the fields it knows), every variable of the route is
  a field the process's scripts read, so nothing the sender sends is silently dropped;
- a domain event names an element of (or a message caught by) its process, and each fact is a variable that
  process, its start form or a start route writes and no form marks sensitive (those are never sent).
Each line is (level, text) with level "ok" or "warning".
"""

from __future__ import annotations

from ..definitions.service import latest_process_versions, message_senders_of
from .process_variables import process_variables
from .route_files import START


def _names(values) -> str:
    return ", ".join(sorted(values))


def _start_route(label: str, route, version, variables) -> list:
    if version is None:
        return [("warning", f"{label}: starts '{route.target}', which is not deployed")]
    if not version.executable:
        return [("warning", f"{label}: starts '{route.target}', which is not executable (isExecutable=false)")]
    given = set(route.variables) | set(route.constants)
    missing = variables.needed_at_start - given
    if missing:
        return [
            (
                "warning",
                f"{label}: {route.target} needs {_names(missing)} from its start (its start form asks "
                f"for it), which the route does not set: map it from the payload or set it as a constant",
            )
        ]
    return [("ok", f"{label}: starts {route.target} v{version.version}")]


def _message_route(label: str, source: str, route, catchers: list) -> list:
    if not catchers:
        return [("warning", f"{label}: no deployed process catches message '{route.target}'")]
    given = set(route.variables) | set(route.constants)
    refused = []
    for version in {id(c[0]): c[0] for c in catchers}.values():
        declared = message_senders_of(version).get(route.target) or {"senders": [], "variables": []}
        if source not in declared["senders"]:
            refused.append(
                (
                    "warning",
                    f"{label}: {version.process_id} v{version.version} declares "
                    f"'{route.target}' sent only by {_names(declared['senders']) or 'nobody'}: "
                    f"deliveries from {source} are refused",
                )
            )
        undeclared = given - set(declared["variables"])
        if undeclared:
            refused.append(
                (
                    "warning",
                    f"{label}: {version.process_id} v{version.version} declares no variable "
                    f"{_names(undeclared)} for '{route.target}': deliveries are refused",
                )
            )
    dropped: dict = {}  # (result variable, fields never read) -> the catching processes
    for version, variables, element_id, result_variable in catchers:
        never_read = given - variables.payload_keys if result_variable else set()
        if never_read:
            key = (result_variable, tuple(sorted(never_read)))
            dropped.setdefault(key, []).append(f"{version.process_id} v{version.version} ({element_id})")
    if refused or dropped:
        return refused + [
            (
                "warning",
                f"{label}: {', '.join(where)} keep(s) the message under '{variable}' and "
                f"copy only the fields the diagram knows; never read: {_names(fields)}",
            )
            for (variable, fields), where in dropped.items()
        ]
    caught_by = ", ".join(f"{v.process_id} v{v.version} ({e})" for v, _, e, _ in catchers)
    return [("ok", f"{label}: message {route.target} caught by {caught_by}")]


def _domain_event(event, analysed: dict, start_variables: dict) -> list:
    label = f"outbound {event.event_type}"
    candidates = [(v, pv) for v, pv in analysed.values() if event.process_id in (None, v.process_id)]
    if event.process_id and not candidates:
        return [("warning", f"{label}: process '{event.process_id}' is not deployed")]
    if event.message:
        matching = [(v, pv) for v, pv in candidates if event.message in pv.catches]
        trigger = f"message '{event.message}'"
    else:
        matching = [(v, pv) for v, pv in candidates if event.element in pv.elements]
        trigger = f"element '{event.element}'"
    if not matching:
        return [
            (
                "warning",
                f"{label}: no deployed process{' ' + event.process_id if event.process_id else ''} "
                f"has {trigger}: the event never fires",
            )
        ]
    lines = []
    for version, variables in matching:
        known = variables.writes | variables.start_form | start_variables.get(version.process_id, set())
        unknown = set(event.facts) - known
        sensitive = set(event.facts) & set(version.model.get("sensitive_keys") or [])
        if unknown:
            lines.append(("warning", f"{label}: {version.process_id} v{version.version} never sets {_names(unknown)}"))
        if sensitive:
            lines.append(
                (
                    "warning",
                    f"{label}: {_names(sensitive)} marked sensitive in a form of "
                    f"{version.process_id}: never sent, remove it from the facts",
                )
            )
    if not lines:
        processes = ", ".join(f"{v.process_id} v{v.version}" for v, _ in matching)
        lines.append(("ok", f"{label}: on {trigger} of {processes}, facts {_names(event.facts) or '(none)'}"))
    return lines


def alignment(routes, domain_events: dict) -> list[tuple[str, str]]:
    """(level, text) for every route and every domain event, against the deployed processes."""
    versions = {v.process_id: v for v in latest_process_versions()}
    analysed = {pid: (v, process_variables(v)) for pid, v in versions.items()}
    catchers: dict = {}
    for version, variables in analysed.values():
        for name, catches in variables.catches.items():
            for element_id, result_variable in catches:
                catchers.setdefault(name, []).append((version, variables, element_id, result_variable))
    lines, start_variables = [], {}
    for source in routes.sources.values():
        for route in source.events.values():
            label = f"{source.source} {route.event_type}"
            if route.action == START:
                version, variables = analysed.get(route.target, (None, None))
                lines.extend(_start_route(label, route, version, variables))
                start_variables.setdefault(route.target, set()).update(route.variables, route.constants)
            else:
                lines.extend(_message_route(label, source.source, route, catchers.get(route.target, [])))
    for event in domain_events.values():
        lines.extend(_domain_event(event, analysed, start_variables))
    return lines
