"""Registration of a disruption of local democracy (art. 124 Sr and others), the OM decision, and after a
dismissal (sepot) the three-month deadline for a complaint to the court of appeal (art. 12 Sv)."""

from datetime import datetime

from engine.runtime.script_helpers import LOCAL_ZONE
from tests.scenarios.flow import Team, fire_due_timers, report

REPORT = {
    "case_title": "Raadsvergadering verstoord",
    "municipality_code": "GM0668",
    "incident_date": "2026-11-02",
    "meeting_type": "gemeenteraad",
    "sr_articles": ["124", "141"],
    "description": "Vergadering over opvang met geweld uiteengejaagd.",
}


def _decided(team, decision):
    case = team.politie.start("democratic_disruption_registration", REPORT)
    team.do(
        team.om,
        case["id"],
        "om_register",
        {"parket_number": "05/780109-26", "suspects_count": 5, "om_registered_on": "2026-11-05"},
    )
    team.do(team.om, case["id"], "om_decision", decision)
    return case


def test_art_124_through_a_conditional_dismissal_and_the_complaint_deadline(app, deploy_real, as_user):
    team = Team(as_user)
    case = _decided(
        team,
        {
            "om_decision": "voorwaardelijk_sepot",
            "om_decision_date": "2026-11-20",
            "sepot_reason": "gezondheid_verdachte",
            "sepot_conditions": "Behandeling volgen.",
            "probation_months": 24,
            "victim_notified_on": "2026-11-23",
        },
    )
    data = team.variables(case["id"])
    assert data["art124"] is True and data["is_sepot"] is True
    deadline = datetime.fromisoformat(data["complaint_deadline"])
    assert deadline == datetime(2027, 2, 23, 23, 59, 59, tzinfo=LOCAL_ZONE)  # three months after the notice
    complaint = team.gemeente.task_for(case["id"], "art12_complaint")
    assert datetime.fromisoformat(complaint["due_at"]) == deadline

    assert fire_due_timers(app, case["id"], datetime(2027, 2, 23, 23, 0, tzinfo=LOCAL_ZONE)) is None
    assert team.open_elements(case["id"]) == ["art12_complaint"]
    fire_due_timers(app, case["id"], datetime(2027, 2, 24, 0, 0, 1, tzinfo=LOCAL_ZONE))
    detail = team.admin.case(case["id"])
    assert detail["status"] == "completed"
    assert detail["variables"]["art12_deadline_passed"] is True
    assert detail["variables"]["art12_complaint_filed"] is False
    assert detail["variables"]["case_outcome"] == "voorwaardelijk_sepot"


def test_complaint_in_time_leads_to_prosecution_and_verdict(deploy_real, as_user):
    team = Team(as_user)
    case = _decided(
        team,
        {
            "om_decision": "beleidssepot",
            "om_decision_date": "2026-11-20",
            "sepot_reason": "gering_feit",
            "victim_notified_on": "2026-11-23",
        },
    )
    team.message(
        "art12_klacht_ingediend",
        case["business_key"],
        {"complaint_filed_on": "2026-12-15", "complainant": "ambtsdrager"},
        user=team.gemeente,
    )
    team.do(
        team.om, case["id"], "record_court_ruling", {"art12_ruling": "gegrond_vervolging", "ruling_date": "2027-03-01"}
    )
    team.message(
        "vonnis_gewezen",
        case["business_key"],
        {"verdict": "veroordeling", "verdict_date": "2027-06-01", "sentence_summary": "Taakstraf van 120 uur"},
        user=team.om,
    )
    detail = team.admin.case(case["id"])
    assert detail["status"] == "completed"
    assert detail["variables"]["art12_complaint_filed"] is True
    assert detail["variables"]["case_outcome"] == "veroordeling"


def test_om_decision_by_message_and_form_rules(deploy_real, as_user):
    team = Team(as_user)
    case = team.om.start("democratic_disruption_registration", REPORT)
    team.do(
        team.om,
        case["id"],
        "om_register",
        {"parket_number": "05/780109-26", "suspects_count": 1, "om_registered_on": "2026-11-05"},
    )
    task = team.om.task_for(case["id"], "om_decision")
    # A dismissal needs the date the victim was notified: the complaint period starts there.
    missing = team.om.complete(
        task["id"],
        {"om_decision": "technisch_sepot", "om_decision_date": "2026-11-20", "sepot_reason": "onvoldoende_bewijs"},
        expect=422,
    )
    assert list(missing["errors"]) == ["victim_notified_on"]
    # A sepot message without that date reopens the task; a summons does not need it.
    team.message(
        "om_beslissing_genomen",
        case["business_key"],
        {"om_decision": "technisch_sepot", "sepot_reason": "omdat het kan"},
        user=team.om,
    )
    assert team.open_elements(case["id"]) == ["om_decision"]
    assert team.variables(case["id"])["sepot_reason"] is None  # only a ground the form offers is copied
    team.message(
        "om_beslissing_genomen",
        case["business_key"],
        {"om_decision": "dagvaarding", "om_decision_date": "2026-12-01"},
        user=team.om,
    )
    assert team.open_elements(case["id"]) == ["record_verdict"]
    team.do(team.om, case["id"], "record_verdict", {"verdict": "vrijspraak", "verdict_date": "2027-04-01"})
    assert team.admin.case(case["id"])["variables"]["case_outcome"] == "vrijspraak"


