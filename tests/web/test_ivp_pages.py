"""The IVP at the report, in the browser's pages: the report form shows the IVP's and the Vertrouwenslijn's
numbers with a link to refer oneself; the office holder refers themselves there without a gemeente step; the
gemeente cannot start or open such a case."""

import json

from engine.app.cli import deploy_folders
from tests.support.api import PROJECT

REFERRAL = {
    "referred_person": "kind",
    "office_holder_role": "raadslid",
    "acute_danger": True,
    "contact_phone": "06 12345678",
    "referral_source": "zelf",
}


def test_the_office_holder_refers_a_family_member_from_the_report_page(app, browser_for):
    with app.app_context():
        deploy_folders([PROJECT / "processes", PROJECT / "forms"], actor="test")
    office_holder = browser_for("ambtsdrager.westbetuwe")
    report = office_holder.get("/start/threat_response").get_data(as_text=True)
    assert "0418 - 683 444" in report and "0800 - 2800 200" in report and 'href=\\"/start/ivp_support\\"' in report
    page = office_holder.get("/start/ivp_support")
    assert page.status_code == 200 and "0418 - 683 444" in page.get_data(as_text=True)
    started = office_holder.post("/start/ivp_support", {"variables": json.dumps(REFERRAL)})
    assert started.status_code == 302, started.get_data(as_text=True)[:500]
    case_page = office_holder.get(started.headers["Location"])
    assert case_page.status_code == 200 and "+31612345678" not in started.headers["Location"]

    gemeente = browser_for("gemeente.westbetuwe")
    assert gemeente.get("/start/ivp_support").status_code == 404
    assert gemeente.get(started.headers["Location"]).status_code == 404
