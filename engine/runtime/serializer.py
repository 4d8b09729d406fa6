"""State-only serialization of a running case.

A deployed process version's spec is parsed once from its stored files and cached; what is saved for a case
is only its state (tasks, data, subprocesses, pending events), about half the bytes and time of the
library's default, which embeds the whole spec in every save.

A finished task (completed or cancelled) no longer changes, and a predicted task without data only changes
with its place in the tree, yet the library converts and encodes every task of the tree on every save. The
JSON text of such "settled" tasks is therefore kept with the live workflow, keyed by what could still
change it (state, time of its last state change, parent, children, triggered, spec), and reused on the next
save of that workflow; other tasks are converted again. The output is the same
JSON the library's converter gives: `VB_VERIFY_STATE_DUMP` (on in the tests) compares the two on every save.
"""

from __future__ import annotations

import json
import threading
from json.decoder import scanstring  # type: ignore[attr-defined]  # the C scanner, absent from the stubs
from copy import deepcopy
from uuid import UUID, uuid4

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import (
    BpmnSubWorkflowConverter,
    BpmnWorkflowConverter,
    TaskConverter,
    WorkflowConverter,
)
from SpiffWorkflow.bpmn.serializer.migration.version_migration import MIGRATIONS
from SpiffWorkflow.bpmn.serializer.workflow import VERSION
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.camunda.serializer.event_definition import MessageEventDefinitionConverter
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.deep_merge import DeepMerge
from SpiffWorkflow.util.task import TaskState

from .bpmn_parser import HostMessageEventDefinition

FORMAT_VERSION = VERSION


FORMAT_VERSION = VERSION
_FINISHED = TaskState.COMPLETED | TaskState.CANCELLED
_TOKEN = f"vb-task-table-{uuid4().hex}-"  # stands for a task table's JSON text while the rest is encoded
_DUMP = threading.local()


class _TaskTables:
    """While a state is dumped: task tables are written as tokens, their JSON text kept aside."""

    def mapping_to_dict(self, mapping, **kwargs):
        tables = getattr(_DUMP, "tables", None)
        if tables is None or not mapping or not isinstance(next(iter(mapping.values())), Task):
            return super().mapping_to_dict(mapping, **kwargs)
        token = f"{_TOKEN}{len(tables)}"
        tables[token] = "{" + ",".join(_task_json(task) for task in mapping.values()) + "}"
        return token


def _settled(task) -> bool:
    """Whether the task's JSON is decided by its key alone: a finished task (its data and internal data no
    longer change), or a task that has no data, no internal data, and a parent without data (a predicted
    task further down a path: its data is a delta against its parent's)."""
    if task.state & _FINISHED:
        return True
    if task.data or task.internal_data:
        return False
    parent = task.parent
    return parent is None or not parent.data


def _key(task) -> tuple:
    return (
        task.state,
        task.last_state_change,
        task._parent,
        tuple(task._children),
        task.triggered,
        task.task_spec.name,
    )


def _task_json(task) -> str:
    """`"<task id>":{...}`, the task's entry in its table."""
    settled = _settled(task)
    if settled:
        key = _key(task)
        known = _DUMP.memo.get(task.id)
        if known is not None and known[0] == key:
            _DUMP.next_memo[task.id] = known
            return known[1]
    task_id = _id_text(task.id, _DUMP.ids)
    text = f'"{task_id}":{_task_text(task, task_id)}'
    if settled:
        _DUMP.next_memo[task.id] = (key, text)
    return text


def _encode_scalar(value, kind) -> str:
    """A number or a boolean as the json module writes it (anything else through the encoder)."""
    if type(value) is kind:
        if kind is bool:
            return "true" if value else "false"
        return repr(value)
    return _ENCODER.encode(value)


_NO_DELTA = '{"updates":{},"deletions":[]}'
_ENCODED_NAMES: dict = {}  # a spec name or typename -> its JSON text (names repeat in every state)


def _encoded_name(name: str) -> str:
    text = _ENCODED_NAMES.get(name)
    if text is None:
        text = _ENCODED_NAMES[name] = _ENCODER.encode(name)
    return text


def _id_text(task_id: UUID, ids: dict) -> str:
    """A task id as text, converted once per dump (an id is written as a key, an id, a parent and a child);
    `ids` holds the texts of the dump under way."""
    text = ids.get(task_id)
    if text is None:
        text = ids[task_id] = str(task_id)
    return text


