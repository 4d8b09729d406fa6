"""Which case variables a deployed process reads and writes, read from its files (BPMN, DMN, forms).

A static reading, for `flask --app engine webhooks-check`: it tells whether a webhook route gives a process
what it needs and whether the outbound domain events name variables that exist. Scripts, conditions and
expressions are Python; a name counts as read when an expression or script uses it before assigning it, and
as written when a script assigns it, a task form has it as a field, a decision outputs it, a message event
stores its payload under it, or a multi-instance loop names it. The reading is approximate in one direction
only: what it calls "read and never written" really is (the start must supply it); it may miss a read.
"""

from __future__ import annotations

import ast
import builtins
import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from lxml import etree
from sqlalchemy.orm import undefer

from ..definitions.bpmn_model import BPMN_NS, CAMUNDA_NS, NS, safe_xml_parser
from ..definitions.models import DefinitionFile
from ..definitions.service import form_definition
from ..db.extensions import db
from ..cases.service import start_form_of
from ..reporting.script_functions import FUNCTIONS
from ..runtime.sandbox import RESERVED_NAMES
from ..definitions.version_model import form_file_id

# Names every script and expression has without any case data.
AMBIENT = frozenset(dir(builtins)) | RESERVED_NAMES | frozenset(FUNCTIONS) | {"business_key", "True", "False", "None"}
# ISO-8601 literals a timer or due date may hold instead of an expression ("P2D", "2026-12-31T09:00").
_ISO_LITERAL = re.compile(r"^[PR0-9][0-9A-Z:./+-]*$")


@dataclass
class ProcessVariables:
    reads: set = field(default_factory=set)
    writes: set = field(default_factory=set)
    start_form: set = field(default_factory=set)
    payload_keys: set = field(default_factory=set)  # keys scripts read from objects: message.get("key")
    catches: dict = field(default_factory=dict)  # message name -> [(element id, result variable or None)]
    elements: set = field(default_factory=set)

    @property
    def needed_at_start(self) -> set:
        """What the process reads and nothing in it writes: its start must supply these."""
        return self.reads - self.writes - AMBIENT


def _code_names(source: str, mode: str) -> tuple[set, set, set]:
    """(names read before being assigned, names assigned, literal keys read from objects) of Python code."""
    text = (source or "").strip()
    if text.startswith("${") and text.endswith("}"):
        text = text[2:-1]
    try:
        tree = ast.parse(text, mode=mode)
    except SyntaxError:
        return set(), set(), set()
    local, loads, stores, keys = set(), set(), set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.comprehension):
            local.update(n.id for n in ast.walk(node.target) if isinstance(n, ast.Name))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            keys.add(node.args[0].value)
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.slice, ast.Constant)
            and isinstance(node.slice.value, str)
        ):
            keys.add(node.slice.value)
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id not in local:
            if isinstance(node.ctx, ast.Load):
                loads.add(node.id)
            elif isinstance(node.ctx, ast.Store):
                stores.add(node.id)
    return loads - stores, stores, keys


def _expression(result: ProcessVariables, text: str | None) -> None:
    if text and text.strip() and not _ISO_LITERAL.match(text.strip()):
        result.reads |= _code_names(text, "eval")[0]


def _form_keys(file_id: int | None) -> set:
    return {f.path[0] for f in form_definition(file_id).fields} if file_id else set()


def _files(version) -> list:
    return list(
        db.session.scalars(
            sa.select(DefinitionFile)
            .where(DefinitionFile.id.in_(list(version.file_ids)))
            .options(undefer(DefinitionFile.content))
        )
    )


def _read_bpmn(result: ProcessVariables, root, process_ids: set) -> None:
    names = {m.get("id"): (m.get("name") or m.get("id")) for m in root.iter(f"{{{BPMN_NS}}}message")}
    for process in root.iter(f"{{{BPMN_NS}}}process"):
        if process.get("id") not in process_ids:
            continue
        for element in process.iter():
            if element.get("id"):
                result.elements.add(element.get("id"))
        for definition in process.iter(f"{{{BPMN_NS}}}messageEventDefinition"):
            holder = definition.getparent()
            variable = definition.get(f"{{{CAMUNDA_NS}}}resultVariable")
            name = names.get(definition.get("messageRef"), definition.get("messageRef"))
            result.catches.setdefault(name, []).append((holder.get("id"), variable))
            if variable:
                result.writes.add(variable)
        for loop in process.iter(f"{{{BPMN_NS}}}multiInstanceLoopCharacteristics"):
            if loop.get(f"{{{CAMUNDA_NS}}}collection"):
                _expression(result, loop.get(f"{{{CAMUNDA_NS}}}collection"))
            if loop.get(f"{{{CAMUNDA_NS}}}elementVariable"):
                result.writes.add(loop.get(f"{{{CAMUNDA_NS}}}elementVariable"))
            for part in loop.findall("bpmn:loopCardinality", NS) + loop.findall("bpmn:completionCondition", NS):
                _expression(result, part.text)


def _read_dmn(result: ProcessVariables, root) -> None:
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        local = etree.QName(node).localname
        if local == "inputExpression":
            text = node.find(f"{{{etree.QName(node).namespace}}}text")
            _expression(result, text.text if text is not None else None)
        elif local == "output" and node.get("name"):
            result.writes.add(node.get("name"))


def _read_models(result: ProcessVariables, version) -> None:
    models = [version.model, *version.model.get("called", {}).values()]
    for model in models:
        for script in model.get("scripts", []):
            reads, writes, keys = _code_names(script["text"], "exec")
            result.reads |= reads
            result.writes |= writes
            result.payload_keys |= keys
        for condition in model.get("conditions", []):
            _expression(result, condition["text"])
        for timer in model.get("timers", []):
            _expression(result, timer.get("text"))
        for task in model.get("user_tasks", {}).values():
            result.writes |= _form_keys(form_file_id(version.model, task.get("form")))
            for text in (task.get("assignee"), task.get("due_date"), task.get("priority")):
                if text and text.startswith("${"):
                    _expression(result, text)
        for start in model.get("start_events", []):
            if start.get("initiator"):
                result.writes.add(start["initiator"])
    form = start_form_of(version)
    result.start_form = {f.path[0] for f in form.fields} if form is not None else set()


def process_variables(version) -> ProcessVariables:
    """The variables of a deployed process version and the processes it calls."""
    result = ProcessVariables()
    _read_models(result, version)
    process_ids = {version.process_id, *version.model.get("called", {})}
    for row in _files(version):
        if row.kind not in ("bpmn", "dmn"):
            continue
        root = etree.fromstring(row.content.encode("utf-8"), parser=safe_xml_parser())
        if row.kind == "bpmn":
            _read_bpmn(result, root, process_ids)
        else:
            _read_dmn(result, root)
    return result
