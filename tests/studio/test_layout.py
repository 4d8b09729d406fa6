"""Layout the editor cannot show is carried over on save; a deleted element's layout is not."""

from engine.studio.layout import keep_layout

PREVIOUS = """<?xml version="1.0" encoding="ISO-8859-1"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" id="d">
  <process id="shown"><task id="a"/></process>
  <process id="orphan"><task id="b"/><task id="c"/></process>
  <bpmndi:BPMNDiagram id="diagram"><bpmndi:BPMNPlane id="plane" bpmnElement="shown">
    <bpmndi:BPMNShape id="a_di" bpmnElement="a"><dc:Bounds x="1" y="2" width="3" height="4"/></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="b_di" bpmnElement="b"><dc:Bounds x="5" y="6" width="7" height="8"/></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="c_di" bpmnElement="c"><dc:Bounds x="9" y="9" width="9" height="9"/></bpmndi:BPMNShape>
  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</definitions>"""

SAVED_BY_EDITOR = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" id="d">
  <process id="shown"><task id="a"/></process>
  <process id="orphan"><task id="b"/></process>
  <bpmndi:BPMNDiagram id="diagram"><bpmndi:BPMNPlane id="plane" bpmnElement="shown">
    <bpmndi:BPMNShape id="a_di" bpmnElement="a"><dc:Bounds x="10" y="20" width="3" height="4"/></bpmndi:BPMNShape>
  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</definitions>"""


def test_dropped_layout_returns_and_deleted_elements_stay_deleted():
    merged = keep_layout(PREVIOUS, SAVED_BY_EDITOR)
    assert 'id="b_di"' in merged and 'x="5"' in merged  # b exists but the editor did not draw it
    assert 'id="c_di"' not in merged  # c was deleted
    assert 'x="10"' in merged and 'x="1"' not in merged  # a's new position wins


def test_nothing_to_carry_leaves_the_text_as_it_is():
    assert keep_layout(None, SAVED_BY_EDITOR) is SAVED_BY_EDITOR
    assert keep_layout(SAVED_BY_EDITOR, SAVED_BY_EDITOR) is SAVED_BY_EDITOR
    assert keep_layout("<not xml", SAVED_BY_EDITOR) is SAVED_BY_EDITOR


CALLS = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d">
  <process id="p" isExecutable="true">
    <callActivity id="call" calledElement="sub" camunda:calledElementBinding="{binding}"/>
    <businessRuleTask id="rule" camunda:decisionRef="t" camunda:decisionRefBinding="latest" camunda:mapDecisionResult="resultList"/>
  </process>
</definitions>"""

# What bpmn-js writes for CALLS: the attributes with camunda-bpmn-moddle's default value are left out.
CALLS_SAVED = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d">
  <process id="p" isExecutable="true">
    <callActivity id="call" calledElement="sub"/>
    <businessRuleTask id="rule" camunda:decisionRef="t"/>
  </process>
</definitions>"""


def test_camunda_attributes_with_their_default_value_are_kept():
    merged = keep_layout(CALLS.format(binding="latest"), CALLS_SAVED)
    assert 'camunda:calledElementBinding="latest"' in merged
    assert 'camunda:decisionRefBinding="latest"' in merged and 'camunda:mapDecisionResult="resultList"' in merged
    # a binding that is not the default and is gone from the saved text was changed in the editor: not restored
    assert "calledElementBinding" not in keep_layout(CALLS.format(binding="deployment"), CALLS_SAVED)
