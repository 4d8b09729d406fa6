"""Check a whole set of definition files before any of it is deployed.

Layers, each reporting problems with the file, the line and the element id:
1. the file itself: UTF-8, well-formed XML (or JSON for forms), the BPMN/DMN XML schema;
2. the engine's own parse of every executable process, with the processes it calls and its decisions;
3. the host's checks: each user task has a form that exists and a role (candidate group, lane or
   assignee), timers and due dates parse, scripts, conditions and every cell of a decision table
   (decision_checks.py) compile in the sandbox, message events name a message, and a form's text and html
   components carry no script, form or frame (engine/forms/content.py).
A set with any problem is refused as a whole.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.dmn.parser.BpmnDmnParser import BpmnDmnParser

from ..forms.content import content_problems
from ..forms.formjs import FormDefinition, FormDefinitionError, locate_key
from ..identity.roles import ROLES, normalise_role
from ..runtime.bpmn_parser import HostParser, strip_el, timer_expression
from ..runtime.retention_periods import BadPeriod, parse_period
from ..runtime.sandbox import check_source, source_problem
from .bpmn_model import (
    BPMN_NS,
    MAX_PRIORITY,
    MIN_PRIORITY,
    extract_process,
    form_reference,
    locate_element,
    message_names,
    safe_xml_parser,
)
from .decision_checks import decision_problems

KIND_BY_SUFFIX = {".bpmn": "bpmn", ".bpmn20.xml": "bpmn", ".dmn": "dmn", ".form": "form", ".json": "form"}
_ISO_DURATION = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:?\d{2})?)?$")
_EXPRESSION = re.compile(r"^\$\{(.+)\}$", re.S)
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_CONTEXT = re.compile(r"^(none|[A-Za-z_][A-Za-z0-9_]*(\s*,\s*[A-Za-z_][A-Za-z0-9_]*)*)$")
_BPMN_VALIDATOR = None


@dataclass
class Problem:
    file: str
    message: str
    line: int | None = None
    element_id: str | None = None

    def to_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "element_id": self.element_id, "message": self.message}


@dataclass
class SourceFile:
    """One file of the set to deploy: uploaded now, or the deployed latest version of it."""

    file_name: str
    content: str
    kind: str = ""
    key: str = ""
    content_hash: str = ""
    existing_id: int | None = None
    existing_version: int | None = None
    uploaded: bool = False
    tree: object = None
    form: FormDefinition | None = None
    decision_ids: list = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.existing_id is None


def kind_of(file_name: str) -> str | None:
    lower = file_name.lower()
    for suffix, kind in KIND_BY_SUFFIX.items():
        if lower.endswith(suffix):
            return kind
    return None


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _bpmn_validator():
    global _BPMN_VALIDATOR
    if _BPMN_VALIDATOR is None:
        _BPMN_VALIDATOR = BpmnValidator()
    return _BPMN_VALIDATOR


def read_file(source: SourceFile, problems: list) -> bool:
    """Parse one file (XML or form JSON) and set its kind and key. Returns False when unusable."""
    source.kind = kind_of(source.file_name) or ""
    if not source.kind:
        problems.append(Problem(source.file_name, "Unknown file type: use .bpmn, .dmn or .form (form-js JSON)."))
        return False
    source.content_hash = content_hash(source.content)
    if source.kind == "form":
        try:
            source.form = FormDefinition.from_json(source.content)
        except FormDefinitionError as err:
            line = locate_key(source.content, err.key)
            match = re.search(r"line (\d+)", str(err))
            problems.append(
                Problem(source.file_name, str(err), line or (int(match.group(1)) if match else None), err.key)
            )
            return False
        source.key = source.form.id
        refused = content_problems(source.form.schema)
        for message, component in refused:
            problems.append(Problem(source.file_name, message, locate_key(source.content, component), component))
        if refused:
            return False
        for key, readers in source.form.field_readers.items():
            unknown = sorted(readers - set(ROLES))
            if unknown or not readers:
                problems.append(
                    Problem(
                        source.file_name,
                        f"The readers of '{key}' must be roles, comma-separated "
                        f"(one of {', '.join(ROLES)}); '{', '.join(unknown) or 'nothing'}' is not.",
                        locate_key(source.content, key),
                        key,
                    )
                )
                return False
        return True
    try:
        source.tree = etree.fromstring(source.content.encode("utf-8"), parser=safe_xml_parser())
    except etree.XMLSyntaxError as err:
        problems.append(Problem(source.file_name, f"Not well-formed XML: {err.msg}", err.lineno))
        return False
    source.key = source.file_name
    doctype = source.tree.getroottree().docinfo
    if doctype.doctype or doctype.internalDTD is not None or doctype.externalDTD is not None:
        # Entities, external DTDs and parameter entities have no place in a diagram (XXE, billion laughs):
        # refused rather than kept unresolved and served back.
        problems.append(
            Problem(
                source.file_name,
                "A DOCTYPE declaration is not allowed in BPMN or DMN files: remove the <!DOCTYPE ...> line.",
                1,
            )
        )
        return False
    if source.kind == "bpmn" and source.tree.tag != f"{{{BPMN_NS}}}definitions":
        problems.append(
            Problem(
                source.file_name,
                "Not a BPMN 2.0 file: the root element must be bpmn:definitions.",
                source.tree.sourceline,
            )
        )
        return False
    return _schema_check(source, problems)


def _schema_check(source: SourceFile, problems: list) -> bool:
    try:
        if source.kind == "bpmn":
            _bpmn_validator().validate(source.tree, source.file_name)
        else:
            BpmnDmnParser(validator=_bpmn_validator()).add_dmn_xml(source.tree, source.file_name)
            source.decision_ids = [
                d.get("id") for d in source.tree.iter() if isinstance(d.tag, str) and d.tag.endswith("}decision")
            ]
    except ValidationException as err:
        problems.append(
            Problem(
                source.file_name, _clean(err), err.line_number or locate_element(source.tree, err.id), err.id or None
            )
        )
        return False
    except Exception as err:  # the DMN parser raises plain errors for broken tables
        problems.append(Problem(source.file_name, f"Cannot read this decision table: {err}", source.tree.sourceline))
        return False
    return True


def _clean(err: Exception) -> str:
    text = " ".join(str(err).split())
    text = re.sub(r"^Error parsing [^:]*: ?", "", text).strip() or type(err).__name__
    return re.sub(r"\.\.+$", ".", text)


def _locate_by_message(tree, message: str) -> tuple[int | None, str | None]:
    """Some engine errors name an element by its name instead of its id: find it anyway."""
    match = re.search(r"Data Store with name (.+?) has no implementation", message, re.S)
    if match and tree is not None:
        for element in tree.iter(f"{{{BPMN_NS}}}dataStore", f"{{{BPMN_NS}}}dataStoreReference"):
            if element.get("name") == match.group(1):
                return element.sourceline, element.get("id")
    return None, None


def _pre_parse_checks(source: SourceFile, problems: list) -> bool:
    """Problems that would crash the engine's parser instead of being reported by it."""
    ok = True
    for task in source.tree.iter(f"{{{BPMN_NS}}}businessRuleTask"):
        if not task.get("{http://camunda.org/schema/1.0/bpmn}decisionRef"):
            problems.append(
                Problem(
                    source.file_name,
                    "Business rule task needs camunda:decisionRef (the id of a DMN decision).",
                    task.sourceline,
                    task.get("id"),
                )
            )
            ok = False
    return ok


