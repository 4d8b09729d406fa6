"""State-only serialization of a running case.

A deployed process version's spec is parsed once from its stored files and cached; what is saved for a case
is only its state (tasks, data, subprocesses, pending events), about half the bytes and time of the
library's default, which embeds the whole spec in every save.
"""
from __future__ import annotations

import json
from copy import deepcopy
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.migration.version_migration import MIGRATIONS
from SpiffWorkflow.bpmn.serializer.workflow import VERSION
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG
from SpiffWorkflow.camunda.serializer.event_definition import MessageEventDefinitionConverter

from .bpmn_parser import HostMessageEventDefinition

FORMAT_VERSION = VERSION


class StateOnlyWorkflowConverter(BpmnWorkflowConverter):
    """Converts a top-level workflow without its spec, and restores it onto a cached spec."""

    def to_dict(self, workflow):
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct, spec=None, subprocess_specs=None):
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _build_config():
    config = deepcopy(CAMUNDA_CONFIG)
    config[BpmnWorkflow] = StateOnlyWorkflowConverter
    config[HostMessageEventDefinition] = MessageEventDefinitionConverter
    return config


_REGISTRY = BpmnWorkflowSerializer.configure(_build_config())
_SERIALIZER = BpmnWorkflowSerializer(_REGISTRY)


def dump_state(workflow: BpmnWorkflow) -> str:
    """The JSON text of a workflow's state, without its spec."""
    _REGISTRY._encoder_mode = True
    try:
        dct = _REGISTRY.convert(workflow)
    finally:
        _REGISTRY._encoder_mode = False
    dct[BpmnWorkflowSerializer.VERSION_KEY] = FORMAT_VERSION
    return json.dumps(dct, separators=(",", ":"), cls=_SERIALIZER._encoder_cls)


def load_state(text: str, spec, subprocess_specs, script_engine) -> BpmnWorkflow:
    """Restore a workflow from `dump_state` output onto an already parsed spec."""
    dct = json.loads(text)
    version = dct.pop(BpmnWorkflowSerializer.VERSION_KEY, FORMAT_VERSION)
    if version != FORMAT_VERSION and version in MIGRATIONS:
        dct["spec"], dct["subprocess_specs"] = {}, {}
        MIGRATIONS[version](dct)
        dct.pop("spec", None)
        dct.pop("subprocess_specs", None)
    dct.pop("typename", None)
    converter = _REGISTRY.convert_from_dict[_REGISTRY.typenames[BpmnWorkflow]]
    workflow = converter(dct, spec=spec, subprocess_specs=subprocess_specs)
    workflow.script_engine = script_engine
    return workflow
