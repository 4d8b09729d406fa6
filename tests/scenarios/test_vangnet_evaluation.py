"""The evaluation of the vangnet over a year of generated cases, started by hand or by its schedule after the
year: the figures it keeps are the yearly report of that year as it was (aggregates under disclosure control),
shown on the case and its tasks, and the case ends with that report as a PDF document."""

import io
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from pypdf import PdfReader

from engine.app.cli import deploy_folders
from engine.identity.actor import Actor
from engine.reporting.evaluation import EvaluationSettings
from engine.timers.start_events import current_schedules, start_due_occurrence
from tests.scenarios.flow import Team, assessment, cost_decision
from tests.web.conftest import WebClient

NL = ZoneInfo("Europe/Amsterdam")


@dataclass
class Spec:
    reported: str
    role: str = "wethouder"
    category: str = "bedreiging"
    threat_level: str = "concreet"
    measures: tuple = ("alarm_opvolging", "camera")
    costs_borne_by: str = "gemeente"
    estimated: int = 40_000
    burden: str = "onevenredig"
    requested: list = field(default_factory=lambda: [("alarm_opvolging", 25_000), ("camera", 15_000)])
    decision: str = "toegekend"
    granted: int = 40_000
    filing: str = "alleen_melding"
    close_after_days: int = 30
    close: bool = True
    acute: bool = False


YEAR = [
    Spec("2025-01-15T10:00", role="wethouder", filing="onder_nummer", close_after_days=20),
    Spec(
        "2025-03-03T09:30",
        role="burgemeester",
        category="intimidatie",
        requested=[("persoonsbeveiliging", 30_000)],
        decision="gedeeltelijk",
        granted=20_000,
        estimated=30_000,
        close_after_days=40,
        acute=True,
    ),
    Spec("2025-04-10T14:00", role="raadslid", category="online_haat", measures=(), close_after_days=10),
    Spec("2025-05-20T11:00", role="commissielid", close_after_days=12, filing="domiciliekeuze"),  # outside the letter
    Spec(
        "2025-06-30T16:00",
        role="wethouder",
        category="belaging",
        measures=("pkvw_basis",),
        estimated=2_000,
        close_after_days=15,
    ),
    Spec("2025-08-12T08:00", role="burgemeester", costs_borne_by="ambtsdrager", estimated=9_000, close_after_days=25),
    Spec(
        "2025-09-01T13:00",
        role="wethouder",
        burden="niet_onevenredig",
        estimated=5_000,
        decision="afgewezen",
        granted=0,
        close_after_days=35,
    ),
    Spec(
        "2025-10-07T10:00",
        role="raadslid",
        requested=[("camera", 12_000)],
        estimated=12_000,
        decision="afgewezen",
        granted=0,
        close_after_days=50,
    ),
    Spec("2025-12-31T22:30", role="raadslid", category="vernieling", close=False),  # reported on New Year's Eve
]
OTHER_YEARS = [Spec("2024-12-31T22:00", role="burgemeester"), Spec("2026-01-01T00:30", role="burgemeester")]


def _at(moment: datetime):
    return time_machine.travel(moment, tick=False)