@dataclass
class ProcessAnalysis:
    process_id: str
    name: str
    executable: bool
    file_key: str
    model: dict
    closure_bpmn: set = field(default_factory=set)
    closure_dmn: set = field(default_factory=set)
    closure_forms: set = field(default_factory=set)
    closure_processes: list = field(default_factory=list)


def analyse(sources: list[SourceFile]) -> tuple[list[Problem], list[ProcessAnalysis]]:
    """Validate a complete set of files. Returns (problems, one analysis per process)."""
    problems: list[Problem] = []
    usable = [s for s in sources if read_file(s, problems)]
    _check_unique_keys(usable, problems)
    forms = {s.key: s for s in usable if s.kind == "form"}
    forms_by_file = {s.file_name: s for s in usable if s.kind == "form"}
    parser = HostParser()
    bpmn_files = {}
    for source in usable:
        if source.kind == "dmn":
            _guard(problems, source, lambda s=source: parser.add_dmn_xml(s.tree, s.file_name))
            problems.extend(
                Problem(source.file_name, message, line, decision_id)
                for message, line, decision_id in decision_problems(source.tree)
            )
    defined_by: dict[str, str] = {}
    for source in usable:
        if (
            source.kind == "bpmn"
            and _pre_parse_checks(source, problems)
            and _new_process_ids(source, defined_by, problems)
        ):
            if _guard(problems, source, lambda s=source: parser.add_bpmn_xml(s.tree, s.file_name)):
                bpmn_files[source.file_name] = source
                defined_by.update((p.get("id"), source.file_name) for p in source.tree.iter(f"{{{BPMN_NS}}}process"))
    analyses = []
    for source in bpmn_files.values():
        messages = message_names(source.tree)
        for process in source.tree.iter(f"{{{BPMN_NS}}}process"):
            model = extract_process(process, messages)
            analysis = ProcessAnalysis(model["id"], model["name"], model["executable"], source.key, model)
            analyses.append(analysis)
            if not model["executable"]:
                continue
            if not _call_targets_present(source, model, set(parser.get_process_ids()), problems):
                continue
            ok = _guard(
                problems, source, lambda pid=model["id"]: parser.get_subprocess_specs(pid), element_hint=model["id"]
            )
            ok = _guard(problems, source, lambda pid=model["id"]: parser.get_spec(pid), element_hint=model["id"]) and ok
            _host_checks(source, model, forms, forms_by_file, problems)
            if ok:
                _closure(parser, analysis, forms, forms_by_file)
    return problems, analyses


