"""Beside a task's form: the case data of the earlier steps that the handler may read, grouped by step; the
user task's `context` property narrows it or turns it off, and a wrong value is refused at deploy."""

from __future__ import annotations

import re
import shutil

import pytest

from engine.app.cli import deploy_folders
from engine.core.errors import Unprocessable
from tests.scenarios.flow import Team
from tests.support.api import FIXTURES, PROJECT


def _context(page: str) -> str:
    found = re.search(r'<aside class="task-context.*?</aside>', page, re.S)
    return found.group(0) if found else ""


def _phone_case(app, as_user, folder=FIXTURES / "phone"):
    with app.app_context():
        deploy_folders([folder], actor="test")
    gemeente = as_user("gemeente.westbetuwe")
    case = gemeente.start("phone_case", {"summary": "Terugbellen", "municipality_code": "GM0668"})
    gemeente.complete(gemeente.task_for(case["id"], "record_phone")["id"], {"callback_phone": "06 12345678"})
    return gemeente, case


def test_the_earlier_steps_data_is_shown_beside_the_form(app, as_user, browser_for):
    gemeente, case = _phone_case(app, as_user)
    task = gemeente.task_for(case["id"], "check_phone")
    context = _context(browser_for("gemeente.westbetuwe").get(f"/tasks/{task['id']}").get_data(as_text=True))
    assert "Wat er al in de zaak staat" in context
    steps = re.findall(r"<summary>(.*?)</summary>", context, re.S)
    assert [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", s)).strip().split(" –")[0] for s in steps] == [
        "Melding",
        "Telefoonnummer vastleggen",
    ]
    assert "06 12345678" in context and "Terugbellen" in context
    assert "Gecontroleerd" not in context  # the form's own field is the form's, not context


def test_the_context_property_narrows_or_turns_it_off(app, as_user, browser_for, tmp_path):
    for setting, shown, hidden in (
        ("callback_phone", ["06 12345678"], ["Terugbellen"]),
        ("none", [], ["06 12345678", "Terugbellen"]),
    ):
        folder = tmp_path / setting
        shutil.copytree(FIXTURES / "phone", folder)
        bpmn = folder / "phone_case.bpmn"
        bpmn.write_text(
            bpmn.read_text().replace(
                'camunda:formRef="phone_case_check" camunda:candidateGroups="gemeente">',
                'camunda:formRef="phone_case_check" camunda:candidateGroups="gemeente"><bpmn:extensionElements>'
                f'<camunda:properties><camunda:property name="context" value="{setting}" /></camunda:properties>'
                "</bpmn:extensionElements>",
            )
        )
        gemeente, case = _phone_case(app, as_user, folder)
        task = gemeente.task_for(case["id"], "check_phone")
        context = _context(browser_for("gemeente.westbetuwe").get(f"/tasks/{task['id']}").get_data(as_text=True))
        assert all(text in context for text in shown) and not any(text in context for text in hidden), setting


def test_a_wrong_context_value_is_refused_at_deploy(app, tmp_path):
    shutil.copytree(FIXTURES / "phone", tmp_path / "phone")
    bpmn = tmp_path / "phone" / "phone_case.bpmn"
    bpmn.write_text(
        bpmn.read_text().replace(
            'camunda:formRef="phone_case_check" camunda:candidateGroups="gemeente">',
            'camunda:formRef="phone_case_check" camunda:candidateGroups="gemeente"><bpmn:extensionElements>'
            '<camunda:properties><camunda:property name="context" value="threat level; measures" /></camunda:properties>'
            "</bpmn:extensionElements>",
        )
    )
    with app.app_context():
        with pytest.raises(Unprocessable) as refused:
            deploy_folders([tmp_path / "phone"], actor="test")
    messages = [problem["message"] for problem in refused.value.errors]
    assert any(m.startswith("Property 'context' is 'threat level; measures'") for m in messages), messages


def test_the_context_never_shows_a_field_the_role_may_not_read(app, as_user, browser_for):
    """The police, at their threat assessment, read the report and the triage beside the form, but not the
    offer of support to the office holder, which the gemeente recorded and is not the police's to read."""
    with app.app_context():
        deploy_folders([PROJECT / "processes", PROJECT / "forms"], actor="test")
    team = Team(as_user).login("gemeente", "politie")
    case = team.start_threat()
    team.to_threat_assessment(case["id"])
    shielded = [k for k, v in team.politie.case(case["id"])["variables"].items() if v == "***"]
    assert "support_numbers_given" in shielded  # the premise: a field of an earlier step the police may not read
    task = team.politie.task_for(case["id"], "threat_assessment")
    context = _context(browser_for("politie").get(f"/tasks/{task['id']}").get_data(as_text=True))
    assert "Triage en eerste contact" in context and "Korte titel" in context
    assert "De nummers van het IVP" not in context
    assert "afgeschermd" not in context and "***" not in context
