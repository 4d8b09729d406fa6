"""The operations pages in Chromium: the heatmap, filters, suspend and resume with a reason, an incident
retried after correcting data."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from engine.db.extensions import db
from engine.identity.actor import Actor
from engine.identity.service import get_user
from engine.instances.models import ProcessInstance
from engine.cases.service import start_case
from engine.tasks.service import complete
from engine.core.timeutil import utcnow

from tests.studio import studio_web as studio
from tests.studio.target import FIXTURE

pytestmark = pytest.mark.browser


def _cases(app, costs: list, hours: list):
    """Start a case per entry; complete the user task after `hours` with `costs` (None: leave it open)."""
    ids = []
    start = utcnow() - timedelta(days=3)
    with app.app_context():
        starter = Actor.for_user(get_user(FIXTURE.starter))
        worker = Actor.for_user(get_user(FIXTURE.task_role_user))
        for cost, hour in zip(costs, hours):
            with time_machine.travel(start, tick=False):
                case = start_case(FIXTURE.process_id, dict(FIXTURE.start_variables), starter)
            ids.append(case.id)
            if cost is None:
                continue
            from engine.instances.task_rows import HumanTask

            task = db.session.query(HumanTask).filter_by(instance_id=case.id, element_id=FIXTURE.user_task).one()
            values = {"category": "bedreiging"}
            if cost != "missing":
                values["estimated_costs"] = cost
            with time_machine.travel(start + timedelta(hours=hour), tick=False):
                complete(task.id, values, worker)
        db.session.remove()
    return ids


def test_heatmap_shows_cases_now_and_median_time_on_the_diagram(web, app, fixture_deployed):
    _cases(app, [None, None, None, 200, 300, 5000, 6000, 7000], [0, 0, 0, 2, 6, 20, 30, 50])
    user = web()
    user.sign_in("procesbeheerder")
    user.goto(f"/operations/heatmap/{FIXTURE.process_id}")
    user.page.locator("[data-heatmap][data-ready='true']").wait_for()
    badge = user.page.locator(f'[data-heat-for="{FIXTURE.user_task}"]')
    assert badge.inner_text() == "3 nu · mediaan 20.0 u"
    task_shape = user.page.locator(f'.djs-element[data-element-id="{FIXTURE.user_task}"]')
    assert "vb-heat-5" in task_shape.get_attribute("class")
    assert user.page.locator('[data-heat-for="bzk_review"]').inner_text() == "3 nu"
    assert user.page.locator('tr[data-element="wait_aangifte"] td').nth(1).inner_text() == "2"
    studio.publish(user, "heatmap", "operations-heatmap.png", full_page=True)


def test_administrator_suspends_resumes_and_retries_from_the_operations_pages(web, app, fixture_deployed):
    running, failing = _cases(app, [None, "missing"], [0, 1])
    user = web()
    user.sign_in("beheerder")
    user.goto("/operations?status=error")
    assert user.page.locator("[data-operations-cases] tbody tr").count() == 1
    assert "assess" in user.page.locator("[data-incidents]").inner_text()
    studio.publish(user, "operations", "operations-cases.png", full_page=True)

    user.goto(f"/operations/cases/{running}")
    form = user.page.locator('form[data-action="suspend"]')
    form.locator("input[name=reason]").fill("Betrokkene verhuisd; dossier wacht")
    form.locator("button").click()
    user.page.wait_for_load_state()
    assert user.page.locator("[data-case-status]").get_attribute("data-case-status") == "suspended"
    assert "Betrokkene verhuisd" in user.page.locator("[data-reason]").first.inner_text()
    form = user.page.locator('form[data-action="resume"]')
    form.locator("input[name=reason]").fill("Nieuw adres bekend")
    form.locator("button").click()
    user.page.wait_for_load_state()
    assert user.page.locator("[data-case-status]").get_attribute("data-case-status") == "running"

    user.goto(f"/operations/cases/{failing}")
    assert "assess" in user.page.locator("[data-incident]").inner_text()
    area = user.page.locator("#retry-variables")
    area.fill('{"estimated_costs": 250}')
    user.page.locator("form:has(#retry-variables) button").click()
    user.page.wait_for_load_state()
    assert user.page.locator("[data-case-status]").get_attribute("data-case-status") == "running"
    with app.app_context():
        assert db.session.get(ProcessInstance, failing).active_elements == ["wait_aangifte"]

    worker = web()
    worker.sign_in("procesbeheerder")
    worker.goto(f"/operations/cases/{running}")
    assert worker.page.locator('form[data-action="suspend"]').count() == 0  # the process owner only looks
    response = worker.goto("/studio")
    assert response.status == 200
    clerk = web()
    clerk.sign_in(FIXTURE.task_role_user)
    assert clerk.goto("/studio").status == 403
    assert clerk.goto("/operations").status == 403
