"""What the host needs to know of a BPMN process, read straight from its XML.

SpiffWorkflow's Camunda parser drops `camunda:candidateGroups`, `assignee`, `dueDate`, `priority` and `formRef`, so the
host reads them (and the lanes, start forms, timers, messages, scripts and conditions it checks at deploy
time) from the XML by element id. The result is a plain JSON-able dict stored with each process version.
"""

from __future__ import annotations

from lxml import etree

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
NS = {"bpmn": BPMN_NS, "camunda": CAMUNDA_NS}
FORM_KEY_PREFIXES = ("camunda-forms:deployment:", "camunda-forms:app:", "camunda-forms:")
# `camunda:priority` of a user task, as in Camunda: a whole number, 50 when the model sets none. From
# URGENT_PRIORITY on, the inbox shows the task as urgent and puts it first.
MIN_PRIORITY, NORMAL_PRIORITY, URGENT_PRIORITY, MAX_PRIORITY = 0, 50, 75, 100


def _cam(element, name: str):
    value = element.get(f"{{{CAMUNDA_NS}}}{name}")
    return value.strip() if isinstance(value, str) and value.strip() else None


def _split(value: str | None) -> list:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def form_reference(element) -> dict | None:
    """The form a user task or start event names: `camunda:formRef`, or a Camunda Forms `formKey`."""
    ref = _cam(element, "formRef")
    if ref:
        return {"ref": ref, "by": "id", "binding": _cam(element, "formRefBinding") or "deployment"}
    key = _cam(element, "formKey")
    if key:
        for prefix in FORM_KEY_PREFIXES:
            if key.startswith(prefix):
                name = key[len(prefix) :]
                return {"ref": name, "by": "file" if name.endswith(".form") else "id", "binding": "deployment"}
        return {"ref": key, "by": "id", "binding": "deployment"}
    return None


def message_names(root) -> dict:
    return {m.get("id"): (m.get("name") or m.get("id")) for m in root.iter(f"{{{BPMN_NS}}}message")}


def extension_properties(element) -> dict:
    """The `camunda:properties` of an element (Camunda Modeler's "Extension properties"): name -> value."""
    found = {}
    for prop in element.findall("bpmn:extensionElements/camunda:properties/camunda:property", NS):
        name = (prop.get("name") or "").strip()
        if name:
            found[name] = (prop.get("value") or "").strip()
    return found


# Who may send a message and what it may set: extension properties on the catching event, or on the
# bpmn:message for every event that catches it (docs/modeling.md#who-may-send-a-message).
SENDERS_PROPERTY = "senders"
SENSITIVE_VARIABLES_PROPERTY = "sensitive_variables"
# Derived variables the case page shows in its summary, in words (e.g. the vangnet check's `reason_text`).
SUMMARY_VARIABLES_PROPERTY = "summary_variables"
VARIABLES_PROPERTY = "variables"
RETENTION_PROPERTY = "retention"
# A confidential case belongs to no municipality (its gemeente never sees it) and its events go only to the
# outbound subscriptions that name its process (docs/modeling.md#confidential-cases): the IVP's support.
CONFIDENTIAL_PROPERTY = "confidential"
# The roles that read any variable of the process's cases (derived ones too); others read none of them
CASE_READERS_PROPERTY = "readers"
# On a user task: the case data shown beside its form (docs/modeling.md#context-beside-the-form)
CONTEXT_PROPERTY = "context"


def message_declarations(root) -> dict:
    """name of each bpmn:message -> its `senders` / `variables` extension properties (those it has)."""
    declared = {}
    for message in root.iter(f"{{{BPMN_NS}}}message"):
        props = extension_properties(message)
        picked = {key: _split(props[key]) for key in (SENDERS_PROPERTY, VARIABLES_PROPERTY) if key in props}
        if picked:
            declared[message.get("name") or message.get("id")] = picked
    return declared


def _lanes(process) -> dict:
    lanes = {}
    for lane in process.iter(f"{{{BPMN_NS}}}lane"):
        for ref in lane.findall("bpmn:flowNodeRef", NS):
            if ref.text:
                # Nested lanes: the innermost lane (visited last) wins.
                lanes[ref.text.strip()] = lane.get("name") or lane.get("id")
    return lanes


def _timer(event_definition) -> dict:
    for kind in ("timeDate", "timeDuration", "timeCycle"):
        node = event_definition.find(f"bpmn:{kind}", NS)
        if node is not None:
            return {"kind": kind, "text": (node.text or "").strip(), "line": node.sourceline}
    return {"kind": None, "text": "", "line": event_definition.sourceline}


def _message_of(element, messages: dict) -> str | None:
    definition = element.find("bpmn:messageEventDefinition", NS)
    ref = definition.get("messageRef") if definition is not None else element.get("messageRef")
    if definition is None and element.tag != f"{{{BPMN_NS}}}receiveTask":
        return None
    return messages.get(ref, ref) if ref else ""


