"""Registration of a disruption of local democracy (art. 124 Sr and others), the OM decision, and after a
dismissal (sepot) the three-month deadline for a complaint to the court of appeal (art. 12 Sv)."""
from datetime import datetime

from engine.runtime.script_helpers import LOCAL_ZONE
from tests.scenarios.flow import Team, fire_due_timers

REPORT = {"case_title": "Raadsvergadering verstoord", "municipality_code": "GM0668", "incident_date": "2026-11-02",
          "meeting_type": "gemeenteraad", "sr_articles": ["124", "141"],
          "description": "Vergadering over opvang met geweld uiteengejaagd."}


def _decided(team, decision):
    case = team.politie.start("democratic_disruption_registration", REPORT)
    team.do(team.om, case["id"], "om_register",
            {"parket_number": "05/780109-26", "suspects_count": 5, "om_registered_on": "2026-11-05"})
    team.do(team.om, case["id"], "om_decision", decision)
    return case


def test_art_124_through_a_conditional_dismissal_and_the_complaint_deadline(app, deploy_real, as_user):
    team = Team(as_user)
    case = _decided(team, {"om_decision": "voorwaardelijk_sepot", "om_decision_date": "2026-11-20",
                           "sepot_reason": "gezondheid_verdachte", "sepot_conditions": "Behandeling volgen.",
                           "probation_months": 24, "victim_notified_on": "2026-11-23"})
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
    case = _decided(team, {"om_decision": "beleidssepot", "om_decision_date": "2026-11-20",
                           "sepot_reason": "gering_feit", "victim_notified_on": "2026-11-23"})
    team.message("art12_klacht_ingediend", case["business_key"], {"complaint_filed_on": "2026-12-15",
                                                                  "complainant": "ambtsdrager"}, user=team.gemeente)
    team.do(team.om, case["id"], "record_court_ruling", {"art12_ruling": "gegrond_vervolging", "ruling_date": "2027-03-01"})
    team.message("vonnis_gewezen", case["business_key"], {"verdict": "veroordeling", "verdict_date": "2027-06-01",
                                                          "sentence_summary": "Taakstraf van 120 uur"}, user=team.om)
    detail = team.admin.case(case["id"])
    assert detail["status"] == "completed"
    assert detail["variables"]["art12_complaint_filed"] is True
    assert detail["variables"]["case_outcome"] == "veroordeling"


def test_om_decision_by_message_and_form_rules(deploy_real, as_user):
    team = Team(as_user)
    case = team.om.start("democratic_disruption_registration", REPORT)
    team.do(team.om, case["id"], "om_register",
            {"parket_number": "05/780109-26", "suspects_count": 1, "om_registered_on": "2026-11-05"})
    task = team.om.task_for(case["id"], "om_decision")
    # A dismissal needs the date the victim was notified: the complaint period starts there.
    missing = team.om.complete(task["id"], {"om_decision": "technisch_sepot", "om_decision_date": "2026-11-20",
                                            "sepot_reason": "onvoldoende_bewijs"}, expect=422)
    assert list(missing["errors"]) == ["victim_notified_on"]
    # A sepot message without that date reopens the task; a summons does not need it.
    team.message("om_beslissing_genomen", case["business_key"], {"om_decision": "technisch_sepot",
                                                                 "sepot_reason": "omdat het kan"}, user=team.om)
    assert team.open_elements(case["id"]) == ["om_decision"]
    assert team.variables(case["id"])["sepot_reason"] is None  # only a ground the form offers is copied
    team.message("om_beslissing_genomen", case["business_key"], {"om_decision": "dagvaarding",
                                                                 "om_decision_date": "2026-12-01"}, user=team.om)
    assert team.open_elements(case["id"]) == ["record_verdict"]
    team.do(team.om, case["id"], "record_verdict", {"verdict": "vrijspraak", "verdict_date": "2027-04-01"})
    assert team.admin.case(case["id"])["variables"]["case_outcome"] == "vrijspraak"