def _call_targets_present(source, model, process_ids, problems) -> bool:
    ok = True
    for call in model["call_activities"]:
        if not call["called"]:
            problems.append(
                Problem(
                    source.file_name,
                    "Call activity needs calledElement (the id of a process).",
                    call["line"],
                    call["element_id"],
                )
            )
            ok = False
        elif call["called"] not in process_ids:
            problems.append(
                Problem(
                    source.file_name,
                    f"Call activity calls process '{call['called']}', which is not deployed and not in this upload.",
                    call["line"],
                    call["element_id"],
                )
            )
            ok = False
    return ok


def _new_process_ids(source, defined_by: dict, problems) -> bool:
    """False (with a problem naming both files) when a process id of `source` is defined by another file."""
    ok = True
    for process in source.tree.iter(f"{{{BPMN_NS}}}process"):
        other = defined_by.get(process.get("id"))
        if other is not None and other != source.file_name:
            problems.append(
                Problem(
                    source.file_name,
                    f"Process id '{process.get('id')}' is already defined by "
                    f"{other}; {source.file_name} cannot define it too: rename the process in one of "
                    "them, or deploy the file under its old name.",
                    process.sourceline,
                    process.get("id"),
                )
            )
            ok = False
    return ok


def _check_unique_keys(sources, problems):
    seen = {}
    for source in sources:
        ident = (source.kind, source.key)
        if ident in seen and seen[ident] is not source:
            problems.append(
                Problem(
                    source.file_name,
                    f"Form id '{source.key}' is also used by {seen[ident].file_name}."
                    if source.kind == "form"
                    else f"Two files named {source.file_name}.",
                )
            )
        seen[ident] = source


def _guard(problems, source, action, element_hint=None) -> bool:
    try:
        action()
        return True
    except ValidationException as err:
        element_id = err.id or None
        file_name = err.file_name or source.file_name
        tree = source.tree
        line = err.line_number or locate_element(tree, element_id)
        if not line and not element_id:
            line, element_id = _locate_by_message(tree, str(err))
        if not line:
            line = locate_element(tree, element_hint)
        message = _clean(err)
        if "no support implemented" in message and element_id and tree is not None:
            found = tree.xpath("//*[@id=$id]", id=element_id)
            if found:
                message = f"{etree.QName(found[0]).localname} is not supported by the engine; model it differently."
        problems.append(Problem(file_name, message, line or None, element_id or element_hint))
    except Exception as err:
        match = re.search(r'id="([^"]+)"', str(err))
        element_id = match.group(1) if match else element_hint
        message = _clean(err)
        if isinstance(err, NotImplementedError):
            message = (
                "This element is not supported by the engine: " + re.sub(r"<.*", "", message).strip(" :%r") or message
            )
        problems.append(Problem(source.file_name, message, locate_element(source.tree, element_id), element_id))
    return False