def extract_process(process, messages: dict) -> dict:
    """The host model of one bpmn:process element."""
    lanes = _lanes(process)
    declared = message_declarations(process.getroottree().getroot())
    model = {
        "id": process.get("id"),
        "name": process.get("name") or process.get("id"),
        "executable": (process.get("isExecutable") or "true").lower() == "true",
        "line": process.sourceline,
        "starter_groups": _split(_cam(process, "candidateStarterGroups")),
        "starter_users": _split(_cam(process, "candidateStarterUsers")),
        # Variables a script derives from sensitive fields, masked as those fields are (docs/modeling.md)
        "sensitive_variables": _split(extension_properties(process).get(SENSITIVE_VARIABLES_PROPERTY)),
        "summary_variables": _split(extension_properties(process).get(SUMMARY_VARIABLES_PROPERTY)),
        # How long a closed case is kept (engine/retention): None means the setting VB_DEFAULT_RETENTION
        "retention": (
            extension_properties(process).get(RETENTION_PROPERTY)
            or (_cam(process, "historyTimeToLive") or "").strip()
            or None
        ),
        "confidential": extension_properties(process).get(CONFIDENTIAL_PROPERTY, "").lower() == "true",
        "case_readers": sorted(r.lower() for r in _split(extension_properties(process).get(CASE_READERS_PROPERTY))),
        "start_events": [],
        "user_tasks": {},
        "message_catches": {},
        "timers": [],
        "scripts": [],
        "conditions": [],
        "call_activities": [],
        "decisions": [],
        "elements": {},
    }
    flows = []
    for element in process.iter():
        if not isinstance(element.tag, str) or not element.tag.startswith(f"{{{BPMN_NS}}}"):
            continue
        tag = etree.QName(element).localname
        element_id = element.get("id")
        if element_id and tag not in ("sequenceFlow", "lane", "laneSet", "incoming", "outgoing"):
            model["elements"][element_id] = {"type": tag, "name": element.get("name") or "", "line": element.sourceline}
        if tag == "startEvent" and element.getparent() is process:
            timer = element.find("bpmn:timerEventDefinition", NS)
            model["start_events"].append(
                {
                    "id": element_id,
                    "form": form_reference(element),
                    "initiator": _cam(element, "initiator"),
                    "timer": _timer(timer) if timer is not None else None,
                    "message": _message_of(element, messages),
                    "line": element.sourceline,
                }
            )
        elif tag == "userTask":
            model["user_tasks"][element_id] = {
                "name": element.get("name") or element_id,
                "form": form_reference(element),
                "candidate_groups": _split(_cam(element, "candidateGroups")),
                "candidate_users": _split(_cam(element, "candidateUsers")),
                "assignee": _cam(element, "assignee"),
                "due_date": _cam(element, "dueDate"),
                "priority": _cam(element, "priority"),
                # the case data shown beside the task's form: "none", or the keys to show (default: what the
                # earlier steps collected and the handler may read)
                "context": extension_properties(element).get(CONTEXT_PROPERTY),
                "lane": lanes.get(element_id),
                "line": element.sourceline,
            }
        elif tag in ("intermediateCatchEvent", "boundaryEvent", "receiveTask"):
            name = _message_of(element, messages)
            if name is not None:
                props = extension_properties(element)
                model["message_catches"][element_id] = {
                    "message": name,
                    "line": element.sourceline,
                    "attached_to": element.get("attachedToRef"),
                    **declared.get(name, {}),
                    **{key: _split(props[key]) for key in (SENDERS_PROPERTY, VARIABLES_PROPERTY) if key in props},
                }
        elif tag == "timerEventDefinition":
            parent = element.getparent()
            model["timers"].append({"element_id": parent.get("id"), **_timer(element)})
        elif tag == "scriptTask":
            script = element.find("bpmn:script", NS)
            model["scripts"].append(
                {
                    "element_id": element_id,
                    "format": (element.get("scriptFormat") or "python").strip().lower(),
                    "text": script.text if script is not None and script.text else "",
                    "line": script.sourceline if script is not None else element.sourceline,
                }
            )
        elif tag == "sequenceFlow":
            flows.append((element.get("sourceRef"), element.get("targetRef")))
            condition = element.find("bpmn:conditionExpression", NS)
            if condition is not None and (condition.text or "").strip():
                model["conditions"].append(
                    {
                        "element_id": element_id,
                        "text": condition.text.strip(),
                        "line": condition.sourceline,
                    }
                )
        elif tag == "callActivity":
            model["call_activities"].append(
                {
                    "element_id": element_id,
                    "called": element.get("calledElement"),
                    "line": element.sourceline,
                }
            )
        elif tag == "businessRuleTask":
            model["decisions"].append(
                {
                    "element_id": element_id,
                    "decision": _cam(element, "decisionRef"),
                    "line": element.sourceline,
                }
            )
    # An event-based gateway waits at the events behind it: pages name those, not the gateway
    for source, target in flows:
        element = model["elements"].get(source)
        if element is not None and element["type"] == "eventBasedGateway" and target:
            element.setdefault("events", []).append(target)
    return model


def locate_element(root, element_id: str | None) -> int | None:
    """The source line of the element with this id, or None."""
    if not element_id:
        return None
    found = root.xpath("//*[@id=$id]", id=element_id)
    return found[0].sourceline if found else None


def safe_xml_parser():
    """An XML parser that resolves no entities and fetches nothing (no XXE)."""
    return etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=False, huge_tree=False)
