"""Keep layout the editor cannot show, and Camunda attributes it drops.

bpmn-js draws one plane per diagram. Shapes of elements it does not draw (a process no pool refers to, a
second diagram's plane, an edge that names no element) are dropped from what it saves. Before a saved
text replaces the previous one, such shapes and edges are carried over, as long as the element they lay out
still exists and has no layout of its own in the new text: deleting an element in the editor still deletes
its layout.

bpmn-js writes no attribute whose value is the default of its Camunda extension (camunda-bpmn-moddle), so
`camunda:calledElementBinding="latest"` on a call activity or `camunda:decisionRefBinding="latest"` on a
business rule task vanish on the first save. Same meaning, but a diff that shows changes nobody made: such
attributes are carried over from the previous text onto the same element.
"""

from __future__ import annotations

import copy
import re

from lxml import etree

from ..definitions.bpmn_model import safe_xml_parser

BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
# camunda-bpmn-moddle's attributes with a default value (resources/camunda.json), as written in XML
CAMUNDA_DEFAULTS = {
    "async": "false",
    "asyncBefore": "false",
    "asyncAfter": "false",
    "exclusive": "true",
    "isStartableInTasklist": "true",
    "calledElementBinding": "latest",
    "caseBinding": "latest",
    "decisionRefBinding": "latest",
    "mapDecisionResult": "resultList",
}
_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>\s*")


def _parse(text: str):
    try:
        return etree.fromstring(_DECLARATION.sub("", text, count=1), parser=safe_xml_parser())
    except (etree.XMLSyntaxError, ValueError):
        return None


def _layout_elements(root):
    return list(root.iter(f"{{{BPMNDI}}}BPMNShape", f"{{{BPMNDI}}}BPMNEdge"))


def keep_layout(previous: str | None, new: str) -> str:
    """`new`, plus the shapes and edges of `previous` that the editor dropped, and the Camunda attributes it
    left out because they have their default value (see the module doc)."""
    if not previous:
        return new
    old_root, new_root = _parse(previous), _parse(new)
    if old_root is None or new_root is None:
        return new
    restored = _keep_default_attributes(old_root, new_root)
    carried = _carry_layout(old_root, new_root)
    if not restored and not carried:
        return new
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(new_root, encoding="unicode") + "\n"


def _keep_default_attributes(old_root, new_root) -> int:
    new_by_id = {e.get("id"): e for e in new_root.iter() if isinstance(e.tag, str) and e.get("id")}
    restored = 0
    for element in old_root.iter():
        if not isinstance(element.tag, str) or not element.get("id"):
            continue
        counterpart = new_by_id.get(element.get("id"))
        if counterpart is None or etree.QName(counterpart).localname != etree.QName(element).localname:
            continue
        for name, default in CAMUNDA_DEFAULTS.items():
            attribute = f"{{{CAMUNDA}}}{name}"
            if element.get(attribute) == default and counterpart.get(attribute) is None:
                counterpart.set(attribute, default)
                restored += 1
    return restored


def _carry_layout(old_root, new_root) -> int:
    new_layout = _layout_elements(new_root)
    laid_out = {e.get("bpmnElement") for e in new_layout}
    layout_ids = {e.get("id") for e in new_layout}
    semantic_ids = {
        e.get("id")
        for e in new_root.iter()
        if isinstance(e.tag, str) and e.get("id") and not e.tag.startswith(f"{{{BPMNDI}}}")
    }
    planes = {p.getparent().get("id"): p for p in new_root.iter(f"{{{BPMNDI}}}BPMNPlane")}
    if not planes:
        return 0
    carried = 0
    for element in _layout_elements(old_root):
        target = element.get("bpmnElement")
        if element.get("id") in layout_ids or (target and (target not in semantic_ids or target in laid_out)):
            continue
        diagram_id = element.getparent().getparent().get("id") if element.getparent() is not None else None
        plane = planes.get(diagram_id)
        if plane is None:
            plane = next(iter(planes.values()))
        plane.append(copy.deepcopy(element))
        carried += 1
    return carried