def _drive(team: Team, spec: Spec):
    """One case from report to closure, each step at its own moment of the year."""
    t0 = datetime.fromisoformat(spec.reported).replace(tzinfo=NL)
    with _at(t0):
        case = team.start_threat(office_holder_role=spec.role, incident_category=spec.category, acute_danger=spec.acute)
    cid = case["id"]
    step = [t0]

    def at(hours):
        step[0] = t0 + timedelta(hours=hours)
        return _at(step[0])

    if spec.acute:
        with at(0.5):
            team.do(
                team.politie,
                cid,
                "acute_police_response",
                {"acute_contact_at": "2025-03-03T09:45", "acute_measures": ["extra_surveillance"]},
            )
    with at(3):
        team.through_triage(cid)  # with the driehoek's consultation when case_routing asks for it
    if not spec.close:
        return case
    with at(5):
        choice = {"filing_method": spec.filing}
        if spec.filing == "alleen_melding":
            choice["no_aangifte_reason"] = "geen_vertrouwen"
        team.do(team.gemeente, cid, "choose_filing_method", choice)
        team.no_support(cid)
    if spec.filing != "alleen_melding":
        with at(20):
            team.do(
                team.politie,
                cid,
                "register_aangifte",
                {"police_registration_number": "PL0600-2025-1", "registered_on": "2025-01-16"},
            )
    with at(48):
        team.do(team.politie, cid, "threat_assessment", assessment(spec.threat_level, spec.measures))
    if spec.measures:
        with at(72):
            team.do(
                team.gemeente,
                cid,
                "cost_decision",
                cost_decision(spec.costs_borne_by, spec.estimated, municipal_budget=80_000_000),
            )
            if "decide_vangnet_follow_up" in team.open_elements(cid):  # applies when the table allows it
                eligible = team.variables(cid)["compensation_eligible"] is None
                team.do(
                    team.gemeente,
                    cid,
                    "decide_vangnet_follow_up",
                    {"vangnet_follow_up": "aanvragen" if eligible else "niet_aanvragen"},
                )
    if "submit_application" in team.open_elements(cid):
        with at(120):
            team.do(
                team.gemeente,
                cid,
                "submit_application",
                {
                    "requested_measures": [{"measure": m, "amount": a} for m, a in spec.requested],
                    "advice_reference": "ADV",
                    "application_date": "2025-01-01",
                },
            )
        with at(120 + 24 * 14):
            decision = {
                "compensation_decision": spec.decision,
                "decision_date": "2025-01-01",
                "measures_match_advice": "ja",
                "burden_judgement": spec.burden,
                "acute_and_serious_threat": "ja",
                "decision_reference": "BZK",
                "decision_motivation": "Besluit.",
            }
            if spec.decision != "afgewezen":
                decision["granted_amount"] = spec.granted
            team.do(team.bzk, cid, "decide_compensation", decision)
        with at(120 + 24 * 15):
            team.do(team.gemeente, cid, "receive_decision", {"decision_received_on": "2025-01-01"})
            if "declare_costs" in team.open_elements(cid):  # a grant: the costs declared and paid
                team.do(
                    team.gemeente,
                    cid,
                    "declare_costs",
                    {"declaration_period_end": "2025-01-01", "declared_amount": spec.granted},
                )
                team.do(
                    team.bzk,
                    cid,
                    "pay_declaration",
                    {"payment_date": "2025-01-01", "payment_amount": spec.granted, "payment_reference": "B"},
                )
    with at(24 * spec.close_after_days):
        result = team.do(team.gemeente, cid, "close_case", {"closure_summary": "Afgerond.", "closed_on": "2025-01-01"})
    assert result["instance_status"] == "completed", result
    return case


PROJECT = Path(__file__).resolve().parents[2]


def cells(figures: dict, year) -> dict:
    """{(table, figure): cell} of one year of a report."""
    return {(table["id"], row["key"]): row["values"][str(year)] for table in figures["tables"] for row in table["rows"]}


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _decide(team, case_id, note="Weinig gebruikt, wel nodig.", motivation="Zie beoordeling."):
    team.do(team.bzk, case_id, "assess_vangnet", {"assessment_summary": note, "recommendation": "structureel"})
    return team.do(
        team.bzk,
        case_id,
        "decide_vangnet",
        {
            "vangnet_decision": "structureel",
            "decision_date": "2026-01-20",
            "decision_reference": "BZK-2026-0001",
            "decision_motivation": motivation,
        },
    )