def _closure(parser, analysis: ProcessAnalysis, forms, forms_by_file):
    pids = [analysis.process_id] + list(parser.get_subprocess_specs(analysis.process_id).keys())
    analysis.closure_processes = pids
    for pid in pids:
        process_parser = parser.get_process_parser(pid)
        analysis.closure_bpmn.add(process_parser.filename)
        for node in process_parser.node.iter(f"{{{BPMN_NS}}}businessRuleTask"):
            ref = node.get("{http://camunda.org/schema/1.0/bpmn}decisionRef")
            if ref in parser.dmn_parsers:
                analysis.closure_dmn.add(parser.dmn_parsers[ref].filename)
        for element in process_parser.node.iter(f"{{{BPMN_NS}}}userTask", f"{{{BPMN_NS}}}startEvent"):
            ref = form_reference(element)
            form = _resolve_form(ref, forms, forms_by_file)
            if form is not None:
                analysis.closure_forms.add(form.key)


def _resolve_form(ref, forms, forms_by_file):
    if not ref:
        return None
    if ref["by"] == "file":
        return forms_by_file.get(ref["ref"])
    return forms.get(ref["ref"])


def _host_checks(source: SourceFile, model: dict, forms, forms_by_file, problems):
    file_name = source.file_name

    def problem(message, line, element_id):
        problems.append(Problem(file_name, message, line, element_id))

    if model.get("retention"):
        try:
            parse_period(model["retention"])
        except BadPeriod as err:
            problem(f"Retention of process '{model['id']}': {err}", model.get("line"), model["id"])
    for element_id, task in model["user_tasks"].items():
        ref = task["form"]
        if ref is None:
            problem(
                "User task has no form: set camunda:formRef to the id of a form in forms/.", task["line"], element_id
            )
        elif _resolve_form(ref, forms, forms_by_file) is None:
            problem(f"Form '{ref['ref']}' is not deployed and not in this upload.", task["line"], element_id)
        groups = task["candidate_groups"]
        for group in groups:
            if group.startswith("${"):
                if not _GROUP_VARIABLE.match(group):
                    problem(
                        f"Candidate group '{group}' is neither a role nor a variable such as ${{case_handler_group}}.",
                        task["line"],
                        element_id,
                    )
                elif normalise_role(task["lane"]) is None and not any(not g.startswith("${") for g in groups):
                    problem(
                        f"Candidate group '{group}' is a variable: also put the task in a lane named after a "
                        "role, or name a role beside it, for when the variable holds no role.",
                        task["line"],
                        element_id,
                    )
            elif normalise_role(group) is None:
                problem(
                    f"Candidate group '{group}' is not a role; roles are: {', '.join(ROLES)}.", task["line"], element_id
                )
        if not groups and not task["assignee"] and not task["candidate_users"] and normalise_role(task["lane"]) is None:
            problem(
                "User task has no role: set camunda:candidateGroups, put it in a lane named after a role, "
                "or set camunda:assignee.",
                task["line"],
                element_id,
            )
        if task["assignee"]:
            _check_value_expression(task["assignee"], "assignee", task["line"], element_id, problem)
        if task["due_date"]:
            _check_due_date(task["due_date"], task["line"], element_id, problem)
        if task.get("priority"):
            _check_priority(task["priority"], task["line"], element_id, problem)
        if task.get("context") is not None and not _CONTEXT.match(task["context"].strip()):
            problem(
                f"Property 'context' is '{task['context']}': write none, or the variable names to show beside "
                "the form, separated by commas (e.g. threat_level,advised_measures).",
                task["line"],
                element_id,
            )
    for start in model["start_events"]:
        ref = start["form"]
        if ref is not None and _resolve_form(ref, forms, forms_by_file) is None:
            problem(f"Start form '{ref['ref']}' is not deployed and not in this upload.", start["line"], start["id"])
    for group in model["starter_groups"]:
        if normalise_role(group) is None:
            problem(
                f"Starter group '{group}' is not a role; roles are: {', '.join(ROLES)}.", model["line"], model["id"]
            )
    for reader in model.get("case_readers") or ():
        if normalise_role(reader) is None:
            problem(
                f"The case readers name '{reader}', which is not a role; roles are: {', '.join(ROLES)}.",
                model["line"],
                model["id"],
            )
    for timer in model["timers"]:
        if timer["kind"] is None:
            problem("Timer has no timeDate, timeDuration or timeCycle.", timer["line"], timer["element_id"])
            continue
        try:
            expression = timer_expression(timer["text"], timer["kind"])
        except ValueError as err:
            problem(str(err), timer["line"], timer["element_id"])
            continue
        error = check_source(expression, "eval")
        if error:
            problem(
                f"Timer expression '{timer['text']}' is neither ISO-8601 nor a valid expression: {error}",
                timer["line"],
                timer["element_id"],
            )
    for script in model["scripts"]:
        if script["format"] not in ("python", "py", ""):
            problem(
                f"Script format '{script['format']}' is not supported; write Python (scriptFormat=\"python\").",
                script["line"],
                script["element_id"],
            )
            continue
        found = source_problem(script["text"], "exec")
        if found:
            message, offset = found
            line = script["line"] + (offset - 1 if offset else 0)
            problem(f"Script does not compile: {message}", line, script["element_id"])
    for condition in model["conditions"]:
        error = check_source(strip_el(condition["text"]), "eval")
        if error:
            problem(
                f"Condition '{condition['text']}' does not compile: {error}", condition["line"], condition["element_id"]
            )
    for element_id, catch in model["message_catches"].items():
        if not catch["message"]:
            problem(
                "Message event names no message: set messageRef to a bpmn:message with a name.",
                catch["line"],
                element_id,
            )
        unknown = [name for name in catch.get("senders", []) if normalise_role(name) is None]
        if unknown:
            problem(
                f"Extension property 'senders' names {', '.join(unknown)}, which is not a role; roles are: "
                f"{', '.join(ROLES)}.",
                catch["line"],
                element_id,
            )
        bad = [name for name in catch.get("variables", []) if not _IDENTIFIER.match(name)]
        if bad:
            problem(
                f"Extension property 'variables' names {', '.join(bad)}: variable names are identifiers "
                "separated by commas.",
                catch["line"],
                element_id,
            )
    for decision in model["decisions"]:
        if not decision["decision"]:
            problem("Business rule task needs camunda:decisionRef.", decision["line"], decision["element_id"])