def _task_text(task, task_id: str) -> str:
    """The JSON of SpiffWorkflow 3.2's `TaskConverter.to_dict(task)` with its registry's typename (members in
    their order, data as a delta against the parent's), written directly instead of building the dict and
    encoding it: a new case has dozens of predicted tasks, each written once. Data values go through the
    same encoder."""
    encode = _ENCODER.encode
    ids = getattr(_DUMP, "ids", None)
    if ids is None:  # outside a dump
        ids = {}
    parent = task.parent
    if parent is None:
        parent_text, data, delta = "null", encode(task.data), "{}"
    else:
        parent_text, data = f'"{_id_text(task._parent, ids)}"', "{}"
        if not task.data and not parent.data:
            delta = _NO_DELTA
        else:
            updates = DeepMerge.get_updated_keys(parent.data, task.data)
            deletions = DeepMerge.get_deleted_keys(parent.data, task.data)
            delta = (
                f'{{"updates":{encode(updates) if updates else "{}"},'
                f'"deletions":{encode(deletions) if deletions else "[]"}}}'
            )
    children = ",".join(f'"{_id_text(child, ids)}"' for child in task._children)
    internal = encode(_REGISTRY.convert(task.internal_data)) if task.internal_data else "{}"
    return (
        f'{{"id":"{task_id}","parent":{parent_text},"children":[{children}],'
        f'"last_state_change":{_encode_scalar(task.last_state_change, float)},'
        f'"state":{_encode_scalar(task.state, int)},"task_spec":{_encoded_name(task.task_spec.name)},'
        f'"triggered":{_encode_scalar(task.triggered, bool)},"internal_data":{internal},'
        f'"data":{data},"delta":{delta},"typename":{_encoded_name(_REGISTRY.typenames[type(task)])}}}'
    )


_LOAD = threading.local()


def _uuid(text: str) -> UUID:
    """A task id read back: each id occurs several times in a state (key, own id, parent, children), and
    parsing a UUID costs more than looking it up."""
    known = _LOAD.uuids.get(text)
    if known is None:
        known = _LOAD.uuids[text] = UUID(text)
    return known


class _TaskIds:
    """Task tables are read with ids parsed once per load."""

    def mapping_from_dict(self, mapping, key_class=None, **kwargs):
        if key_class is UUID and getattr(_LOAD, "uuids", None) is not None:
            return {_uuid(k): self.registry.restore(v, **kwargs) for k, v in mapping.items()}
        return super().mapping_from_dict(mapping, key_class, **kwargs)


class StateTaskConverter(TaskConverter):
    """The library's task conversion (SpiffWorkflow 3.x `TaskConverter.from_dict`, step for step), reading
    ids through the load's parsed ids."""

    def from_dict(self, dct, workflow):
        if getattr(_LOAD, "uuids", None) is None:
            return super().from_dict(dct, workflow)
        task_spec = workflow.spec.task_specs.get(dct["task_spec"])
        task = self.target_class(workflow, task_spec, state=dct["state"], id=_uuid(dct["id"]))
        task._parent = _uuid(dct["parent"]) if dct["parent"] is not None else None
        task._children = [_uuid(child) for child in dct["children"]]
        task.last_state_change = dct["last_state_change"]
        task.triggered = dct["triggered"]
        task.internal_data = self.registry.restore(dct["internal_data"])
        if isinstance(task_spec, CatchingEvent) and task.has_state(TaskState.WAITING):
            task.workflow.top_workflow.event_manager.add_task(task)
        delta = dct.get("delta")
        if delta and task.parent is not None:
            data = DeepMerge.merge({}, task.parent.data)
            data.update(self.registry.restore(delta.get("updates", {})))
            for key in delta.get("deletions", {}):
                if key in data:
                    del data[key]
        else:
            data = self.registry.restore(dct["data"])
        task.data = data
        return task


class SubWorkflowStateConverter(_TaskIds, _TaskTables, BpmnSubWorkflowConverter):
    """A subprocess (call activity, embedded subprocess) of a case, its task table as in the top workflow."""