def test_evaluation_by_hand_keeps_the_report_of_its_year_and_ends_with_it_as_a_pdf(app, deploy_real, as_user):
    team = Team(as_user).login()
    cases = [_drive(team, spec) for spec in YEAR + OTHER_YEARS]

    evaluation = team.bzk.start("vangnet_evaluation", {"evaluation_year": 2025})
    assert evaluation["status"] == "running", evaluation["incident"]
    snapshot = team.variables(evaluation["id"])["vangnet_report"]
    live = team.bzk.get("/api/v1/reports/vangnet/2025").get_json()
    assert snapshot["year"] == 2025 and snapshot["years"] == [2021, 2022, 2023, 2024, 2025]
    assert snapshot["tables"] == live["tables"]  # the report page's figures, as they were

    # counted again from the cases themselves: reported in 2025; applications and decisions by their own day
    threat = [team.admin.case(c["id"])["variables"] for c in cases]
    applied = [v for v in threat if v.get("application_submitted_at", "").startswith("2025-")]
    decided = [v for v in threat if v.get("compensation_decided_at", "").startswith("2025-")]
    assert len(applied) == len(decided) == 5  # the one reported on 31 December 2024 applied in January 2025
    figures = cells(snapshot, 2025)
    assert figures["cases", "reported"] == 9 and figures["cases", "closed"] == 8
    assert figures["compensation", "requested"] == 5 and figures["compensation", "decided"] == 5
    assert figures["compensation", "requested_amount"] == sum(v["requested_amount"] for v in applied) == 162_000
    assert figures["compensation", "granted"] == "< 5"  # three grants: disclosure control
    assert figures["costs", "estimated_total"] == 40_000 + 30_000 + 40_000 + 2_000 + 9_000 + 5_000 + 12_000
    assert figures["lead_times_days", "report_to_closure_median"] == 22.5  # of 10, 12, 15, 20, 25, 35, 40, 50 days
    assert figures["lead_times_days", "application_to_decision_median"] == 14.0
    assert figures["lead_times_hours", "report_to_triage_median"] == 3.0
    assert figures["by_office_holder_role", "raadslid"] == "< 5"

    # a case of 2025 that arrives later changes the report, not what the evaluation keeps
    _drive(team, Spec("2025-11-20T10:00", role="wethouder", close_after_days=20))
    assert cells(team.bzk.get("/api/v1/reports/vangnet/2025").get_json(), 2025)["cases", "reported"] == 10
    assert team.variables(evaluation["id"])["vangnet_report"] == snapshot

    # the figures are shown on the task and the case page, not only kept in a variable
    web = WebClient(app).sign_in("bzk")
    for url in (f"/tasks/{team.bzk.task_for(evaluation['id'], 'assess_vangnet')['id']}", f"/cases/{evaluation['id']}"):
        page = web.get(url)
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and "snapshot-heading" in html and "162.000" in html, url
        tables = [t for t in snapshot["tables"] if t["rows"]]
        assert html.count('table report-table"') == len(tables) + 1, url  # and the art. 124 history

    result = _decide(team, evaluation["id"])
    assert result["instance_status"] == "completed"
    [document] = team.bzk.get(f"/api/v1/process-instances/{evaluation['id']}/documents").get_json()
    assert document["category"] == "evaluatie" and document["content_type"] == "application/pdf"
    data = team.bzk.get(f"/api/v1/documents/{document['id']}/content").data
    assert data.startswith(b"%PDF-")
    text = _pdf_text(data)
    assert "Vangnetrapportage 2025" in text and "162.000" in text and "138.000" in text  # amounts, Dutch notation
    assert "Structurele voorziening" in text and "2026-01-20" in text  # the decision, by its code's label
    business_keys = [team.admin.case(c["id"])["business_key"] for c in cases] + [evaluation["business_key"]]
    for secret in [
        *business_keys,
        "VB-",
        "Weinig gebruikt",
        "Zie beoordeling",
        "BZK-2026-0001",
        "Dreigbrief",
        "J. Jansen",
        "PL0600",
    ]:
        assert secret not in text, secret
    # the report's readers read it: BZK and the administrator; nobody else sees the case
    assert team.admin.get(f"/api/v1/documents/{document['id']}/content").status_code == 200
    assert team.gemeente.get(f"/api/v1/documents/{document['id']}/content").status_code == 404
    # the category is the system's own: nobody uploads under it, not even its readers
    refused = team.bzk.post(
        f"/api/v1/process-instances/{evaluation['id']}/documents",
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(data), "eigen.pdf"), "category": "evaluatie"},
    )
    assert refused.status_code == 422 and list(refused.get_json()["errors"]) == ["category"]


