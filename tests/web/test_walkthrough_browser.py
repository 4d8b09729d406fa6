"""A whole case through the browser as each role, one walk per scenario of
tests/support/browser_scenarios.py: the report, every task (found in the inbox, claimed, filled in,
completed), signing in and out, and the finished case."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from datetime import datetime, timedelta, timezone

import pytest
import time_machine

from engine.app.cli import deploy_folders
from engine.identity.actor import Actor
from engine.identity.service import get_user
from engine.cases.service import start_case
from tests.support.api import PROJECT

from ..support.browser_scenarios import SCENARIOS

DOCS_SHOTS = os.environ.get("VB_DOCS_SCREENSHOTS")  # e.g. docs/img: also refresh the screenshots in docs/


def _publish(scenario, shot: Path, name: str):
    if DOCS_SHOTS and scenario.docs_screenshots:
        target = PROJECT / DOCS_SHOTS / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, target)


def _other_work(app, scenario):
    """Other cases in the same inboxes, one of them overdue, one of another municipality: the walk must
    find its own task among them, as a case handler does."""
    with app.app_context():
        reporter = Actor.for_user(get_user(scenario.reporter))
        amsterdam = Actor.for_user(get_user("gemeente.amsterdam"))
        with time_machine.travel(datetime.now(timezone.utc) - timedelta(days=3), tick=False):
            start_case(
                scenario.process_id,
                {"summary": "Scheldpartij tijdens raadsvergadering", "municipality_code": "GM0668"},
                reporter,
            )
        start_case(scenario.process_id, {"summary": "Intimiderende e-mails", "municipality_code": "GM0668"}, reporter)
        start_case(scenario.process_id, {"summary": "Melding uit Amsterdam", "municipality_code": "GM0363"}, amsterdam)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_whole_case_through_the_browser(scenario, app, web):
    with app.app_context():
        deploy_folders(scenario.folders, actor="test")
    if scenario.process_id == "simple_case":
        _other_work(app, scenario)

    # The office holder reports (start form), and lands on the case page with a confirmation.
    reporter = web()
    reporter.sign_in(scenario.reporter)
    reporter.page.get_by_role("link", name="Nieuwe melding").click()
    reporter.page.locator(f"a[href='/start/{scenario.process_id}']").click()
    reporter.wait_for_form()
    reporter.fill_all(scenario.start_values)
    reporter.screenshot("start-form")
    reporter.submit_form("Melding versturen")
    assert not reporter.form_errors(), f"the start form was refused: {reporter.form_errors()}"
    assert re.search(r"/cases/[0-9a-f-]{36}$", reporter.page.url)
    assert "Uw melding is ontvangen als zaak VB-" in reporter.notice()
    case_path = reporter.page.url.removeprefix(reporter.base_url)
    business_key = reporter.page.locator("h1").inner_text().split()[0]
    reporter.wait_for_diagram()
    reporter.screenshot("case-reported")
    reporter.sign_out()

    # Each role in turn: sign in, find the task in the inbox, claim it, fill it in, back to the inbox.
    for number, step in enumerate(scenario.steps, start=1):
        worker = web()
        worker.sign_in(step.user)
        row = worker.page.locator("#inbox-results tbody tr", has_text=business_key).filter(has_text=step.task_name)
        assert row.count() == 1, f"{step.user} does not see '{step.task_name}' of {business_key} in the inbox"
        shot = worker.screenshot(f"step{number}-inbox")
        if number == 1:
            _publish(scenario, shot, "web-inbox.png")
        if step.claim_first:
            row.get_by_role("button", name=re.compile("^Oppakken")).click()
            worker.page.wait_for_load_state()
            assert "opgepakt" in worker.notice()
            row = worker.page.locator("#inbox-results tbody tr", has_text=business_key).filter(has_text=step.task_name)
            assert row.locator("td", has_text=re.compile(r"^\s*mij\s*$")).count() == 1
        row.get_by_role("link", name=step.task_name).click()
        worker.wait_for_form()
        worker.fill_all(step.values)
        shot = worker.screenshot(f"step{number}-task-form")
        if number == 1:
            _publish(scenario, shot, "web-task-form.png")
        worker.submit_form("Taak afronden")
        if worker.page.url.rstrip("/") != worker.base_url:
            worker.screenshot(f"step{number}-refused")
        assert worker.page.url.rstrip("/") == worker.base_url, (
            f"completing '{step.task_name}' returns to the inbox; the form says {worker.form_errors()}"
        )
        assert f"Taak '{step.task_name}' is afgerond." in worker.notice()
        assert (
            worker.page.locator("#inbox-results tbody tr", has_text=business_key)
            .filter(has_text=step.task_name)
            .count()
            == 0
        )
        worker.sign_out()

    # Someone of the municipality looks at the finished case: status, timeline, diagram with every step done.
    observer = web()
    observer.sign_in(scenario.observer)
    observer.goto(case_path)
    observer.wait_for_diagram()
    summary = observer.page.locator("#summary-heading + .facts").inner_text()
    assert scenario.final_status_text in summary
    timeline = observer.page.locator(".timeline").inner_text()
    for step in scenario.steps:
        assert f"'{step.task_name}' afgerond" in timeline
    for label, shown in scenario.final_data.items():
        row = observer.page.locator("[data-case-data] .facts > div").filter(
            has=observer.page.locator("dt", has_text=re.compile(rf"^{re.escape(label)}$"))
        )
        assert row.count() == 1, f"the case data has {row.count()} rows labelled '{label}'"
        assert row.locator("dd").inner_text().strip() == shown, f"'{label}' is not '{shown}'"
    for element_id in scenario.done_elements:
        marked = observer.page.locator(f".diagram [data-element-id='{element_id}'].vb-completed")
        assert marked.count() == 1, f"{element_id} is not marked done in the diagram"
    for element_id in scenario.not_done_elements:
        shape = observer.page.locator(f".diagram [data-element-id='{element_id}']")
        assert shape.count() == 1, f"{element_id} is not in the diagram"
        assert "vb-completed" not in (shape.get_attribute("class") or ""), f"{element_id} was not on this path"
    assert observer.page.locator(".diagram .vb-active").count() == 0
    shot = observer.screenshot("case-finished")
    _publish(scenario, shot, "web-case.png")
    observer.sign_out()
