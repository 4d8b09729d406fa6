"""Opening and saving without changes loses nothing: every BPMN MIWG reference diagram keeps its elements,
ids, names and layout (shape bounds, edge waypoints), and a diagram written with Camunda 7 attributes keeps
them and still deploys and runs; so does every diagram of processes/, the threat response first."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from lxml import etree

from engine.db.extensions import db
from engine.studio import workspace
from engine.studio.models import StudioFile

from tests.studio import studio_web as studio
from tests.support.conformance import miwg_folder
from tests.studio.target import FIXTURE, TARGET

pytestmark = pytest.mark.browser

MIWG = miwg_folder() or Path("/nonexistent")
DI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
OMG_DI = "http://www.omg.org/spec/DD/20100524/DI"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"


def _bounds(node) -> tuple:
    return tuple(round(float(node.get(k)), 2) for k in ("x", "y", "width", "height"))


def facts(xml: str) -> dict:
    """What must survive a save: ids (with their element type), names, shape and label bounds, waypoints."""
    root = etree.fromstring(xml.encode("utf-8"))
    ids, names, shapes, labels, edges = {}, {}, {}, {}, {}
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        local = etree.QName(element).localname
        if element.get("id"):
            ids[element.get("id")] = local
            if element.get("name") is not None and element.get("name") != "":
                names[element.get("id")] = " ".join(element.get("name").split())
        if local == "BPMNShape" and element.tag == f"{{{DI}}}BPMNShape":
            bounds = element.find(f"{{{DC}}}Bounds")
            shapes[element.get("bpmnElement")] = _bounds(bounds)
            label = element.find(f"{{{DI}}}BPMNLabel/{{{DC}}}Bounds")
            if label is not None:
                labels[element.get("bpmnElement")] = _bounds(label)
        elif element.tag == f"{{{DI}}}BPMNEdge":
            edges[element.get("bpmnElement")] = [
                (round(float(w.get("x")), 2), round(float(w.get("y")), 2))
                for w in element.findall(f"{{{OMG_DI}}}waypoint")
            ]
    return {"ids": ids, "names": names, "shapes": shapes, "labels": labels, "edges": edges}


def camunda_facts(xml: str) -> set:
    root = etree.fromstring(xml.encode("utf-8"))
    found = set()
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        owner = element.get("id") or etree.QName(element).localname
        for name, value in element.attrib.items():
            if name.startswith(f"{{{CAMUNDA}}}"):
                found.add((owner, name.split("}")[1], value))
        if element.tag.startswith(f"{{{CAMUNDA}}}"):
            parent = element.getparent().getparent()
            found.add(
                (
                    parent.get("id") if parent is not None else "",
                    etree.QName(element).localname,
                    tuple(sorted(element.attrib.items())),
                )
            )
    return found


def differences(before: dict, after: dict) -> list:
    problems = []
    for key in ("ids", "names", "shapes", "labels", "edges"):
        for ident, value in before[key].items():
            if ident not in after[key]:
                problems.append(f"{key}: {ident} lost")
            elif after[key][ident] != value:
                problems.append(f"{key}: {ident} {value} -> {after[key][ident]}")
    return problems


def _save_unchanged(user, app, file_name: str) -> str:
    studio.open_editor(user, file_name)
    try:
        report = studio.save(user)
    except Exception as err:
        status = user.page.locator("[data-status]").inner_text()
        raise AssertionError(f"{file_name}: saving failed ({status}); {user.problems}") from err
    assert report["saved"]
    with app.app_context():
        draft = db.session.query(StudioFile).filter_by(file_name=file_name).one()
        content = draft.content
        db.session.remove()
    return content


# bpmnlint's findings on the open diagram, and those of them the editor's Dutch table has no text for
_LINT_MESSAGES = """() => {
    const messages = Object.values(window.vbStudio.modeler.get('linting')._issues || {}).flat().map((e) => e.message);
    return [messages, messages.filter((m) => window.vbStudio.texts.missing.has(m))];
}"""


@pytest.mark.skipif(
    not MIWG.is_dir(),
    reason="the BPMN MIWG reference diagrams (shared/conformance/) are not on this machine (set VB_MIWG_DIR)",
)
def test_every_miwg_reference_diagram_opens_and_saves_without_losing_anything(web, app):
    files = sorted(MIWG.glob("*.bpmn"))
    assert len(files) >= 20
    user = web()
    user.sign_in("procesbeheerder")
    lost = {}
    for path in files:
        original = path.read_text(encoding="utf-8")
        name = f"miwg_{path.name}"
        with app.app_context():
            workspace.save_draft(name, original, "test")
        saved = _save_unchanged(user, app, name)
        if path.name == "C.4.0.bpmn":  # bpmnlint's recommended rules ran in the browser on this one
            lint = user.page.locator('[data-problems] li[data-severity="warning"]', has_text="[bpmnlint]")
            assert lint.count() >= 1 and "bjsl-button-warning" in user.page.locator(".bjsl-button").get_attribute(
                "class"
            )
            # in Dutch on the Dutch page: the overlay's count and every finding's message (nl/bpmnlint.js)
            assert re.fullmatch(
                r"\d+ fouten, \d+ waarschuwingen", user.page.locator(".bjsl-button").inner_text().strip()
            )
            messages, untranslated = user.page.evaluate(_LINT_MESSAGES)
            assert messages and untranslated == [], untranslated
        before, after = facts(original), facts(saved)
        assert before["shapes"], f"{path.name} has no layout to compare"
        problems = differences(before, after)
        if problems:
            lost[path.name] = problems[:10]
    if os.environ.get("VB_DOCS_SCREENSHOTS"):
        studio.open_editor(user, "miwg_C.4.0.bpmn")
        studio.publish(user, "miwg", "studio-miwg-C.4.0.png")
    assert not lost, lost


def test_camunda_7_attributes_survive_a_save_and_the_saved_diagram_runs(web, app, fixture_deployed, as_user):
    original = (FIXTURE.folder / FIXTURE.bpmn_file).read_text(encoding="utf-8")
    user = web()
    user.sign_in("procesbeheerder")
    saved = _save_unchanged(user, app, FIXTURE.bpmn_file)
    assert saved != original  # really written by the editor
    assert camunda_facts(saved) >= camunda_facts(original), camunda_facts(original) - camunda_facts(saved)
    assert not differences(facts(original), facts(saved))

    owner = as_user("procesbeheerder")
    response = owner.post("/api/v1/studio/deploy", json={"files": [FIXTURE.bpmn_file]})
    assert response.status_code == 201, response.get_json()
    starter = as_user(FIXTURE.starter)
    case = starter.start(FIXTURE.process_id, FIXTURE.start_variables)
    worker = as_user(FIXTURE.task_role_user)
    task = worker.task_for(case["id"], FIXTURE.user_task)
    assert task["candidate_groups"] == ["gemeente"] and task["due_at"]
    worker.complete(task["id"], {"category": "bedreiging", "estimated_costs": 2500})
    body = as_user("beheerder").case(case["id"])
    assert body["version"] == 2 and body["active_elements"] == ["bzk_review"]
    assert body["variables"]["compensation"] == "ja" and body["variables"]["mayor_informed"] is True


def test_every_real_diagram_opens_and_saves_without_losing_anything(web, app, studio_deployed, as_user):
    user = web()
    user.sign_in("procesbeheerder")
    folder = TARGET.folder
    names = [TARGET.bpmn_file] + sorted(p.name for p in folder.glob("*.bpmn") if p.name != TARGET.bpmn_file)
    lost = {}
    for name in names:
        original = (folder / name).read_text(encoding="utf-8")
        saved = _save_unchanged(user, app, name)
        missing = camunda_facts(original) - camunda_facts(saved)
        problems = differences(facts(original), facts(saved)) + [f"camunda: {m}" for m in sorted(missing, key=str)]
        if problems:
            lost[name] = problems[:10]
    assert not lost, lost

    # Saved by the editor, the whole set deploys (the scenario test as the gate) and the case runs.
    owner = as_user("procesbeheerder")
    response = owner.post("/api/v1/studio/deploy", json={})
    assert response.status_code == 201, response.get_json()
    assert [t["passed"] for t in response.get_json()["tests"]] == [True] * TARGET.scenarios
    case = as_user(TARGET.starter).start(TARGET.process_id, TARGET.start_variables)
    assert case["version"] == 2
    worker = as_user(TARGET.task_role_user)
    task = worker.task_for(case["id"], TARGET.user_task)
    assert "gemeente.oov" in task["candidate_groups"] and task["due_at"]  # the routed handler and the OOV adviser
    worker.complete(task["id"], TARGET.user_task_values)
    body = as_user("beheerder").case(case["id"])
    assert set(body["active_elements"]) >= {"threat_assessment"}, body["active_elements"]
