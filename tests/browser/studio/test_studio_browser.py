"""The studio in Chromium as the process owner (procesbeheerder): change, validate, test and deploy a
diagram, a form and a decision table, and see cases follow the versions. The process edited is
`tests/studio/target.py`'s TARGET (a fixture written with Camunda 7 attributes)."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from engine.extensions import db
from engine.identity.actor import Actor
from engine.identity.service import get_user
from engine.instances.models import ProcessInstance
from engine.instances.service import start_case
from engine.tasks.models import HumanTask

from tests.studio import studio_web as studio
from tests.studio.target import TARGET

pytestmark = pytest.mark.browser


def _start(app, variables=None):
    with app.app_context():
        actor = Actor.for_user(get_user(TARGET.starter))
        case = start_case(TARGET.process_id, dict(variables or TARGET.start_variables), actor)
        version = db.session.get(ProcessInstance, case.id).process_version_id
        db.session.remove()
        return case.id, version


def _task(app, case_id, element_id):
    with app.app_context():
        task = db.session.scalar(sa.select(HumanTask).where(HumanTask.instance_id == case_id,
                                                           HumanTask.element_id == element_id,
                                                           HumanTask.status == "open"))
        db.session.expunge_all()
        return task


def _version_number(app, version_id):
    from engine.definitions.models import ProcessVersion

    with app.app_context():
        return db.session.get(ProcessVersion, version_id).version


def test_owner_changes_a_due_date_and_a_label_validates_and_deploys(web, app, studio_deployed):
    old_case, old_version = _start(app)
    user = web()
    user.sign_in("procesbeheerder")
    studio.open_editor(user, TARGET.bpmn_file)
    studio.publish(user, "editor", "studio-editor.png")

    studio.select_element(user, TARGET.user_task)
    studio.open_group(user, "group-general")
    studio.set_entry(user, "name", "Eerste beoordeling")
    studio.open_group(user, "group-CamundaPlatform__UserAssignment")
    studio.set_entry(user, "dueDate", "P5D")
    studio.publish(user, "due-date-changed")

    # A deliberately broken condition is shown on its flow, and refused.
    studio.select_element(user, TARGET.conditional_flow)
    studio.open_group(user, "group-CamundaPlatform__Condition")
    studio.set_entry(user, "conditionExpression", "${compensation ==}")
    report = studio.validate(user)
    assert not report["valid"]
    assert [e["element_id"] for e in report["errors"]] == [TARGET.conditional_flow]
    flow = user.page.locator(f'.studio-canvas .djs-element[data-element-id="{TARGET.conditional_flow}"]')
    assert "vb-problem-error" in flow.get_attribute("class")
    assert user.page.locator(f'[data-problem-for="{TARGET.conditional_flow}"]').count() == 1
    listed = user.page.locator(f'[data-problems] li[data-element-id="{TARGET.conditional_flow}"]')
    assert "does not compile" in listed.inner_text()
    # an empty spot of the canvas: nothing selected, so the marker (not the selection) shows on the flow
    user.page.locator(".studio-canvas .djs-container > svg").first.click(position={"x": 220, "y": 560})
    studio.publish(user, "validation-markers", "studio-validation.png", full_page=True)

    studio.select_element(user, TARGET.conditional_flow)
    studio.open_group(user, "group-CamundaPlatform__Condition")
    studio.set_entry(user, "conditionExpression", '${compensation == "ja"}')
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
    assert new_task.name == "Eerste beoordeling" and old_task.name == TARGET.user_task_label
    assert timedelta(days=4, hours=23) < new_task.due_at - new_task.created_at <= timedelta(days=5)
    assert timedelta(days=1, hours=23) < old_task.due_at - old_task.created_at <= timedelta(days=2)

    user.goto(f"/studio/processes/{TARGET.process_id}/versions")
    changed = user.page.locator(f'[data-version="2"] tr[data-changed="{TARGET.user_task}"]')
    assert {row.get_attribute("data-attribute") for row in changed.all()} == {"camunda:dueDate", "name"}
    studio.publish(user, "versions", "studio-versions.png", full_page=True)

    # The old case still runs on version 1: its task completes there.
    worker = web()
    worker.sign_in(TARGET.task_role_user)
    worker.goto(f"/tasks/{old_task.id}")
    worker.wait_for_form()
    worker.fill("Categorie", "Bedreiging")
    worker.fill("Kosten", "300")
    worker.submit_form("Taak afronden")
    with app.app_context():
        case = db.session.get(ProcessInstance, old_case)
        assert case.process_version_id == old_version and case.active_elements == ["wait_aangifte"]


def test_a_field_made_required_in_the_form_editor_is_enforced_on_the_task(web, app, studio_deployed):
    user = web()
    user.sign_in("procesbeheerder")
    studio.open_editor(user, TARGET.form_file)
    user.page.locator('.fjs-editor-container .fjs-form-field-number').first.click()
    studio.open_group(user, "group-validation")
    user.page.locator('[data-entry-id="required"] input[type=checkbox]').check()
    user.page.wait_for_timeout(300)
    preview = user.page.locator("[data-preview] .fjs-form-field-number label")
    preview.filter(has_text="*").wait_for()
    studio.publish(user, "form-editor", "studio-form-editor.png")
    report = studio.save(user)
    assert report["valid"], report["errors"]
    studio.deploy(user)
    assert "versie 2" in user.page.locator("[data-deploy-outcome]").inner_text()

    case_id, _ = _start(app)
    task = _task(app, case_id, TARGET.user_task)
    worker = web()
    worker.sign_in(TARGET.task_role_user)
    worker.goto(f"/tasks/{task.id}")
    worker.wait_for_form()
    worker.fill("Categorie", "Bedreiging")
    worker.submit_form("Taak afronden")
    assert worker.error_of(TARGET.required_field_label) == "Vul dit veld in."
    assert _task(app, case_id, TARGET.user_task) is not None  # still open

    # The server enforces it as well, whatever the browser does.
    from engine.errors import Unprocessable
    from engine.tasks.service import complete

    with app.app_context():
        with pytest.raises(Unprocessable) as refused:
            complete(task.id, {"category": "bedreiging"}, Actor.for_user(get_user(TARGET.task_role_user)))
        assert TARGET.required_field_key in refused.value.errors


def test_a_decision_change_is_blocked_by_a_failing_scenario_until_the_test_is_updated(web, app, studio_deployed):
    user = web()
    user.sign_in("procesbeheerder")
    studio.open_editor(user, TARGET.dmn_file)
    for rule, text in (("rule_high", ">= 5000"), ("rule_low", "< 5000")):
        user.page.locator(f'td[data-row-id="{rule}"][data-col-id="input_costs"]').click()
        user.page.keyboard.press("Control+A")
        user.page.keyboard.type(text)
    user.page.locator("h1").click()  # leave the cell
    studio.publish(user, "decision-table", "studio-dmn-editor.png")
    report = studio.save(user)
    assert report["valid"], report["errors"]

    studio.deploy(user)
    failure = user.page.locator("[data-deploy-failure]")
    assert "Er is niets uitgerold" in failure.inner_text() or "Nothing was deployed" in failure.inner_text()
    reasons = failure.locator("[data-reason]").all_inner_texts()
    assert any("compensation" in r and "'nee'" in r for r in reasons), reasons
    studio.publish(user, "deploy-blocked", "studio-deploy-blocked.png", full_page=True)
    with app.app_context():
        from engine.definitions.service import get_latest_version

        assert get_latest_version(TARGET.process_id).version == 1

    # The process owner updates the scenario to the new rule (7,500 is now needed for compensation).
    studio.open_editor(user, TARGET.test_file)
    area = user.page.locator("[data-editor] textarea")
    area.fill(area.input_value().replace('"estimated_costs": 2500', '"estimated_costs": 7500'))
    report = studio.run_tests(user)
    assert report["passed"], report["results"]
    studio.save(user)
    studio.deploy(user)
    assert "versie 2" in user.page.locator("[data-deploy-outcome]").inner_text()

    case_id, _ = _start(app)
    from engine.tasks.service import complete

    with app.app_context():
        complete(_task(app, case_id, TARGET.user_task).id, {"category": "bedreiging", "estimated_costs": 2500},
                 Actor.for_user(get_user(TARGET.task_role_user)))
        variables = db.session.scalar(sa.select(ProcessInstance.variables).where(ProcessInstance.id == case_id))
        assert variables["compensation"] == "nee"  # version 1 said "ja" for 2,500
        assert json.loads(json.dumps(variables))["estimated_costs"] == 2500
