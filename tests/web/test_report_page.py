"""The report page: for BZK and the administrator only, the same cells as the API, a chart beside each table."""

import re
from datetime import datetime
from html import unescape
from zoneinfo import ZoneInfo

import time_machine

from engine.app.cli import deploy_folders
from tests.scenarios.flow import report
from tests.support.api import PROJECT

NL = ZoneInfo("Europe/Amsterdam")
ROW = re.compile(r'<tr[^>]*><th[^>]*scope="row">([^<]*)</th>(.*?)</tr>', re.S)
CELL = re.compile(r'<td class="[^"]*\bnum\b[^"]*">([^<]*)</td>')


def _page_rows(html: str, table_id: str) -> dict:
    table = html.split(f'id="t-{table_id}"', 1)[1].split("</table>", 1)[0]
    return {unescape(label): [unescape(c) for c in CELL.findall(cells)] for label, cells in ROW.findall(table)}


def test_the_page_shows_the_cells_of_the_api_in_both_languages(app, browser_for, as_user):
    with app.app_context():
        deploy_folders([PROJECT / "processes", PROJECT / "forms"], actor="test")
    gemeente = as_user("gemeente.westbetuwe")
    with time_machine.travel(datetime(2026, 5, 4, 10, tzinfo=NL), tick=False):
        for role in ("wethouder",) * 6 + ("burgemeester",) * 2:
            gemeente.start("threat_response", report(office_holder_role=role, case_title="Brief aan de wethouder"))
    api = as_user("bzk").get("/api/v1/reports/vangnet/2026").get_json()
    roles = {
        row["key"]: row["values"]
        for row in next(t for t in api["tables"] if t["id"] == "by_office_holder_role")["rows"]
    }
    assert roles["wethouder"]["2026"] == "x" and roles["burgemeester"]["2026"] == "< 5"

    bzk = browser_for("bzk")
    page = bzk.get("/reports/vangnet?year=2026")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert re.search(r"<h1[^>]*>Vangnetrapportage 2026</h1>", html)
    assert _page_rows(html, "by_office_holder_role") == {
        "burgemeester": ["0", "0", "0", "0", "< 5"],
        "wethouder": ["0", "0", "0", "0", "x"],
    }
    assert _page_rows(html, "cases")["gemeld"] == ["0", "0", "0", "0", "8"]
    assert _page_rows(html, "by_municipality") == {"GM0668": ["0", "0", "0", "0", "8"]}
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg"') >= 10 and 'role="img"' in html
    assert "Brief aan de wethouder" not in html and "VB-" not in html
    assert bzk.get("/reports/vangnet.csv?year=2026").get_data(as_text=True) == as_user("bzk").get(
        "/api/v1/reports/vangnet/2026?format=csv"
    ).get_data(as_text=True)
    assert bzk.client.get("/reports/vangnet.xlsx?year=2026").mimetype.endswith("spreadsheetml.sheet")
    assert bzk.get("/reports/vangnet?year=1999").status_code == 404
    assert bzk.get("/reports/vangnet?year=abc").status_code == 404
    assert bzk.get("/reports/vangnet.pdf?year=2026").status_code == 404

    bzk.post("/language", {"lang": "en"})
    english = bzk.get("/reports/vangnet?year=2026").get_data(as_text=True)
    assert (
        re.search(r"<h1[^>]*>Vangnet report 2026</h1>", english) and _page_rows(english, "cases")["reported"][-1] == "8"
    )

    for username in ("gemeente.westbetuwe", "politie", "om", "ivp", "privacy"):
        client = browser_for(username)
        assert client.get("/reports/vangnet?year=2026").status_code == 404, username
        assert client.get("/reports/vangnet.csv?year=2026").status_code == 404, username
        assert "/reports/vangnet" not in client.get("/").get_data(as_text=True)
    assert "/reports/vangnet" in browser_for("beheerder").get("/").get_data(as_text=True)