def _registration(team, registered_on, articles=("124",), **extra):
    case = team.politie.start("democratic_disruption_registration", dict(REPORT, sr_articles=list(articles), **extra))
    team.do(
        team.om,
        case["id"],
        "om_register",
        {"parket_number": "05/780109-26", "suspects_count": 1, "om_registered_on": registered_on},
    )
    return case


def _summoned(team, registered_on, decided_on):
    case = _registration(team, registered_on)
    team.do(team.om, case["id"], "om_decision", {"om_decision": "dagvaarding", "om_decision_date": decided_on})
    return case


def test_the_letters_thirteen_art_124_registrations_are_counted_again_from_data(app, deploy_real, as_user):
    """The letter of 20 April 2016: 13 registrations since 1992; one conditionally dismissed (1992, the
    suspect's health); two summoned with the verdicts unknown (1997, 2005); ten from the end of 2015 on, five
    summoned but not yet before the judge and five without an OM decision."""
    from engine.reporting.figures import art124_history, art124_recount, disruption_counts

    team = Team(as_user)
    dismissed = _registration(team, "1992-05-04")
    team.do(
        team.om,
        dismissed["id"],
        "om_decision",
        {
            "om_decision": "voorwaardelijk_sepot",
            "om_decision_date": "1992-09-01",
            "sepot_reason": "gezondheid_verdachte",
            "sepot_conditions": "Behandeling volgen.",
            "probation_months": 24,
            "victim_notified_on": "1992-09-03",
        },
    )
    for year in ("1997", "2005"):
        case = _summoned(team, f"{year}-03-10", f"{year}-06-01")
        team.do(team.om, case["id"], "record_verdict", {"verdict": "onbekend"})  # no date: it is not known
        assert team.admin.case(case["id"])["variables"]["case_outcome"] == "onbekend"
    for day in range(5):
        _summoned(team, f"2015-12-{17 + day}", "2016-02-01")
    for month in (1, 1, 2, 3, 4):
        _registration(team, f"2016-0{month}-1{month}")
    _registration(team, "2016-03-01", articles=("144",))  # disturbing a meeting: another article, not counted

    with app.app_context():
        recount = art124_recount()
        counts = disruption_counts()
        only_144 = disruption_counts("144")
    published = art124_history()
    assert {period["period"]: period["states"] for period in published["periods"]} == recount
    assert sum(sum(states.values()) for states in recount.values()) == published["total"] == 13
    assert counts["124"]["1992"] == {"voorwaardelijk_sepot": 1}
    assert counts["124"]["1997"] == counts["124"]["2005"] == {"vonnis_onbekend": 1}
    assert counts["124"]["2015"] == {"gedagvaard": 5}
    assert counts["124"]["2016"] == {"geen_beslissing": 5}
    assert counts["144"] == {"2016": {"geen_beslissing": 1}}
    assert only_144 == {"144": {"2016": {"geen_beslissing": 1}}}

    # the yearly report shows the same recount, under disclosure control (1 to 4 as "< 5")
    body = team.bzk.get("/api/v1/reports/vangnet/2026").get_json()
    recounted = {p["period"]: p for p in body["art124_history"]["from_registrations"]}
    assert recounted["2015-12 – 2016-04"] == {
        "period": "2015-12 – 2016-04",
        "registrations": 10,
        "states": {"gedagvaard": 5, "geen_beslissing": 5},
    }
    assert recounted["1992"]["registrations"] == "< 5"
    tables = {table["id"]: table for table in body["tables"]}
    by_article = {row["key"]: row["values"]["2026"] for row in tables["disruptions_by_article"]["rows"]}
    assert by_article == {"124": 13, "144": "< 5"}
    by_state = {row["key"]: row["values"]["2026"] for row in tables["art124_by_state"]["rows"]}
    assert by_state["gedagvaard"] == by_state["geen_beslissing"] == 5


def test_a_registration_names_its_threat_case_and_the_articles_offered(deploy_real, as_user, app):
    from engine.reporting.models import CaseFigures

    team = Team(as_user)
    threat = team.gemeente.start(
        "threat_response", report(incident_category="verstoring_vergadering", channel="tijdens_vergadering")
    )
    case = _registration(team, "2026-11-05", articles=("121", "124", "125"), threat_case_key=threat["business_key"])
    assert team.variables(case["id"])["threat_case_key"] == threat["business_key"]
    with app.app_context():
        row = CaseFigures.query.filter_by(instance_id=case["id"]).one()
        assert (row.sr_articles, row.registration_state, row.threat_case_linked) == (
            "|121|124|125|",
            "geen_beslissing",
            True,
        )
        assert row.om_registered_on.isoformat() == "2026-11-05"
    wrong = team.politie.start(
        "democratic_disruption_registration", dict(REPORT, threat_case_key="zaak 12"), expect=422
    )
    assert list(wrong["errors"]) == ["threat_case_key"]
