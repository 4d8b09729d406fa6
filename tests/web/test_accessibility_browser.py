"""axe-core on every page a person uses, in Chromium: the case handler's pages, the reports, the account
pages, the privacy officer's read log, the studio and the operations pages. WCAG 2.1 A and AA, no violations."""

from __future__ import annotations

from engine.app.cli import deploy_folders
from tests.scenarios.flow import Team
from tests.support.api import PROJECT


def _violations(user, path, ready=None) -> list:
    user.goto(path)
    user.page.wait_for_load_state("networkidle")
    if ready:
        user.page.locator(ready).first.wait_for()
    return user.accessibility_violations()


def test_no_page_has_an_accessibility_violation(web, app, as_user):
    with app.app_context():
        deploy_folders([PROJECT / "processes", PROJECT / "forms"], actor="test")
    team = Team(as_user).login("gemeente")
    case = team.start_threat()
    task = team.gemeente.task_for(case["id"], "triage")
    found = {}

    anonymous = web()
    found["/login"] = _violations(anonymous, "/login")

    gemeente = web()
    gemeente.sign_in("gemeente.westbetuwe")
    for path, ready in (
        ("/", None),
        ("/cases", None),
        ("/cases?q=dreig", None),
        ("/start", None),
        ("/start/threat_response", "[data-task-form][data-ready='true']"),
        (f"/tasks/{task['id']}", "[data-task-form][data-ready='true']"),
        (f"/cases/{case['id']}", "[data-case-diagram][data-ready='true']"),
        ("/account/second-factor", None),
        ("/account/notifications", None),
    ):
        found[path] = _violations(gemeente, path, ready)

    bzk = web()
    bzk.sign_in("bzk")
    found["/reports/vangnet?year=2026"] = _violations(bzk, "/reports/vangnet?year=2026")

    privacy = web()
    privacy.sign_in("privacy")
    found["/access-log"] = _violations(privacy, "/access-log")

    owner = web()
    owner.sign_in("beheerder")
    for path, ready in (
        ("/studio", None),
        ("/studio/edit/threat_response.bpmn", ".djs-container"),
        ("/studio/edit/triage.form", ".fjs-editor-container"),
        ("/studio/edit/vangnet_eligibility.dmn", ".dmn-decision-table-container, .dmn-drd-container"),
        ("/studio/deploy", None),
        ("/studio/processes/threat_response/versions", None),
        ("/operations", None),
        (f"/operations/cases/{case['id']}", None),
        ("/operations/heatmap/threat_response", ".djs-container"),
    ):
        found[path] = _violations(owner, path, ready)
    assert {path: problems for path, problems in found.items() if problems} == {}