def test_evaluation_of_a_year_without_cases_and_a_wrong_year(deploy_real, as_user):
    team = Team(as_user)
    empty = team.bzk.start("vangnet_evaluation", {"evaluation_year": 2017})
    figures = cells(team.variables(empty["id"])["vangnet_report"], 2017)
    assert figures["cases", "reported"] == 0 and figures["lead_times_days", "report_to_closure_median"] is None
    refused = team.bzk.start("vangnet_evaluation", {"evaluation_year": 1999}, expect=422)
    assert list(refused["errors"]) == ["evaluation_year"]
    team.gemeente.start("vangnet_evaluation", {"evaluation_year": 2025}, expect=404)  # only BZK starts it


def test_the_schedule_is_a_setting_and_a_manual_start_does_not_wait_for_it(app, deploy_real, as_user):
    team = Team(as_user)
    definitions = {d["process_id"]: d for d in team.bzk.get("/api/v1/process-definitions").get_json()}
    evaluation = definitions["vangnet_evaluation"]
    assert [(t["kind"], t["text"]) for t in evaluation["timer_start"]] == [("timeCycle", "${evaluation_schedule()}")]
    assert evaluation["start_form"]["id"] == "vangnet_evaluation_start" and evaluation["can_start"] is True

    def schedule():
        [found] = [
            s
            for s in team.admin.get("/api/v1/timers/start-schedules").get_json()
            if s["process_id"] == "vangnet_evaluation"
        ]
        return found

    assert schedule()["next_occurrence"].startswith("2027-01-15T08:00:00")  # 09:00 Dutch time, in UTC
    with app.app_context():
        assert [s.occurrences is not None for s in current_schedules() if s.process_id == "vangnet_evaluation"] == [
            True
        ]
    saved = {k: app.config[k] for k in ("VB_EVALUATION_FIRST_YEAR", "VB_EVALUATION_PERIOD", "VB_EVALUATION_RUN_ON")}
    app.config.update(VB_EVALUATION_FIRST_YEAR="2026", VB_EVALUATION_PERIOD="P2Y", VB_EVALUATION_RUN_ON="02-01T08:30")
    try:
        assert schedule()["next_occurrence"].startswith("2027-02-01T07:30:00")
        app.config["VB_EVALUATION_FIRST_YEAR"] = "2030"
        assert schedule()["next_occurrence"].startswith("2031-02-01T07:30:00")
    finally:
        app.config.update(saved)
    for wrong in (
        {"VB_EVALUATION_FIRST_YEAR": "zestien"},
        {"VB_EVALUATION_PERIOD": "P6M"},
        {"VB_EVALUATION_RUN_ON": "02-30T09:00"},
        {"VB_EVALUATION_RUN_ON": "15 januari"},
    ):
        with pytest.raises(ValueError, match=next(iter(wrong))):
            EvaluationSettings.from_config(wrong)

    case = team.bzk.start("vangnet_evaluation", {"evaluation_year": 2026})
    assert case["next_timer_due_at"] is None  # the engine started it from the none start event only
    assert team.open_elements(case["id"]) == ["assess_vangnet"]


def _deploy_at(app, moment: datetime):
    """Deploy the project's processes as if on `moment`: the schedule owes the occurrences after it."""
    with time_machine.travel(moment, tick=False), app.app_context():
        deploy_folders([PROJECT / "processes", PROJECT / "forms"], actor="test")


def _run_schedule(app, moment: datetime):
    """What the scheduler does at `moment`: start the evaluation's occurrence due by then, if any."""
    with time_machine.travel(moment, tick=False), app.app_context():
        [schedule] = [s for s in current_schedules() if s.process_id == "vangnet_evaluation"]
        started = start_due_occurrence(schedule, Actor.system("scheduler"))
        return started.id if started is not None else None


