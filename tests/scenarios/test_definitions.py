"""The definitions in processes/ and forms/ themselves: they deploy cleanly, every diagram is fully laid out
for a modeler, every user task has a form and a role, and every sensitive field is marked."""

import json
import re

from lxml import etree

from tests.support.api import PROJECT

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
NS = {"bpmn": BPMN, "bpmndi": BPMNDI}
PUBLIC_PROCESSES = {
    "threat_response",
    "aangifte_support",
    "bzk_compensation",
    "psychosocial_support",
    "democratic_disruption_registration",
    "toolkit_rollout",
    "vangnet_evaluation",
    "ivp_support",
}
ROLES = {"ambtsdrager", "gemeente", "politie", "om", "bzk", "ivp"}
ROUTED = {"${case_handler_group}", "${driehoek_member_group}"}  # case_routing's outputs
SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
FLOW_NODES = {
    "startEvent",
    "endEvent",
    "intermediateCatchEvent",
    "boundaryEvent",
    "userTask",
    "scriptTask",
    "businessRuleTask",
    "callActivity",
    "subProcess",
    "exclusiveGateway",
    "parallelGateway",
    "eventBasedGateway",
}


def _diagrams():
    for path in sorted((PROJECT / "processes").glob("*.bpmn")):
        yield path, etree.parse(str(path)).getroot()


def _forms():
    return {json.loads(p.read_text())["id"]: json.loads(p.read_text()) for p in (PROJECT / "forms").glob("*.form")}


def test_everything_deploys_in_one_go(deploy_real):
    assert {p["process_id"] for p in deploy_real["processes"]} == PUBLIC_PROCESSES
    assert {p["status"] for p in deploy_real["processes"]} == {"new"}
    kinds = sorted(f["kind"] for f in deploy_real["files"])
    assert kinds.count("bpmn") == 8 and kinds.count("dmn") == 6 and kinds.count("form") == len(_forms())


def test_redeploying_unchanged_files_changes_nothing(app, deploy_real):
    from engine.app.cli import deploy_folders

    with app.app_context():
        again = deploy_folders([PROJECT / "processes", PROJECT / "forms"], actor="test")
    assert {p["status"] for p in again["processes"]} == {"unchanged"}


def test_every_diagram_is_laid_out_for_a_modeler():
    for path, root in _diagrams():
        shapes = {s.get("bpmnElement"): s for s in root.iter(f"{{{BPMNDI}}}BPMNShape")}
        edges = {e.get("bpmnElement") for e in root.iter(f"{{{BPMNDI}}}BPMNEdge")}
        participants = root.findall(".//bpmn:participant", NS)
        assert participants and all(p.get("id") in shapes for p in participants), path.name
        for element in root.iter():
            if not isinstance(element.tag, str) or not element.tag.startswith(f"{{{BPMN}}}"):
                continue
            local = etree.QName(element).localname
            if local in FLOW_NODES or local == "lane":
                assert element.get("id") in shapes, f"{path.name}: {element.get('id')} has no shape"
                bounds = shapes[element.get("id")].find("{http://www.omg.org/spec/DD/20100524/DC}Bounds")
                assert float(bounds.get("width")) > 0 and float(bounds.get("height")) > 0
            if local == "sequenceFlow":
                assert element.get("id") in edges, f"{path.name}: flow {element.get('id')} has no edge"
            if local in FLOW_NODES or local in ("sequenceFlow", "process", "lane", "message"):
                assert SNAKE.match(element.get("id")), f"{path.name}: id {element.get('id')} is not snake_case"


def test_lanes_are_roles_and_hold_every_top_level_node():
    for path, root in _diagrams():
        for process in root.iter(f"{{{BPMN}}}process"):
            lanes = process.findall(".//bpmn:lane", NS)
            assert lanes and all(lane.get("name").lower() in ROLES for lane in lanes), path.name
            in_lanes = {ref.text for lane in lanes for ref in lane.findall("bpmn:flowNodeRef", NS)}
            top = {e.get("id") for e in process if etree.QName(e).localname in FLOW_NODES}
            assert top == in_lanes, f"{path.name}: {top ^ in_lanes}"


def test_every_user_task_has_a_form_and_a_role_and_every_form_is_used():
    forms = _forms()
    used = set()
    for path, root in _diagrams():
        for task in root.iter(f"{{{BPMN}}}userTask", f"{{{BPMN}}}startEvent"):
            form = task.get(f"{{{CAMUNDA}}}formRef")
            if task.tag.endswith("userTask"):
                groups = (task.get(f"{{{CAMUNDA}}}candidateGroups") or "").split(",")
                # a role, a sub-role within one (gemeente.griffie, om.hoofdofficier) or the routing's variable
                static = [g for g in groups if g not in ROUTED]
                assert form in forms and static and {g.split(".")[0] for g in static} <= ROLES, (
                    path.name,
                    task.get("id"),
                )
            if form:
                used.add(form)
    assert used == set(forms)


def test_sensitive_fields_are_marked():
    sensitive = {
        form_id: {c["key"] for c in _fields(form) if (c.get("properties") or {}).get("sensitive") == "true"}
        for form_id, form in _forms().items()
    }
    assert sensitive["threat_report"] == {"family_details", "home_address"}
    assert sensitive["threat_assessment"] == {"advised_measures"}
    assert sensitive["acute_police_response"] == {"acute_measures", "temporary_protection", "acute_notes"}
    assert sensitive["compensation_application"] == {"measures_details"}
    assert sensitive["ivp_referral"] == {"contact_phone"}
    assert sensitive["driehoek_consultation"] == {"driehoek_agreements"}
    assert sum(map(len, sensitive.values())) == 9  # and no others


def test_no_form_collects_clinical_content():
    for form_id in ("support_consent", "ivp_referral", "ivp_first_contact", "ivp_escalation", "ivp_checkin"):
        keys = {c["key"] for c in _fields(_forms()[form_id])}
        assert not {k for k in keys if re.search(r"diagnos|symptom|klacht|medic|treatment|behandel", k)}, form_id


def test_a_bilingual_text_gives_its_codes_and_examples_in_both_languages():
    """'Bijvoorbeeld / e.g. GM0668' reads 'Bijvoorbeeld' in Dutch: the web app shows one half of a text."""
    code = re.compile(r"\b(?:GM\d{4}|\d{2}/\d{6}-\d{2})\b")
    for form_id, form in _forms().items():
        stack = list(form["components"])
        while stack:
            component = stack.pop()
            stack.extend(component.get("components") or [])
            texts = [component.get(k) for k in ("label", "dateLabel", "timeLabel", "description", "placeholder")]
            texts += [option.get("label") for option in component.get("values") or []]
            for text in texts:
                if isinstance(text, str) and text.count(" / ") == 1:
                    dutch, english = text.split(" / ")
                    assert code.findall(dutch) == code.findall(english), (form_id, text)


def _fields(form):
    stack = list(form["components"])
    while stack:
        component = stack.pop()
        stack.extend(component.get("components") or [])
        if component.get("key"):
            yield component
