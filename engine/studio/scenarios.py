"""Scenario tests of process owners: a test file next to a diagram, run against the engine runtime itself.

`processes/<stem>.test.json` (or `.test.yaml`) belongs to `processes/<stem>.bpmn`:

    {"process": "threat_response",                       # optional: the first executable process of the file
     "scenarios": [{
        "name": "Acuut gevaar gaat naar de politie",
        "start": {"summary": "...", "municipality_code": "GM0668"},     # start form values
        "inputs": {"triage": {"acute_danger": true, "category": "bedreiging"},  # per user task (element id);
                   "check_in": [{...}, {...}]},                          # a list: one per visit (loops)
        "events": [{"message": "aangifte_geregistreerd", "payload": {...}},     # when the case waits
                   {"timer": "reminder"}],                                     # fire this waiting timer
        "expect": {"path": ["triage", "police_check"],     # visited in this order (others may come between)
                   "not_visited": ["compensation"],
                   "end": "completed",                     # completed | waiting | error
                   "end_event": "end_done", "waiting_at": ["police_check"],
                   "variables": {"severity": "hoog"}}}]}

A scenario runs in memory on the workspace's files as they would be deployed: the same parser, sandboxed
script engine and form validation as real cases, but nothing is stored and no real case is touched. Every
user task's inputs pass through its form's server-side validation, so a form change that would refuse
them fails the scenario.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone

import yaml
from flask import current_app
from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.util.task import TaskState

from ..definitions.bpmn_model import BPMN_NS, extract_process, message_names, safe_xml_parser
from ..forms.formjs import FormDefinition
from ..instances.engine_runner import StepLog, run_engine
from ..runtime import inspection
from ..runtime.bpmn_parser import HostParser
from ..runtime.sandbox import SandboxedScriptEngine
from .workspace import bpmn_stem, test_stem
from ..messages.service import catch_message

MAX_ROUNDS = 500
END_STATES = ("completed", "waiting", "error")


class ScenarioFileError(ValueError):
    """A test file that cannot be read; the message says what to fix."""


@dataclass
class ScenarioResult:
    file: str
    process_id: str
    name: str
    passed: bool
    reasons: list = field(default_factory=list)
    path: list = field(default_factory=list)
    end: str = ""
    waiting_at: list = field(default_factory=list)
    variables: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "file": self.file,
            "process_id": self.process_id,
            "name": self.name,
            "passed": self.passed,
            "reasons": self.reasons,
            "path": self.path,
            "end": self.end,
            "waiting_at": self.waiting_at,
        }


def read_test_file(file_name: str, content: str) -> dict:
    try:
        document = yaml.safe_load(content) if file_name.lower().endswith((".yaml", ".yml")) else json.loads(content)
    except json.JSONDecodeError as err:
        raise ScenarioFileError(f"Not valid JSON (line {err.lineno}): {err.msg}.") from None
    except yaml.YAMLError as err:
        raise ScenarioFileError(f"Not valid YAML: {err}.") from None
    if not isinstance(document, dict) or not isinstance(document.get("scenarios"), list) or not document["scenarios"]:
        raise ScenarioFileError("A test file is an object with a non-empty list 'scenarios'.")
    for index, scenario in enumerate(document["scenarios"], start=1):
        if not isinstance(scenario, dict):
            raise ScenarioFileError(f"Scenario {index} is not an object.")
        for key, kind in (("start", dict), ("inputs", dict), ("events", list), ("expect", dict)):
            if key in scenario and not isinstance(scenario[key], kind):
                raise ScenarioFileError(
                    f"Scenario {index}: '{key}' must be a{'n object' if kind is dict else ' list'}."
                )
        end = (scenario.get("expect") or {}).get("end")
        if end is not None and end not in END_STATES:
            raise ScenarioFileError(f"Scenario {index}: expect.end is one of {', '.join(END_STATES)}.")
    return document


class Runtime:
    """The workspace's files parsed once, as a deployment would parse them."""

    def __init__(self, files):
        self.parser = HostParser()
        self.models: dict[str, dict] = {}
        self.forms_by_id: dict[str, FormDefinition] = {}
        self.forms_by_file: dict[str, FormDefinition] = {}
        self.process_files: dict[str, list] = {}
        for f in files.values():
            if f.kind == "form":
                form = FormDefinition.from_json(f.content)
                self.forms_by_id[form.id] = self.forms_by_file[f.file_name] = form
        for f in files.values():
            if f.kind == "dmn":
                self.parser.add_dmn_xml(self._tree(f.content), f.file_name)
        for f in files.values():
            if f.kind == "bpmn":
                tree = self._tree(f.content)
                messages = message_names(tree)
                for process in tree.iter(f"{{{BPMN_NS}}}process"):
                    model = extract_process(process, messages)
                    self.models[model["id"]] = model
                    self.process_files.setdefault(f.file_name, []).append(model)
                self.parser.add_bpmn_xml(tree, f.file_name)

    @staticmethod
    def _tree(content: str):
        return etree.fromstring(content.encode("utf-8"), parser=safe_xml_parser())

    def form(self, reference: dict | None) -> FormDefinition | None:
        if not reference:
            return None
        if reference.get("by") == "file":
            return self.forms_by_file.get(reference["ref"])
        return self.forms_by_id.get(reference["ref"])

    def process_for(self, test_file: str, document: dict) -> str:
        if document.get("process"):
            if document["process"] not in self.models:
                raise ScenarioFileError(f"Process '{document['process']}' is not in the studio.")
            return document["process"]
        stem = test_stem(test_file)
        for file_name, models in self.process_files.items():
            if bpmn_stem(file_name) == stem:
                for model in models:
                    if model["executable"]:
                        return model["id"]
        raise ScenarioFileError(f"No diagram {stem}.bpmn with an executable process; name one with 'process'.")

    def new_workflow(self, process_id: str) -> BpmnWorkflow:
        engine = SandboxedScriptEngine(time_limit=current_app.config["VB_SCRIPT_TIME_LIMIT"])
        return BpmnWorkflow(
            self.parser.get_spec(process_id), self.parser.get_subprocess_specs(process_id), script_engine=engine
        )


