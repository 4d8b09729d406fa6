"""What changed between two versions of a process: elements added, removed and changed (names, attributes,
conditions, timers, scripts), and the decision and form files whose version changed. Layout (DI) is left out:
moving a shape is not a change of the process."""

from __future__ import annotations

from lxml import etree

from ..definitions.bpmn_model import BPMN_NS, safe_xml_parser

_SKIP_CHILDREN = {"incoming", "outgoing", "flowNodeRef", "extensionElements"}


def _local(element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _attribute_name(name: str) -> str:
    if name.startswith("{http://camunda.org/schema/1.0/bpmn}"):
        return "camunda:" + name.split("}", 1)[1]
    if name.startswith("{"):
        return name.split("}", 1)[1]
    return name


def _signature(element) -> dict:
    """The comparable facts of one element: its type, attributes and the text of its non-element children."""
    facts = {"type": _local(element)}
    for name, value in element.attrib.items():
        facts[_attribute_name(name)] = value
    for child in element:
        kind = _local(child)
        if not kind or kind in _SKIP_CHILDREN or child.get("id"):
            continue
        if kind.endswith("EventDefinition"):
            facts["event"] = kind
            for name, value in child.attrib.items():
                if name != "id":
                    facts[f"{kind}.{_attribute_name(name)}"] = value
            for grandchild in child:
                if _local(grandchild):
                    facts[f"{kind}.{_local(grandchild)}"] = (grandchild.text or "").strip()
        elif kind in ("conditionExpression", "script", "documentation", "text"):
            facts[kind] = (child.text or "").strip()
    extensions = element.find(f"{{{BPMN_NS}}}extensionElements")
    if extensions is not None:
        text = etree.tostring(extensions, encoding="unicode", with_tail=False)
        facts["extensionElements"] = " ".join(text.split())
    return facts


def process_elements(xml: str | None, process_id: str | None = None) -> dict:
    """{element id: facts} of every BPMN element with an id (in `process_id`, or the whole file)."""
    if not xml:
        return {}
    root = etree.fromstring(xml.encode("utf-8"), parser=safe_xml_parser())
    scope = root
    if process_id:
        found = root.xpath("//*[local-name()='process' and @id=$id]", id=process_id)
        scope = found[0] if found else root
    elements = {}
    for element in scope.iter():
        if not isinstance(element.tag, str) or not element.tag.startswith(f"{{{BPMN_NS}}}"):
            continue
        if element.get("id") and element is not scope:
            elements[element.get("id")] = _signature(element)
    if scope is not root:
        elements[scope.get("id")] = dict(_signature(scope))
    return elements


def diff_elements(before: dict, after: dict) -> dict:
    added = [{"id": i, "type": after[i]["type"], "name": after[i].get("name", "")} for i in after if i not in before]
    removed = [
        {"id": i, "type": before[i]["type"], "name": before[i].get("name", "")} for i in before if i not in after
    ]
    changed = []
    for element_id in after:
        if element_id not in before or before[element_id] == after[element_id]:
            continue
        old, new = before[element_id], after[element_id]
        changes = [
            {"attribute": key, "before": old.get(key), "after": new.get(key)}
            for key in sorted(set(old) | set(new))
            if old.get(key) != new.get(key)
        ]
        changed.append({"id": element_id, "type": new["type"], "name": new.get("name", ""), "changes": changes})
    return {"added": added, "removed": removed, "changed": changed}


def diff_files(before_files: list, after_files: list) -> list:
    """[{kind, key, before, after}] for decision and form files whose version differs."""
    old = {(f["kind"], f["key"]): f["version"] for f in before_files}
    new = {(f["kind"], f["key"]): f["version"] for f in after_files}
    changes = []
    for ident in sorted(set(old) | set(new)):
        if ident[0] == "bpmn" or old.get(ident) == new.get(ident):
            continue
        changes.append({"kind": ident[0], "key": ident[1], "before": old.get(ident), "after": new.get(ident)})
    return changes
