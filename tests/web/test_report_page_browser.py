"""The report page in Chromium: axe-core finds no violation (Dutch, English, print), every chart is an image
with a title beside its data table, and a hidden cell is shown as in the exports."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

from engine.app.cli import deploy_folders
from engine.db.extensions import db
from engine.identity.actor import Actor
from engine.identity.service import get_user
from engine.cases.service import start_case
from engine.instances.task_rows import HumanTask
from tests.scenarios.flow import report
from tests.support.api import PROJECT

NL = ZoneInfo("Europe/Amsterdam")
AXE = PROJECT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"


def _axe_violations(page) -> list:
    page.evaluate(AXE.read_text(encoding="utf-8"))  # evaluated by the browser itself: the page's CSP stays on
    return page.evaluate("""() => axe.run(document, {resultTypes: ['violations']}).then(result =>
        result.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))})))""")


def test_the_report_page_is_accessible_and_its_charts_have_tables(web, app):
    with app.app_context():
        deploy_folders([PROJECT / "processes", PROJECT / "forms"], actor="test")
        actor = Actor.for_user(get_user("gemeente.westbetuwe"))
        for year, count in ((2025, 6), (2026, 9)):
            with time_machine.travel(datetime(year, 4, 2, 10, tzinfo=NL), tick=False):
                for n in range(count):
                    start_case(
                        "threat_response", report(office_holder_role="raadslid" if n % 3 else "wethouder"), actor
                    )
    user = web()
    user.sign_in("bzk")
    user.goto("/reports/vangnet?year=2026")
    page = user.page
    assert page.locator("h1").inner_text() == "Vangnetrapportage 2026"
    assert (violations := _axe_violations(page)) == [], json.dumps(violations, indent=1)

    charts = page.locator("figure.report-chart svg[role=img]")
    assert charts.count() >= 10
    for i in range(charts.count()):
        chart = charts.nth(i)
        title = chart.locator("title").text_content()
        assert title.endswith(": grafiek van de tabel")
        assert chart.evaluate("svg => svg.closest('.report-figure').querySelector('table') !== null")
    roles = page.locator("#t-by_office_holder_role tbody tr")
    assert roles.nth(0).inner_text().split("\t") == ["raadslid", "0", "0", "0", "< 5", "x"]
    assert roles.nth(1).inner_text().split("\t") == ["wethouder", "0", "0", "0", "< 5", "< 5"]
    assert page.locator("#t-cases tbody tr").first.inner_text().split("\t") == ["gemeld", "0", "0", "0", "6", "9"]
    user.screenshot("report-nl")

    page.emulate_media(media="print")
    assert page.locator("nav.site-nav").is_hidden() and page.locator("form.no-print").is_hidden()
    assert page.locator("figure.report-chart").first.is_visible()
    page.emulate_media(media="screen")

    # the evaluation's tasks link to the report of their year
    with app.app_context():
        case = start_case("vangnet_evaluation", {"evaluation_year": 2025}, Actor.for_user(get_user("bzk")))
        task_id = db.session.query(HumanTask.id).filter_by(instance_id=case.id, element_id="assess_vangnet").scalar()
    user.goto(f"/tasks/{task_id}")
    user.wait_for_form()
    # the figures the evaluation keeps are shown below its form, tables and charts, and stay accessible
    assert page.locator("#snapshot-heading").inner_text() == "Cijfers van 2025 bewaard bij deze zaak"
    assert page.locator(".report-snapshot #t-cases tbody tr").first.inner_text().split("\t") == [
        "gemeld",
        "0",
        "0",
        "0",
        "0",
        "6",
    ]
    assert page.locator(".report-snapshot figure.report-chart svg[role=img]").count() >= 10
    assert (violations := _axe_violations(page)) == [], json.dumps(violations, indent=1)
    user.goto(f"/cases/{case.id}")
    assert page.locator(".report-snapshot #t-cases tbody tr").first.inner_text().split("\t")[-1] == "6"
    assert (violations := _axe_violations(page)) == [], json.dumps(violations, indent=1)
    user.goto(f"/tasks/{task_id}")
    user.wait_for_form()
    link = page.get_by_role("link", name="Rapportage 2025", exact=False)
    assert link.get_attribute("href") == "/reports/vangnet?year=2025"
    link.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Vangnetrapportage 2025"

    user.switch_language("en")
    assert page.locator("h1").inner_text() == "Vangnet report 2025"
    assert (violations := _axe_violations(page)) == [], json.dumps(violations, indent=1)
    user.screenshot("report-en")
    assert user.problems == []
