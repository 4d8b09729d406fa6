"""The yearly report over the API: who may read it, and its disclosure control on cases started here."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from engine.app.cli import deploy_folders
from tests.scenarios.flow import report
from tests.support.api import PROJECT

NL = ZoneInfo("Europe/Amsterdam")


@pytest.fixture
def deployed(app):
    with app.app_context():
        deploy_folders([PROJECT / "processes", PROJECT / "forms"], actor="test")


def _table(body, table_id):
    return {row["key"]: row["values"] for row in next(t for t in body["tables"] if t["id"] == table_id)["rows"]}


def test_only_bzk_and_the_administrator_read_it(deployed, as_user):
    for username in ("bzk", "beheerder"):
        response = as_user(username).get("/api/v1/reports/vangnet/2026")
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["years"] == [2022, 2023, 2024, 2025, 2026]
    for username in ("gemeente.westbetuwe", "politie", "om", "ivp", "procesbeheerder", "privacy"):
        response = as_user(username).get("/api/v1/reports/vangnet/2026")
        assert response.status_code == 403, username
        assert response.get_json()["code"] == "forbidden"
    bzk = as_user("bzk")
    assert bzk.get("/api/v1/reports/vangnet/1999").status_code == 404
    assert bzk.get("/api/v1/reports/vangnet/2026?format=pdf").status_code == 400  # a precise 4xx
    assert bzk.get("/api/v1/reports/vangnet/nineteen").status_code == 404


def test_a_municipality_with_three_cases_shows_as_fewer_than_five(deployed, as_user):
    westbetuwe, amsterdam = as_user("gemeente.westbetuwe"), as_user("gemeente.amsterdam")
    with time_machine.travel(datetime(2026, 3, 2, 10, tzinfo=NL), tick=False):
        for _ in range(3):
            westbetuwe.start("threat_response", report(case_title="Bedreiging via de post"))
        for _ in range(6):
            amsterdam.start("threat_response", report(municipality_code="GM0363", office_holder_role="raadslid"))
    body = as_user("bzk").get("/api/v1/reports/vangnet/2026").get_json()
    municipalities = _table(body, "by_municipality")
    assert municipalities["GM0668"]["2026"] == "< 5"
    # the one other cell of the year is hidden too: otherwise 9 - 6 would give the three away
    assert municipalities["GM0363"]["2026"] == "x"
    assert municipalities["GM0363"]["2025"] == 0
    assert _table(body, "cases")["reported"]["2026"] == 9
    assert _table(body, "by_office_holder_role") == {
        "raadslid": {"2022": 0, "2023": 0, "2024": 0, "2025": 0, "2026": "x"},
        "wethouder": {"2022": 0, "2023": 0, "2024": 0, "2025": 0, "2026": "< 5"},
    }
    assert _table(body, "reports_per_month")["03"]["2026"] == 9
    for export in ("json", "csv", "xlsx"):
        data = as_user("bzk").get(f"/api/v1/reports/vangnet/2026?format={export}").data
        for secret in (b"Bedreiging via de post", b"Dreigbrief", b"VB-", b"Brief met een doodsbedreiging"):
            assert secret not in data, (export, secret)


def test_cases_saved_before_the_figures_rows_get_them_from_the_rebuild(app, deployed, as_user, monkeypatch):
    from engine.db.extensions import db
    from engine.reporting import rebuild
    from engine.reporting.models import CaseFigures

    monkeypatch.setattr(rebuild, "BATCH", 2)  # five cases: three batches, the last one short

    westbetuwe = as_user("gemeente.westbetuwe")
    with time_machine.travel(datetime(2024, 12, 31, 23, 30, tzinfo=NL), tick=False):  # 2024 in Dutch time
        for _ in range(5):
            westbetuwe.start("threat_response", report(incident_category="belaging"))
    with app.app_context():
        db.session.query(CaseFigures).delete()  # as a database upgraded from before migration 0014
        db.session.commit()
    bzk = as_user("bzk")
    assert _table(bzk.get("/api/v1/reports/vangnet/2024").get_json(), "cases")["reported"]["2024"] == 0
    result = app.test_cli_runner().invoke(args=["reports", "rebuild"])
    assert result.exit_code == 0 and "Figures rows written: 5" in result.output
    body = bzk.get("/api/v1/reports/vangnet/2024").get_json()
    assert _table(body, "cases")["reported"]["2024"] == 5
    assert _table(body, "by_incident_category")["belaging"]["2024"] == 5
    assert "Figures rows written: 0" in app.test_cli_runner().invoke(args=["reports", "rebuild"]).output

    # a column added by a later migration is empty in the rows of cases that do not step again: --refresh
    # derives every row again from its case (as after migration 0020's application and decision days)
    with app.app_context():
        db.session.query(CaseFigures).update({"incident_category": None})
        db.session.commit()
    assert _table(bzk.get("/api/v1/reports/vangnet/2024").get_json(), "by_incident_category") == {}
    result = app.test_cli_runner().invoke(args=["reports", "rebuild", "--refresh"])
    assert result.exit_code == 0 and "Figures rows derived again: 5" in result.output, result.output
    assert _table(bzk.get("/api/v1/reports/vangnet/2024").get_json(), "by_incident_category")["belaging"]["2024"] == 5


@pytest.mark.parametrize("count", [5, 6, 7, 10, 11, 23])
def test_median_and_90th_percentile_from_the_database_are_the_interpolated_ones(app, count):
    import random
    import uuid
    from statistics import median, quantiles

    from engine.db.extensions import db
    from engine.reporting.figures import report
    from engine.reporting.models import CaseFigures

    rng = random.Random(count)
    days = [round(rng.uniform(1, 200), 3) for _ in range(count)]
    with app.app_context():
        for value in days:
            started = datetime(2026, 2, 1, tzinfo=NL)
            db.session.add(
                CaseFigures(
                    instance_id=str(uuid.uuid4()),
                    process_id="threat_response",
                    year=2026,
                    month=2,
                    started_at=started,
                    closed=True,
                    report_to_closure_days=value,
                )
            )
        db.session.commit()
        lead = {
            row["key"]: row["values"]["2026"]
            for row in next(t for t in report(2026)["tables"] if t["id"] == "lead_times_days")["rows"]
        }
    assert lead["report_to_closure_median"] == round(median(days), 1)
    assert lead["report_to_closure_p90"] == round(quantiles(days, n=10, method="inclusive")[8], 1)
    assert lead["application_to_decision_median"] is None  # nothing to measure
