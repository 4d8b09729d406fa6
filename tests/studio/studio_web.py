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
    """Click an element as a person does in a large diagram: zoomed to 100 % around it first. A sequence flow
    is clicked on its line (the middle of its path), not in the middle of its bounding box."""
    point = user.page.evaluate(
        """id => {
        const modeler = window.vbStudio.modeler;
        const canvas = modeler.get('canvas');
        const element = modeler.get('elementRegistry').get(id);
        canvas.getContainer().scrollIntoView({block: 'center'});
        canvas.zoom(1);
        canvas.scrollToElement(element);
        const gfx = canvas.getGraphics(element);
        const hit = gfx.querySelector('.djs-hit');
        const on = (p) => {
            const found = document.elementFromPoint(p.x, p.y);
            return found && gfx.contains(found) ? p : null;
        };
        if (element.waypoints) {
            for (const share of [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8]) {
                const at = hit.getPointAtLength(hit.getTotalLength() * share);
                const p = on(new DOMPoint(at.x, at.y).matrixTransform(hit.getScreenCTM()));
                if (p) return {x: p.x, y: p.y};
            }
            return null;
        }
        const box = hit.getBoundingClientRect();
        return on({x: box.x + box.width / 2, y: box.y + box.height / 2});
    }""",
        element_id,
    )
    assert point, f"{element_id} is not visible on the canvas"
    user.page.mouse.click(point["x"], point["y"])
    user.page.wait_for_function(
        "id => { const f = document.querySelector('[data-entry-id=\"id\"] input'); return f && f.value === id; }",
        arg=element_id,
    )


def show_unselected(user, element_id: str):
    """Nothing selected, the canvas at 100 % around an element: its markers show, not the selection's."""
    user.page.evaluate(
        """id => {
        const modeler = window.vbStudio.modeler;
        const canvas = modeler.get('canvas');
        modeler.get('selection').select(null);
        canvas.zoom(1);
        const box = canvas.getGraphics(id).getBBox();
        const view = canvas.viewbox();
        canvas.viewbox({x: box.x + box.width / 2 - view.width / 2, y: box.y + box.height / 2 - view.height / 2,
                        width: view.width, height: view.height});
    }""",
        element_id,
    )


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
