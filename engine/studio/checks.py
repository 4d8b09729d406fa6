"""Validation of the studio's workspace, for markers on the diagram and as the gate before a deployment.

Errors come from the deployment's own analysis (XML schema, the engine's parse, the host's checks: a user
task without a form or role, timers and due dates that do not parse, conditions and scripts that do not
compile). Two checks are added here, as warnings: an element no path from a start event reaches, and a
message that nothing can deliver (no webhook route in `webhooks/` and no sender in any diagram).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import yaml
from flask import current_app
from lxml import etree

from ..definitions.bpmn_model import BPMN_NS, safe_xml_parser
from ..definitions.validation import SourceFile, analyse

log = logging.getLogger(__name__)
ERROR, WARNING = "error", "warning"
_FLOW_NODE_TAGS = {
    "task",
    "userTask",
    "serviceTask",
    "scriptTask",
    "businessRuleTask",
    "sendTask",
    "receiveTask",
    "manualTask",
    "callActivity",
    "subProcess",
    "transaction",
    "adHocSubProcess",
    "exclusiveGateway",
    "parallelGateway",
    "inclusiveGateway",
    "eventBasedGateway",
    "complexGateway",
    "intermediateCatchEvent",
    "intermediateThrowEvent",
    "endEvent",
    "startEvent",
    "boundaryEvent",
}


@dataclass
class Finding:
    file: str
    message: str
    line: int | None = None
    element_id: str | None = None
    severity: str = ERROR
    check: str = "engine"

    def to_dict(self) -> dict:
        return {
            "file": self.file,
            "line": self.line,
            "element_id": self.element_id,
            "message": self.message,
            "severity": self.severity,
            "check": self.check,
        }


def _sources(files) -> list[SourceFile]:
    return [
        SourceFile(file_name=f.file_name, content=f.content, uploaded=True)
        for f in files.values()
        if f.kind in ("bpmn", "dmn", "form")
    ]


def validate_workspace(files) -> tuple[list[Finding], list]:
    """(findings, process analyses) of a whole workspace. Errors block a deployment; warnings do not."""
    problems, analyses = analyse(_sources(files))
    findings = [Finding(p.file, p.message, p.line, p.element_id) for p in problems]
    trees = {}
    for f in files.values():
        if f.kind == "bpmn":
            try:
                trees[f.file_name] = etree.fromstring(f.content.encode("utf-8"), parser=safe_xml_parser())
            except (etree.XMLSyntaxError, ValueError):
                continue  # already reported by the analysis
    for name, tree in trees.items():
        findings.extend(unreachable_elements(name, tree))
    findings.extend(undeliverable_messages(trees, webhook_messages()))
    return findings, analyses


def _q(tag: str) -> str:
    return f"{{{BPMN_NS}}}{tag}"


def _local(element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def unreachable_elements(file_name: str, tree) -> list[Finding]:
    """Flow nodes of executable processes that no path from a start event reaches."""
    findings = []
    for process in tree.iter(_q("process")):
        if (process.get("isExecutable") or "true").lower() != "true":
            continue
        nodes = {}
        for element in process.iter():
            if _local(element) in _FLOW_NODE_TAGS and element.get("id"):
                nodes[element.get("id")] = element
        outgoing: dict[str, list[str]] = {}
        for flow in process.iter(_q("sequenceFlow")):
            outgoing.setdefault(flow.get("sourceRef"), []).append(flow.get("targetRef"))
        attached: dict[str, list[str]] = {}
        for element in nodes.values():
            if _local(element) == "boundaryEvent":
                attached.setdefault(element.get("attachedToRef"), []).append(element.get("id"))
        link_catches = {}
        for element in nodes.values():
            link = element.find(_q("linkEventDefinition"))
            if link is not None and _local(element) == "intermediateCatchEvent":
                link_catches.setdefault(link.get("name") or element.get("name"), []).append(element.get("id"))
        roots = [
            i
            for i, e in nodes.items()
            if (_local(e) == "startEvent" and _local(e.getparent()) == "process")
            or e.get("triggeredByEvent") == "true"
            or e.get("isForCompensation") == "true"
        ]
        seen = set()
        todo = list(roots)
        while todo:
            node_id = todo.pop()
            if node_id in seen or node_id not in nodes:
                continue
            seen.add(node_id)
            element = nodes[node_id]
            todo.extend(outgoing.get(node_id, []))
            todo.extend(attached.get(node_id, []))
            if _local(element) in ("subProcess", "transaction"):
                todo.extend(c.get("id") for c in element if _local(c) == "startEvent")
            elif _local(element) == "adHocSubProcess":
                todo.extend(c.get("id") for c in element if _local(c) in _FLOW_NODE_TAGS)
            link = element.find(_q("linkEventDefinition"))
            if link is not None and _local(element) == "intermediateThrowEvent":
                todo.extend(link_catches.get(link.get("name") or element.get("name"), []))
        for node_id, element in nodes.items():
            if node_id not in seen:
                findings.append(
                    Finding(
                        file_name,
                        f"{_local(element)} '{element.get('name') or node_id}' is unreachable: no path from a "
                        "start event leads here.",
                        element.sourceline,
                        node_id,
                        WARNING,
                        "unreachable",
                    )
                )
    return findings


def webhook_messages() -> set | None:
    """The message names the webhook routes in `webhooks/` deliver; None when there is no such folder."""
    folder = Path(current_app.config.get("VB_WEBHOOKS_DIR") or "")
    if not folder.is_dir():
        return None
    names: set = set()
    for path in sorted(folder.glob("*.y*ml")):
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, OSError, UnicodeDecodeError) as err:
            log.warning("webhook routes %s unreadable: %s", path, err)
            continue
        _collect_messages(document, names)
    return names


def _collect_messages(node, names: set) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "message" and isinstance(value, dict) and isinstance(value.get("name"), str):
                names.add(value["name"])
            elif key == "message" and isinstance(value, str):
                names.add(value)
            else:
                _collect_messages(value, names)
    elif isinstance(node, list):
        for item in node:
            _collect_messages(item, names)


def undeliverable_messages(trees: dict, routed: set | None) -> list[Finding]:
    """Catching a message that no webhook route delivers and no diagram sends (throw event, end event,
    send task or message flow)."""
    sent: set = set()
    catches = []
    for file_name, tree in trees.items():
        names = {m.get("id"): (m.get("name") or m.get("id")) for m in tree.iter(_q("message"))}
        for element in tree.iter():
            kind = _local(element)
            definition = element.find(_q("messageEventDefinition"))
            ref = definition.get("messageRef") if definition is not None else None
            if kind == "sendTask" or kind == "receiveTask":
                ref = element.get("messageRef") or ref
            if ref is None:
                continue
            name = names.get(ref, ref)
            if kind in ("intermediateThrowEvent", "endEvent", "sendTask"):
                sent.add(name)
            elif kind in ("intermediateCatchEvent", "boundaryEvent", "receiveTask", "startEvent"):
                catches.append((file_name, element, name))
        for flow in tree.iter(_q("messageFlow")):
            if flow.get("messageRef"):
                sent.add(names.get(flow.get("messageRef"), flow.get("messageRef")))
            else:
                target = tree.xpath("//*[@id=$id]", id=flow.get("targetRef"))
                if target:
                    definition = target[0].find(_q("messageEventDefinition"))
                    ref = definition.get("messageRef") if definition is not None else target[0].get("messageRef")
                    if ref:
                        sent.add(names.get(ref, ref))
    findings = []
    for file_name, element, name in catches:
        if name in sent or (routed is not None and name in routed):
            continue
        where = (
            "no webhook route in webhooks/ delivers it"
            if routed is not None
            else "there is no webhooks/ folder with routes"
        )
        findings.append(
            Finding(
                file_name,
                f"Message '{name}' has no sender: {where} and no diagram sends it (it can still be "
                "delivered through the API).",
                element.sourceline,
                element.get("id"),
                WARNING,
                "message-route",
            )
        )
    return findings