def run_test_file(runtime: Runtime, file_name: str, content: str) -> list[ScenarioResult]:
    try:
        document = read_test_file(file_name, content)
        process_id = runtime.process_for(file_name, document)
    except ScenarioFileError as err:
        return [ScenarioResult(file_name, "", "(file)", False, [str(err)])]
    return [
        run_scenario(runtime, file_name, process_id, scenario, index)
        for index, scenario in enumerate(document["scenarios"], start=1)
    ]


class _Recorder:
    """What `messages.service.catch_message` needs of a case session."""

    def __init__(self, workflow):
        self.workflow = workflow

    def record(self, *args, **kwargs):
        pass


def run_scenario(runtime: Runtime, file_name: str, process_id: str, scenario: dict, index: int) -> ScenarioResult:
    result = ScenarioResult(file_name, process_id, str(scenario.get("name") or f"Scenario {index}"), False)
    model = runtime.models[process_id]
    if not model["executable"]:
        result.reasons.append(f"Process '{process_id}' is not executable.")
        return result
    start = dict(scenario.get("start") or {})
    start_form = next(
        (
            runtime.form(s["form"])
            for s in model["start_events"]
            if s.get("form") and not s.get("timer") and not s.get("message")
        ),
        None,
    )
    if start_form is not None:
        start, errors = start_form.validate(start)
        if errors:
            result.reasons.append(f"The start form refuses the start values: {_errors_text(errors)}.")
            return result
    start.setdefault("business_key", f"TEST-{index:04d}")
    for event in model["start_events"]:
        if event.get("initiator"):
            start[event["initiator"]] = "scenario"
    try:
        workflow = runtime.new_workflow(process_id)
    except Exception as err:  # a diagram the engine cannot instantiate: say so on the scenario
        result.reasons.append(f"The process cannot start: {err}")
        return result
    workflow.task_tree.data.update(start)
    inputs = {
        key: (list(value) if isinstance(value, list) else value)
        for key, value in (scenario.get("inputs") or {}).items()
    }
    events = list(scenario.get("events") or [])
    log = StepLog()
    incident = None
    try:
        incident = _run_rounds(runtime, workflow, inputs, events, log, result)
    except RecursionError:  # a task that reopens and is given the same inputs each time: the case loops
        result.reasons.append(
            "The case goes round a loop: a task opens again and again with the same inputs. "
            "Give that task a list of inputs, one for each time it opens."
        )
        return result
    return _finish(result, workflow, log, incident, scenario)


def _run_rounds(runtime, workflow, inputs, events, log, result):
    incident = None
    for _ in range(MAX_ROUNDS):
        run_engine(workflow, log)
        if log.incident is not None:
            incident = log.incident
            break
        if workflow.is_completed():
            break
        if _complete_next_task(runtime, workflow, inputs, log, result):
            continue
        if result.reasons:
            return incident
        if events and _apply_event(workflow, events.pop(0), result):
            continue
        break
    return incident


def _complete_next_task(runtime, workflow, inputs, log, result) -> bool:
    for task in inspection.ready_user_tasks(workflow):
        element_id = task.task_spec.bpmn_id
        if element_id not in inputs:
            continue
        given = inputs[element_id]
        if isinstance(given, list):
            if not given:
                continue
            values = given.pop(0)
        else:
            values = given
        values = values if isinstance(values, dict) else {}
        task_model = runtime.models.get(task.workflow.spec.name, {}).get("user_tasks", {}).get(element_id) or {}
        form = runtime.form(task_model.get("form"))
        if form is not None:
            values, errors = form.validate(values)
            if errors:
                result.reasons.append(f"Task '{element_id}': the form refuses the inputs: {_errors_text(errors)}.")
                return False
        task.data.update(values)
        task.run()
        log.events.append({"event": "task.completed", "element_id": element_id})
        return True
    return False


