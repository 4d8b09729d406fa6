"""The text a new studio file starts with: an executable process with a start and an end, an empty
decision table, an empty form, a scenario test skeleton."""

from __future__ import annotations

import json
import re

from .workspace import bpmn_stem, test_stem


def _identifier(file_name: str) -> str:
    stem = re.sub(r"\.(bpmn20\.xml|bpmn|dmn|form)$", "", test_stem(file_name), flags=re.I)
    ident = re.sub(r"[^A-Za-z0-9_]", "_", stem).strip("_").lower() or "new"
    return ident if ident[0].isalpha() else f"p_{ident}"


BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="{id}_definitions" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="{id}" name="{id}" isExecutable="true">
    <bpmn:startEvent id="start" name="Start">
      <bpmn:outgoing>flow_start_end</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:sequenceFlow id="flow_start_end" sourceRef="start" targetRef="end" />
    <bpmn:endEvent id="end" name="Einde / End">
      <bpmn:incoming>flow_start_end</bpmn:incoming>
    </bpmn:endEvent>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="{id}_diagram">
    <bpmndi:BPMNPlane id="{id}_plane" bpmnElement="{id}">
      <bpmndi:BPMNShape id="start_di" bpmnElement="start"><dc:Bounds x="180" y="100" width="36" height="36" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="end_di" bpmnElement="end"><dc:Bounds x="400" y="100" width="36" height="36" /></bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="flow_start_end_di" bpmnElement="flow_start_end"><di:waypoint x="216" y="118" /><di:waypoint x="400" y="118" /></bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""

DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" xmlns:dmndi="https://www.omg.org/spec/DMN/20191111/DMNDI/" xmlns:dc="http://www.omg.org/spec/DMN/20180521/DC/" id="{id}_definitions" name="{id}" namespace="http://camunda.org/schema/1.0/dmn">
  <decision id="{id}" name="{id}">
    <decisionTable id="{id}_table" hitPolicy="UNIQUE">
      <input id="{id}_input" label="Invoer / Input">
        <inputExpression id="{id}_input_expression" typeRef="string"><text>value</text></inputExpression>
      </input>
      <output id="{id}_output" label="Uitkomst / Outcome" name="outcome" typeRef="string" />
      <rule id="{id}_rule_1">
        <inputEntry id="{id}_rule_1_in"><text>-</text></inputEntry>
        <outputEntry id="{id}_rule_1_out"><text>"default"</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
  <dmndi:DMNDI>
    <dmndi:DMNDiagram id="{id}_drd">
      <dmndi:DMNShape id="{id}_shape" dmnElementRef="{id}"><dc:Bounds height="80" width="180" x="160" y="100" /></dmndi:DMNShape>
    </dmndi:DMNDiagram>
  </dmndi:DMNDI>
</definitions>
"""


def blank(kind: str, file_name: str) -> str:
    ident = _identifier(file_name)
    if kind == "bpmn":
        return BPMN.replace("{id}", ident)
    if kind == "dmn":
        return DMN.replace("{id}", ident)
    if kind == "form":
        return json.dumps({"type": "default", "id": ident, "components": [], "schemaVersion": 16}, indent=2) + "\n"
    stem = bpmn_stem(test_stem(file_name))
    return (
        json.dumps(
            {
                "scenarios": [
                    {
                        "name": f"{stem}: standaardpad / happy path",
                        "start": {},
                        "inputs": {},
                        "expect": {"end": "completed"},
                    }
                ]
            },
            indent=2,
        )
        + "\n"
    )