def test_the_2016_evaluation(app, as_user):
    """The letter of 20 April 2016 announces one evaluation, at the end of 2016, of a provisional arrangement
    in force since 1 March 2016 (IVP) and April 2016 (vangnet). With the default settings the schedule
    evaluates 2016 first, in January 2017 when 2016 is complete; BZK can also evaluate it by hand."""
    _deploy_at(app, datetime(2016, 3, 1, 9, tzinfo=NL))
    team = Team(as_user).login()
    _drive(team, Spec("2016-06-14T10:00", role="wethouder", close_after_days=20))
    _drive(team, Spec("2016-12-20T10:00", role="raadslid", close_after_days=25))  # decided in January 2017
    assert _run_schedule(app, datetime(2016, 12, 31, 9, 0, 1, tzinfo=NL)) is None  # not on 31 December any more

    case_id = _run_schedule(app, datetime(2017, 1, 15, 9, 0, 1, tzinfo=NL))
    assert case_id is not None
    detail = team.bzk.case(case_id)
    assert detail["started_by"] == "scheduler" and detail["business_key"].startswith("VB-2017-")
    assert detail["variables"]["evaluation_year"] == 2016
    figures = cells(detail["variables"]["vangnet_report"], 2016)
    assert figures["cases", "reported"] == "< 5" and figures["cases", "closed"] == "< 5"
    assert figures["compensation", "requested"] == "< 5" and figures["compensation", "decided"] == "< 5"
    assert cells(detail["variables"]["vangnet_report"], 2015)["cases", "reported"] == 0
    assert team.open_elements(case_id) == ["assess_vangnet"]

    by_hand = team.bzk.start(
        "vangnet_evaluation", {"evaluation_year": 2016, "evaluation_note": "Evaluatie eind 2016 (brief 20 april 2016)"}
    )
    assert team.variables(by_hand["id"])["vangnet_report"]["tables"] == detail["variables"]["vangnet_report"]["tables"]


def test_the_evaluation_of_a_year_run_in_january_counting_decembers_decisions(app, as_user):
    """Applications count by the day they were submitted, decisions by the day BZK recorded them; the schedule
    runs on 15 January, so a decision of 31 December in the afternoon is in the year's figures."""
    _deploy_at(app, datetime(2025, 2, 1, 9, tzinfo=NL))
    team = Team(as_user).login()
    # reported 12 December 15:00: applied 17 December, decided 31 December 15:00 (after the old 09:00 run)
    december = [
        _drive(team, Spec("2025-12-12T15:00", role=role, close_after_days=28))
        for role in ("wethouder", "burgemeester", "raadslid", "wethouder", "burgemeester")
    ]
    # reported 20 December: applied in 2025, decided 8 January 2026: that decision belongs to 2026
    late = _drive(team, Spec("2025-12-20T15:00", role="raadslid", close_after_days=24))
    # reported in 2024, applied and decided in 2025: counted in 2025, whatever year it was reported in
    earlier = _drive(team, Spec("2024-12-30T15:00", role="wethouder", close_after_days=30))
    assert _run_schedule(app, datetime(2025, 12, 31, 23, 59, tzinfo=NL)) is None

    case_id = _run_schedule(app, datetime(2026, 1, 15, 9, 0, 1, tzinfo=NL))
    detail = team.bzk.case(case_id)
    assert detail["variables"]["evaluation_year"] == 2025
    variables = [team.admin.case(c["id"])["variables"] for c in december + [late, earlier]]
    assert all(v["compensation_decided_at"].startswith("2025-12-31T15:00") for v in variables[:5])
    assert variables[5]["compensation_decided_at"].startswith("2026-01-08")
    figures = cells(detail["variables"]["vangnet_report"], 2025)
    assert figures["cases", "reported"] == 6  # five on 12 December and one on 20 December
    assert figures["compensation", "requested"] == 7  # those six and the one reported in 2024
    assert figures["compensation", "decided"] == 6  # five of 31 December and the one of January 2025
    assert figures["compensation", "granted"] == 6
    assert figures["compensation", "granted_amount"] == 6 * 40_000
    assert figures["compensation", "paid_amount"] == 6 * 40_000  # each grant declared and paid in full
    assert figures["compensation_decisions", "toegekend"] == 6
    assert figures["lead_times_days", "application_to_decision_median"] == 14.0
    assert cells(detail["variables"]["vangnet_report"], 2024)["cases", "reported"] == "< 5"

    result = _decide(team, case_id)
    assert result["instance_status"] == "completed"
    [document] = team.bzk.get(f"/api/v1/process-instances/{case_id}/documents").get_json()
    text = _pdf_text(team.bzk.get(f"/api/v1/documents/{document['id']}/content").data)
    assert "Vangnetrapportage 2025" in text and "240.000" in text