class StateOnlyWorkflowConverter(_TaskIds, _TaskTables, BpmnWorkflowConverter):
    """Converts a top-level workflow without its spec, and restores it onto a cached spec."""

    def to_dict(self, workflow):
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct, spec=None, subprocess_specs=None):
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(_uuid(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _build_config():
    config = deepcopy(CAMUNDA_CONFIG)
    config[BpmnWorkflow] = StateOnlyWorkflowConverter
    config[BpmnSubWorkflow] = SubWorkflowStateConverter
    config[Task] = StateTaskConverter
    config[HostMessageEventDefinition] = MessageEventDefinitionConverter
    return config


_REGISTRY = BpmnWorkflowSerializer.configure(_build_config())
_SERIALIZER = BpmnWorkflowSerializer(_REGISTRY)
_ENCODER = _SERIALIZER._encoder_cls(separators=(",", ":"))
VERIFY = False  # set from VB_VERIFY_STATE_DUMP by the app factory


def dump_state(workflow: BpmnWorkflow) -> str:
    """The JSON text of a workflow's state, without its spec."""
    _DUMP.tables, _DUMP.memo, _DUMP.next_memo, _DUMP.ids = {}, getattr(workflow, "_vb_task_json", {}), {}, {}
    _REGISTRY._encoder_mode = True
    try:
        dct = _REGISTRY.convert(workflow)
        dct[BpmnWorkflowSerializer.VERSION_KEY] = FORMAT_VERSION
        text = _ENCODER.encode(dct)
        for token, table in _DUMP.tables.items():
            text = text.replace(f'"{token}"', table, 1)
        workflow._vb_task_json = _DUMP.next_memo
    finally:
        _REGISTRY._encoder_mode = False
        _DUMP.tables = _DUMP.memo = _DUMP.next_memo = _DUMP.ids = None
    if VERIFY:
        reference = reference_dump(workflow)
        if json.loads(text) != json.loads(reference):
            raise AssertionError("The state dump differs from the library's conversion of the same workflow.")
    return text


def reference_dump(workflow: BpmnWorkflow) -> str:
    """The same state converted by the library's converters alone, every task anew (to verify `dump_state`)."""
    _REGISTRY._encoder_mode = True
    try:
        dct = _REGISTRY.convert(workflow)
    finally:
        _REGISTRY._encoder_mode = False
    dct[BpmnWorkflowSerializer.VERSION_KEY] = FORMAT_VERSION
    return json.dumps(dct, separators=(",", ":"), cls=_SERIALIZER._encoder_cls)


def load_state(text: str, spec, subprocess_specs, script_engine) -> BpmnWorkflow:
    """Restore a workflow from `dump_state` output onto an already parsed spec. The JSON text of its settled
    tasks is kept from the text read, so the next save converts only what changed."""
    spans: dict = {}
    try:
        dct = _read_state(text, spans)
    except (ValueError, IndexError):  # not this module's compact layout: read it as any JSON
        dct, spans = json.loads(text), {}
    version = dct.pop(BpmnWorkflowSerializer.VERSION_KEY, FORMAT_VERSION)
    if version != FORMAT_VERSION and version in MIGRATIONS:
        dct["spec"], dct["subprocess_specs"] = {}, {}
        MIGRATIONS[version](dct)
        dct.pop("spec", None)
        dct.pop("subprocess_specs", None)
        spans = {}
    dct.pop("typename", None)
    converter = _REGISTRY.convert_from_dict[_REGISTRY.typenames[BpmnWorkflow]]
    uuids: dict[str, UUID] = {}
    _LOAD.uuids = uuids
    try:
        workflow = converter(dct, spec=spec, subprocess_specs=subprocess_specs)
    finally:
        _LOAD.uuids = None
    workflow.script_engine = script_engine
    if spans:
        tasks = dict(workflow.tasks)
        for subprocess in workflow.subprocesses.values():
            tasks.update(subprocess.tasks)
        memo = {}
        for text_id, span in spans.items():
            task = tasks.get(uuids.get(text_id))
            if task is not None and _settled(task):
                memo[task.id] = (_key(task), f'"{text_id}":{span}')
        workflow._vb_task_json = memo
    return workflow


# Reading a state with the JSON text of each task kept aside. The text is `dump_state` output: compact
# separators, no whitespace. Values are read by the json module's own scanner (`raw_decode`).
_DECODER = json.JSONDecoder()


def _read_object(text: str, idx: int, read_value) -> tuple[dict, int]:
    """The object starting at text[idx], each member's value read by read_value(key, index) -> (value, end)."""
    if text[idx] != "{":
        raise ValueError("an object was expected")
    result: dict = {}
    idx += 1
    if text[idx] == "}":
        return result, idx + 1
    while True:
        if text[idx] != '"':
            raise ValueError("a member name was expected")
        key, idx = scanstring(text, idx + 1)
        if text[idx] != ":":
            raise ValueError("':' was expected")
        result[key], idx = read_value(key, idx + 1)
        if text[idx] == ",":
            idx += 1
        elif text[idx] == "}":
            return result, idx + 1
        else:
            raise ValueError("',' or '}' was expected")


def _read_state(text: str, spans: dict) -> dict:
    """json.loads(text), noting in `spans` the JSON text of every task (task id -> text)."""

    def task(task_id, idx):
        value, end = _DECODER.raw_decode(text, idx)
        spans[task_id] = text[idx:end]
        return value, end

    def workflow_member(key, idx):
        if key == "tasks":
            return _read_object(text, idx, task)
        if key == "subprocesses":
            return _read_object(text, idx, lambda _id, at: _read_object(text, at, workflow_member))
        return _DECODER.raw_decode(text, idx)

    dct, end = _read_object(text, 0, workflow_member)
    if end != len(text):
        raise ValueError("text after the state")
    return dct