_GROUP_VARIABLE = re.compile(r"^\$\{\s*[A-Za-z_][A-Za-z0-9_]*\s*\}$")


def _check_value_expression(text, what, line, element_id, problem):
    match = _EXPRESSION.match(text)
    if match:
        error = check_source(match.group(1).strip(), "eval")
        if error:
            problem(f"The {what} expression '{text}' does not compile: {error}", line, element_id)


def _check_priority(text, line, element_id, problem):
    if _EXPRESSION.match(text):
        _check_value_expression(text, "priority", line, element_id, problem)
    elif not text.strip().isdigit() or not MIN_PRIORITY <= int(text) <= MAX_PRIORITY:
        problem(
            f"Priority '{text}' is not a whole number from {MIN_PRIORITY} to {MAX_PRIORITY} "
            "(50 is normal, 75 and higher is urgent) and not an expression such as ${90 if acute_danger else 50}.",
            line,
            element_id,
        )


def _check_due_date(text, line, element_id, problem):
    stripped = strip_el(text)
    if _ISO_DURATION.match(stripped.upper()) or _ISO_DATETIME.match(stripped):
        return
    error = check_source(stripped, "eval")
    if error:
        problem(
            f"Due date '{text}' is not ISO-8601 (P2D, 2026-12-31T12:00) and not a valid expression: {error}",
            line,
            element_id,
        )
