"""A process owner at the studio's editors: select an element, change a property, save, validate, deploy.

Properties are found by the entry ids of the properties panels (bpmn-js-properties-panel, form-js editor),
elements by their BPMN id on the canvas, decision table cells by rule and column id.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from tests.support.api import PROJECT

DOCS_SHOTS = os.environ.get("VB_DOCS_SCREENSHOTS")  # e.g. docs/img: also refresh the screenshots in docs/


def publish(user, label: str, docs_name: str | None = None, full_page: bool = False) -> Path:
    shot = user.screenshot(label, full_page=full_page)
    if DOCS_SHOTS and docs_name:
        target = PROJECT / DOCS_SHOTS / docs_name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, target)
    return shot


def open_editor(user, file_name: str):
    user.goto(f"/studio/edit/{file_name}")
    user.page.locator("[data-editor][data-ready='true']").wait_for()


def select_element(user, element_id: str):
    element = user.page.locator(f'.studio-canvas .djs-element[data-element-id="{element_id}"]')
    hit = element.locator(".djs-hit").first
    hit.click(force=True)
    user.page.wait_for_function(
        "id => { const f = document.querySelector('[data-entry-id=\"id\"] input'); return f && f.value === id; }",
        arg=element_id)


def open_group(user, group_id: str):
    header = user.page.locator(f'[data-group-id="{group_id}"] .bio-properties-panel-group-header').first
    if "open" not in (header.get_attribute("class") or ""):
        header.click()


def set_entry(user, entry_id: str, value: str):
    field = user.page.locator(f'[data-entry-id="{entry_id}"]').locator("input, textarea").first
    field.fill(value)
    field.press("Tab")
    user.page.wait_for_timeout(400)  # the panels debounce their input before changing the model


def _action(user, action: str, url_part: str, method: str) -> dict:
    with user.page.expect_response(lambda r: url_part in r.url and r.request.method == method) as info:
        user.page.locator(f'[data-action="{action}"]').click()
    response = info.value
    user.page.wait_for_timeout(100)
    return response.json()


def save(user) -> dict:
    return _action(user, "save", "/api/v1/studio/files/", "PUT")


def validate(user) -> dict:
    return _action(user, "validate", "/api/v1/studio/validate", "POST")


def run_tests(user) -> dict:
    return _action(user, "tests", "/api/v1/studio/tests/run", "POST")


def deploy(user):
    user.goto("/studio/deploy")
    user.page.locator("[data-deploy]").click()
    user.page.wait_for_load_state()
