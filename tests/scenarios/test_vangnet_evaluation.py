"""The year-end evaluation of the vangnet, started by hand over a year of generated cases: the figures are
pseudonymised aggregates of that year's threat cases only."""
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine

from tests.scenarios.flow import Team, assessment, cost_decision

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
    Spec("2025-03-03T09:30", role="burgemeester", category="intimidatie", requested=[("persoonsbeveiliging", 30_000)],
         decision="gedeeltelijk", granted=20_000, estimated=30_000, close_after_days=40, acute=True),
    Spec("2025-04-10T14:00", role="raadslid", category="online_haat", measures=(), close_after_days=10),
    Spec("2025-05-20T11:00", role="commissielid", close_after_days=12, filing="domiciliekeuze"),  # outside the letter
    Spec("2025-06-30T16:00", role="wethouder", category="belaging", measures=("pkvw_basis",), estimated=2_000,
         close_after_days=15),
    Spec("2025-08-12T08:00", role="burgemeester", costs_borne_by="ambtsdrager", estimated=9_000, close_after_days=25),
    Spec("2025-09-01T13:00", role="wethouder", burden="niet_onevenredig", estimated=5_000, decision="afgewezen",
         granted=0, close_after_days=35),
    Spec("2025-10-07T10:00", role="raadslid", requested=[("camera", 12_000)], estimated=12_000, decision="afgewezen",
         granted=0, close_after_days=50),
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
            team.do(team.politie, cid, "acute_police_response",
                    {"acute_contact_at": "2025-03-03T09:45", "acute_measures": ["extra_surveillance"]})
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
            team.do(team.politie, cid, "register_aangifte", {"police_registration_number": "PL0600-2025-1",
                                                             "registered_on": "2025-01-16"})
    with at(48):
        team.do(team.politie, cid, "threat_assessment", assessment(spec.threat_level, spec.measures))
    if spec.measures:
        with at(72):
            team.do(team.gemeente, cid, "cost_decision",
                    cost_decision(spec.costs_borne_by, spec.estimated, municipal_budget=80_000_000))
            if "decide_vangnet_follow_up" in team.open_elements(cid):  # applies when the table allows it
                eligible = team.variables(cid)["compensation_eligible"] is None
                team.do(team.gemeente, cid, "decide_vangnet_follow_up",
                        {"vangnet_follow_up": "aanvragen" if eligible else "niet_aanvragen"})
    if "submit_application" in team.open_elements(cid):
        with at(120):
            team.do(team.gemeente, cid, "submit_application", {
                "requested_measures": [{"measure": m, "amount": a} for m, a in spec.requested],
                "advice_reference": "ADV", "application_date": "2025-01-01"})
        with at(120 + 24 * 14):
            decision = {"compensation_decision": spec.decision, "decision_date": "2025-01-01", "measures_match_advice": "ja",
                        "burden_judgement": spec.burden, "acute_and_serious_threat": "ja",
                        "decision_reference": "BZK", "decision_motivation": "Besluit."}
            if spec.decision != "afgewezen":
                decision["granted_amount"] = spec.granted
            team.do(team.bzk, cid, "decide_compensation", decision)
        with at(120 + 24 * 15):
            team.do(team.gemeente, cid, "receive_decision", {"decision_received_on": "2025-01-01"})
            if "declare_costs" in team.open_elements(cid):  # a grant: the costs declared and paid
                team.do(team.gemeente, cid, "declare_costs", {"declaration_period_end": "2025-01-01",
                                                              "declared_amount": spec.granted})
                team.do(team.bzk, cid, "pay_declaration", {"payment_date": "2025-01-01",
                                                           "payment_amount": spec.granted, "payment_reference": "B"})
    with at(24 * spec.close_after_days):
        result = team.do(team.gemeente, cid, "close_case", {"closure_summary": "Afgerond.", "closed_on": "2025-01-01"})
    assert result["instance_status"] == "completed", result
    return case


