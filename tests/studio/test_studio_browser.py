"""The studio in Chromium as the process owner (procesbeheerder) on the real threat response: change,
validate, test and deploy its diagram, a form and a decision table, and see cases follow the versions. The
process, its elements, form and decision are named in tests/studio/target.py (TARGET)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from engine.core.errors import Unprocessable
from engine.db.extensions import db
from engine.identity.actor import Actor
from engine.identity.service import get_user
from engine.instances.models import ProcessInstance
from engine.instances.sealed import case_variables
from engine.cases.service import start_case
from engine.instances.task_rows import HumanTask
from engine.tasks.service import complete

from tests.studio import studio_web as studio
from tests.studio.target import TARGET

pytestmark = pytest.mark.browser

NEW_LABEL = "Eerste beoordeling en contact"
NEW_DUE = "P5D"


def _start(app, variables=None):
    with app.app_context():
        actor = Actor.for_user(get_user(TARGET.starter))
        case = start_case(TARGET.process_id, dict(variables or TARGET.start_variables), actor)
        version = db.session.get(ProcessInstance, case.id).process_version_id
        db.session.remove()
        return case.id, version


def _task(app, case_id, element_id):
    with app.app_context():
        task = db.session.scalar(
            sa.select(HumanTask).where(
                HumanTask.instance_id == case_id, HumanTask.element_id == element_id, HumanTask.status == "open"
            )
        )
        db.session.expunge_all()
        return task


def _complete(app, task_id, values):
    with app.app_context():
        complete(task_id, dict(values), Actor.for_user(get_user(TARGET.task_role_user)))
        db.session.remove()


def _case(app, case_id) -> dict:
    with app.app_context():
        case = db.session.get(ProcessInstance, case_id)
        facts = {
            "version_id": case.process_version_id,
            "active_elements": list(case.active_elements),
            "variables": case_variables(case_id),
        }
        db.session.remove()
        return facts


def _version_number(app, version_id):
    from engine.definitions.models import ProcessVersion

    with app.app_context():
        return db.session.get(ProcessVersion, version_id).version


def _latest_version(app) -> int:
    from engine.definitions.service import get_latest_version

    with app.app_context():
        return get_latest_version(TARGET.process_id).version


def test_owner_changes_a_due_date_and_a_label_validates_and_deploys(web, app, studio_deployed):
    old_case, old_version = _start(app)
    user = web()
    user.sign_in("procesbeheerder")
    studio.open_editor(user, TARGET.bpmn_file)
    studio.publish(user, "editor", "studio-editor.png")

    studio.select_element(user, TARGET.user_task)
    studio.open_group(user, "group-general")
    studio.set_entry(user, "name", NEW_LABEL)
    studio.open_group(user, "group-CamundaPlatform__UserAssignment")
    due = user.page.locator('[data-entry-id="dueDate"] input')
    assert due.input_value() == TARGET.user_task_due  # the editor shows the due date the engine reads
    studio.set_entry(user, "dueDate", NEW_DUE)
    studio.publish(user, "due-date-changed")

    # A deliberately broken condition is shown on its flow, and refused.
    studio.select_element(user, TARGET.conditional_flow)
    studio.open_group(user, "group-CamundaPlatform__Condition")
    condition = user.page.locator(
        '[data-entry-id="conditionExpression"] textarea, [data-entry-id="conditionExpression"] input'
    ).first
    assert condition.input_value() == TARGET.condition
    broken = TARGET.condition[:-1] + " ==}"
    studio.set_entry(user, "conditionExpression", broken)
    report = studio.validate(user)
    assert not report["valid"]
    assert [e["element_id"] for e in report["errors"]] == [TARGET.conditional_flow]
    flow = user.page.locator(f'.studio-canvas .djs-element[data-element-id="{TARGET.conditional_flow}"]')
    assert "vb-problem-error" in flow.get_attribute("class")
    assert user.page.locator(f'[data-problem-for="{TARGET.conditional_flow}"]').count() == 1
    listed = user.page.locator(f'[data-problems] li[data-element-id="{TARGET.conditional_flow}"]')
    assert "does not compile" in listed.inner_text()
    studio.show_unselected(user, TARGET.conditional_flow)  # the marker (not the selection) shows on the flow
    studio.publish(user, "validation-markers", "studio-validation.png", full_page=True)

    studio.select_element(user, TARGET.conditional_flow)
    studio.open_group(user, "group-CamundaPlatform__Condition")
    studio.set_entry(user, "conditionExpression", TARGET.condition)
    report = studio.save(user)
    assert report["valid"] and report["draft"], report["errors"]
    assert "vb-problem-error" not in (flow.get_attribute("class") or "")

    studio.deploy(user)
    outcome = user.page.locator("[data-deploy-outcome]").inner_text()
    assert f"{TARGET.process_id} – versie 2" in outcome
    studio.publish(user, "deployed", "studio-deployed.png", full_page=True)

    new_case, new_version = _start(app)
    assert _version_number(app, new_version) == 2 and _version_number(app, old_version) == 1
    new_task, old_task = _task(app, new_case, TARGET.user_task), _task(app, old_case, TARGET.user_task)
    assert new_task.name == NEW_LABEL and old_task.name == TARGET.user_task_label
    assert timedelta(days=4, hours=23) < new_task.due_at - new_task.created_at <= timedelta(days=5)
    assert timedelta(hours=23) < old_task.due_at - old_task.created_at <= timedelta(days=1)

    # The version list names exactly what changed: the label and the due date of the one task.
    user.goto(f"/studio/processes/{TARGET.process_id}/versions")
    changed = user.page.locator('[data-version="2"] tr[data-changed]')
    assert {(row.get_attribute("data-changed"), row.get_attribute("data-attribute")) for row in changed.all()} == {
        (TARGET.user_task, "camunda:dueDate"),
        (TARGET.user_task, "name"),
    }
    studio.publish(user, "versions", "studio-versions.png", full_page=True)

    # The old case still runs on version 1: its task completes there, and the case goes on.
    _complete(app, old_task.id, TARGET.user_task_values)
    case = _case(app, old_case)
    assert case["version_id"] == old_version
    assert set(case["active_elements"]) >= TARGET.extra["after_user_task"], case["active_elements"]


def test_a_field_made_required_in_the_form_editor_is_enforced_on_the_task(web, app, studio_deployed):
    old_case, _ = _start(app)
    user = web()
    user.sign_in("procesbeheerder")
    studio.open_editor(user, TARGET.form_file)
    label = TARGET.required_field_label
    preview = user.page.locator(f"[data-preview] .fjs-form-field-{TARGET.required_field_type} label")
    assert "*" not in preview.inner_text()  # optional today
    user.page.locator(f".fjs-editor-container .fjs-form-field-{TARGET.required_field_type}").first.click()
    assert user.page.locator('[data-entry-id="key"] input').input_value() == TARGET.required_field_key
    studio.open_group(user, "group-validation")
    user.page.locator('[data-entry-id="required"] input[type=checkbox]').check()
    user.page.wait_for_timeout(300)
    preview.filter(has_text="*").wait_for()
    studio.publish(user, "form-editor", "studio-form-editor.png")
    report = studio.save(user)
    assert report["valid"], report["errors"]
    studio.deploy(user)
    assert f"{TARGET.process_id} – versie 2" in user.page.locator("[data-deploy-outcome]").inner_text()

    case_id, _ = _start(app)
    task = _task(app, case_id, TARGET.user_task)
    worker = web()
    worker.sign_in(TARGET.task_role_user)
    worker.goto(f"/tasks/{task.id}")
    worker.wait_for_form()
    worker.fill("Naam behandelaar gemeente", TARGET.user_task_values["case_handler_name"])
    worker.submit_form("Taak afronden")
    assert worker.error_of(label) == "Vul dit veld in."
    assert worker.error_of("Naam behandelaar gemeente") == ""
    assert _task(app, case_id, TARGET.user_task) is not None  # still open

    # The server enforces it as well, whatever the browser does; with the field filled in it completes.
    with app.app_context():
        with pytest.raises(Unprocessable) as refused:
            complete(task.id, dict(TARGET.user_task_values), Actor.for_user(get_user(TARGET.task_role_user)))
        assert list(refused.value.errors) == [TARGET.required_field_key]
        db.session.remove()
    _complete(app, task.id, {**TARGET.user_task_values, TARGET.required_field_key: TARGET.required_field_value})
    assert _task(app, case_id, TARGET.user_task) is None

    # A case of version 1 keeps the form it started with: there the field is still optional.
    _complete(app, _task(app, old_case, TARGET.user_task).id, TARGET.user_task_values)
    assert _task(app, old_case, TARGET.user_task) is None


def test_a_decision_change_is_blocked_by_a_failing_scenario_until_the_test_is_updated(web, app, studio_deployed):
    edit = TARGET.decision
    old_case, _ = _start(app)
    user = web()
    user.sign_in("procesbeheerder")
    studio.open_editor(user, TARGET.dmn_file)
    user.page.locator(f'td[data-row-id="{edit.rule}"][data-col-id="{edit.column}"]').click()
    user.page.keyboard.press("Control+A")
    user.page.keyboard.type(edit.text)
    user.page.locator("h1").click()  # leave the cell
    studio.publish(user, "decision-table", "studio-dmn-editor.png")
    report = studio.save(user)
    assert report["valid"], report["errors"]

    # The scenario test of the threat response expects the old decision: nothing is deployed, and the page
    # says which scenario failed and why.
    studio.deploy(user)
    failure = user.page.locator("[data-deploy-failure]")
    assert "Er is niets uitgerold" in failure.inner_text() or "Nothing was deployed" in failure.inner_text()
    reasons = failure.locator("[data-reason]").all_inner_texts()
    expected = f"Expected variable '{edit.variable}' = {edit.before!r}, but it is {edit.after!r}."
    assert any(expected in r for r in reasons), reasons
    assert TARGET.test_file in failure.inner_text()
    studio.publish(user, "deploy-blocked", "studio-deploy-blocked.png", full_page=True)
    assert _latest_version(app) == 1

    # The process owner updates the scenario to the new decision; then the change deploys.
    studio.open_editor(user, TARGET.test_file)
    area = user.page.locator("[data-editor] textarea")
    text = area.input_value()
    assert edit.test_before in text
    area.fill(text.replace(edit.test_before, edit.test_after))
    report = studio.run_tests(user)
    assert report["passed"], report["results"]
    studio.save(user)
    studio.deploy(user)
    assert f"{TARGET.process_id} – versie 2" in user.page.locator("[data-deploy-outcome]").inner_text()
    assert _latest_version(app) == 2

    # A new case gets the new decision, the old case keeps the old one; the case handler sees it on the task.
    new_case, _ = _start(app)
    assert _case(app, new_case)["variables"][edit.variable] == edit.after
    assert _case(app, old_case)["variables"][edit.variable] == edit.before
    worker = web()
    worker.sign_in(TARGET.task_role_user)
    shown = {}
    for case_id in (old_case, new_case):
        worker.goto(f"/tasks/{_task(app, case_id, TARGET.user_task).id}")
        worker.wait_for_form()
        shown[case_id] = worker.page.locator("[data-task-form] .fjs-form-field-html").first.inner_text()
    assert shown[old_case] != shown[new_case], shown
    assert TARGET.extra["decision_shown"][edit.before] in shown[old_case], shown
    assert TARGET.extra["decision_shown"][edit.after] in shown[new_case], shown
