"""Keep layout the editor cannot show.

bpmn-js draws one plane per diagram. Shapes of elements it does not draw (a process no pool refers to, a
second diagram's plane, an edge that names no element) are dropped from what it saves. Before a saved
text replaces the previous one, such shapes and edges are carried over, as long as the element they lay out
still exists and has no layout of its own in the new text: deleting an element in the editor still deletes
its layout.
"""
from __future__ import annotations

import copy
import re

from lxml import etree

from ..definitions.bpmn_model import safe_xml_parser

BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>\s*")


def _parse(text: str):
    try:
        return etree.fromstring(_DECLARATION.sub("", text, count=1), parser=safe_xml_parser())
    except (etree.XMLSyntaxError, ValueError):
        return None


def _layout_elements(root):
    return [e for e in root.iter(f"{{{BPMNDI}}}BPMNShape", f"{{{BPMNDI}}}BPMNEdge")]


def keep_layout(previous: str | None, new: str) -> str:
    """`new`, plus the shapes and edges of `previous` that the editor dropped (see the module doc)."""
    if not previous:
        return new
    old_root, new_root = _parse(previous), _parse(new)
    if old_root is None or new_root is None:
        return new
    new_layout = _layout_elements(new_root)
    laid_out = {e.get("bpmnElement") for e in new_layout}
    layout_ids = {e.get("id") for e in new_layout}
    semantic_ids = {e.get("id") for e in new_root.iter() if isinstance(e.tag, str) and e.get("id")
                    and not e.tag.startswith(f"{{{BPMNDI}}}")}
    planes = {p.getparent().get("id"): p for p in new_root.iter(f"{{{BPMNDI}}}BPMNPlane")}
    if not planes:
        return new
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
    if not carried:
        return new
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(new_root, encoding="unicode") + "\n"