def test_evaluation_by_hand_over_a_year_of_cases(deploy_real, as_user):
    team = Team(as_user).login()
    for spec in YEAR + OTHER_YEARS:
        _drive(team, spec)

    evaluation = team.bzk.start("vangnet_evaluation", {"evaluation_year": 2025})
    assert evaluation["status"] == "running", evaluation["incident"]
    figures = team.variables(evaluation["id"])["vangnet_figures"]

    assert figures["year"] == 2025
    assert figures["cases_total"] == 9 and figures["cases_closed"] == 8
    assert figures["by_office_holder_role"] == {"burgemeester": 2, "commissielid": 1, "raadslid": 3, "wethouder": 3}
    assert figures["by_incident_category"] == {"belaging": 1, "bedreiging": 5, "intimidatie": 1, "online_haat": 1,
                                               "vernieling": 1}
    assert figures["acute_danger"] == 1
    assert figures["aangifte"]["registered"] == 2 and figures["aangifte"]["report_only"] == 6
    assert figures["aangifte"]["by_filing_method"] == {"alleen_melding": 6, "domiciliekeuze": 1, "onder_nummer": 1}
    assert figures["measures_advised"] == 7
    assert figures["measures"] == {"alarm_opvolging": 6, "camera": 6, "pkvw_basis": 1}
    assert figures["costs"]["cost_decisions"] == 7
    assert figures["costs"]["borne_by"] == {"ambtsdrager": 1, "gemeente": 6}
    assert figures["costs"]["estimated_total"] == 40_000 + 30_000 + 40_000 + 2_000 + 9_000 + 5_000 + 12_000
    assert figures["vangnet"]["eligible"] == 3
    assert figures["vangnet"]["not_eligible_by_reason"] == {
        "costs_borne_by_municipality": 1, "disproportionate_burden": 1, "exceeds_pkvw": 1, "measures_advised": 1,
        "office_holder_role": 1}
    compensation = figures["compensation"]
    # the burden is judged in BZK's decision on the application: the one judged proportionate was applied for
    assert compensation["requested"] == 4 and compensation["requested_amount"] == 40_000 + 30_000 + 40_000 + 12_000
    assert compensation["by_decision"] == {"afgewezen": 2, "gedeeltelijk": 1, "toegekend": 1}
    assert compensation["granted"] == 2 and compensation["granted_amount"] == 60_000
    lead = figures["lead_times"]
    assert lead["report_to_closure_days_median"] == 22.5  # of 10, 12, 15, 20, 25, 35, 40, 50 days
    assert lead["application_to_decision_days_median"] == 14.0
    assert lead["triage_hours_median"] == 3.0  # each triage done three hours after the report (2.5 when acute)
    text = repr(figures)
    assert "GM0668" not in text and "VB-" not in text and "Dreigbrief" not in text  # pseudonymised

    team.do(team.bzk, evaluation["id"], "assess_vangnet", {"assessment_summary": "Weinig gebruikt, wel nodig.",
                                                          "recommendation": "structureel"})
    result = team.do(team.bzk, evaluation["id"], "decide_vangnet", {
        "vangnet_decision": "structureel", "decision_date": "2026-01-20", "decision_motivation": "Zie beoordeling."})
    assert result["instance_status"] == "completed"


def test_evaluation_of_a_year_without_cases_and_a_wrong_year(deploy_real, as_user):
    team = Team(as_user)
    empty = team.bzk.start("vangnet_evaluation", {"evaluation_year": 2017})
    figures = team.variables(empty["id"])["vangnet_figures"]
    assert figures["cases_total"] == 0 and figures["lead_times"]["report_to_closure_days_median"] is None
    refused = team.bzk.start("vangnet_evaluation", {"evaluation_year": 1999}, expect=422)
    assert list(refused["errors"]) == ["evaluation_year"]
    team.gemeente.start("vangnet_evaluation", {"evaluation_year": 2025}, expect=404)  # only BZK starts it


def test_the_yearly_timer_start_is_declared_and_a_manual_start_does_not_wait_for_it(deploy_real, as_user):
    team = Team(as_user)
    definitions = {d["process_id"]: d for d in team.bzk.get("/api/v1/process-definitions").get_json()}
    evaluation = definitions["vangnet_evaluation"]
    assert evaluation["timer_start"] == [{"kind": "timeCycle", "text": "R/2026-12-31T09:00:00/P1Y",
                                          "line": evaluation["timer_start"][0]["line"]}]
    assert evaluation["start_form"]["id"] == "vangnet_evaluation_start" and evaluation["can_start"] is True
    case = team.bzk.start("vangnet_evaluation", {"evaluation_year": 2026})
    assert case["next_timer_due_at"] is None  # the engine started it from the none start event only
    assert team.open_elements(case["id"]) == ["assess_vangnet"]


def test_the_letters_evaluation_of_2016(deploy_real, as_user):
    """The letter announces one evaluation, at the end of 2016, of a provisional arrangement in force since
    1 March 2016 (IVP) and April 2016 (vangnet): BZK evaluates 2016 by hand; the yearly timer is a product
    choice for an arrangement that continued."""
    team = Team(as_user).login()
    _drive(team, Spec("2016-06-14T10:00", role="wethouder", close_after_days=20))
    evaluation = team.bzk.start("vangnet_evaluation", {"evaluation_year": 2016,
                                                      "evaluation_note": "Evaluatie eind 2016 (brief 20 april 2016)"})
    figures = team.variables(evaluation["id"])["vangnet_figures"]
    assert figures["year"] == 2016 and figures["cases_total"] == 1
    assert figures["compensation"]["requested"] == 1 and figures["compensation"]["granted"] == 1
