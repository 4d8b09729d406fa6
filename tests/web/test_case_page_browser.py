"""The case page in Chromium: the diagram zooms in, out and back to the whole; the page has no axe violations."""

from __future__ import annotations

from engine.app.cli import deploy_folders
from tests.support.api import FIXTURES


def _scale(page) -> float:
    """The diagram's zoom: bpmn-js's viewport matrix, whose first entry is the scale."""
    transform = page.locator("[data-case-diagram] svg g.viewport").first.get_attribute("transform") or ""
    return float(transform.removeprefix("matrix(").split(",")[0].split(" ")[0]) if transform else 1.0


def test_the_diagram_zooms_and_fits_with_buttons_and_the_page_passes_axe(web, app, as_user):
    with app.app_context():
        deploy_folders([FIXTURES / "basic"], actor="test")
    case = as_user("ambtsdrager.westbetuwe").start(
        "simple_case", {"summary": "Bedreiging via sociale media", "municipality_code": "GM0668"}
    )

    user = web()
    user.sign_in("gemeente.westbetuwe")
    user.goto(f"/cases/{case['id']}")
    user.wait_for_diagram()
    fitted = _scale(user.page)
    user.page.get_by_role("button", name="Inzoomen").click()
    assert _scale(user.page) > fitted * 1.2
    user.page.get_by_role("button", name="Uitzoomen").click()
    user.page.get_by_role("button", name="Uitzoomen").click()
    assert _scale(user.page) < fitted * 0.9
    user.page.get_by_role("button", name="Hele diagram").click()
    assert abs(_scale(user.page) - fitted) < 0.01
    assert user.page.locator("[data-case-diagram] .vb-active").count() >= 1  # the open task is marked
    assert user.accessibility_violations() == []