def _apply_event(workflow, event, result) -> bool:
    if not isinstance(event, dict):
        result.reasons.append(f"Event {event!r} is not an object with 'message' or 'timer'.")
        return False
    if "message" in event:
        payload = event.get("payload") or {}
        if catch_message(_Recorder(workflow), str(event["message"]), payload):
            return True
        result.reasons.append(f"Message '{event['message']}' was sent, but the case does not wait for it.")
        return False
    if "timer" in event:
        for task in workflow.get_tasks(state=TaskState.WAITING):
            definition = getattr(task.task_spec, "event_definition", None)
            definitions = getattr(definition, "event_definitions", None) or [definition]
            if task.task_spec.bpmn_id == event["timer"] and any(
                isinstance(d, TimerEventDefinition) for d in definitions
            ):
                if any(isinstance(d, CycleTimerEventDefinition) for d in definitions):
                    result.reasons.append(
                        f"Timer '{event['timer']}' is a cycle; scenarios fire date and duration timers."
                    )
                    return False
                # The due moment of a waiting timer is kept in its internal data: make it due now.
                task.internal_data["event_value"] = datetime(2000, 1, 1, tzinfo=timezone.utc).isoformat()
                return True
        result.reasons.append(f"Timer '{event['timer']}' was fired, but the case does not wait on it.")
        return False
    result.reasons.append(f"Event {event!r} names neither 'message' nor 'timer'.")
    return False


def _errors_text(errors: dict) -> str:
    return "; ".join(f"{key}: {', '.join(messages)}" for key, messages in errors.items())


def _finish(result, workflow, log, incident, scenario) -> ScenarioResult:
    path = []
    for event in log.events:
        if event.get("element_id") and event["event"] in ("element.completed", "task.completed"):
            path.append(event["element_id"])
    result.path = path
    if incident is not None:
        result.end = "error"
    elif workflow.is_completed():
        result.end = "completed"
    else:
        result.end = "waiting"
        result.waiting_at = inspection.active_elements(workflow)
    result.variables = inspection.case_variables(workflow)
    expect = scenario.get("expect") or {}
    reasons = result.reasons
    if incident is not None and expect.get("end") != "error":
        reasons.append(f"Incident at '{incident.get('element_id')}': {incident.get('message')}")
    if expect.get("end") and expect["end"] != result.end:
        where = f" at {', '.join(result.waiting_at)}" if result.end == "waiting" else ""
        reasons.append(f"Expected the case to end '{expect['end']}', but it is '{result.end}'{where}.")
    _check_path(expect.get("path") or [], path, reasons)
    for element_id in expect.get("not_visited") or []:
        if element_id in path:
            reasons.append(f"Expected '{element_id}' not to be visited, but it was.")
    if expect.get("end_event"):
        ends = [e for e in path if e == expect["end_event"]]
        if not ends:
            reasons.append(f"Expected to end at '{expect['end_event']}', but the case did not get there.")
    for element_id in expect.get("waiting_at") or []:
        if element_id not in result.waiting_at:
            reasons.append(
                f"Expected the case to wait at '{element_id}'; it waits at {', '.join(result.waiting_at) or 'nothing'}."
            )
    for key, value in (expect.get("variables") or {}).items():
        if key not in result.variables:
            reasons.append(f"Expected variable '{key}' = {value!r}, but it is not set.")
        elif result.variables[key] != value:
            reasons.append(f"Expected variable '{key}' = {value!r}, but it is {result.variables[key]!r}.")
    result.passed = not reasons
    return result


def _check_path(expected: list, path: list, reasons: list) -> None:
    position = 0
    for element_id in expected:
        try:
            position = path.index(element_id, position) + 1
        except ValueError:
            if element_id in path:
                reasons.append(f"Expected '{element_id}' later in the path: {' → '.join(path)}.")
            else:
                reasons.append(f"Expected the path to pass '{element_id}'; it went {' → '.join(path) or '(nowhere)'}.")
            return


def run_workspace_tests(files, only: str | None = None) -> list[ScenarioResult]:
    """Run every test file of a workspace (or only `only`). The workspace must validate without errors."""
    tests = [f for f in files.values() if f.kind == "test" and (only is None or f.file_name == only)]
    if not tests:
        return []
    runtime = Runtime(files)
    results = []
    for test in sorted(tests, key=lambda f: f.file_name):
        results.extend(run_test_file(runtime, test.file_name, test.content))
    return results
