"""Support with the criminal complaint (aangifte): how to file without the home address in the file, the
police registration (by message or by hand) and the reminder after two working days."""

from datetime import datetime, timezone

from engine.runtime.script_helpers import add_working_days
from tests.scenarios.flow import Team, after, fire_due_timers


def test_aangifte_onder_nummer_registered_by_the_police_system(app, deploy_real, as_user):
    team = Team(as_user)
    case = team.start_threat(starter=team.ambtsdrager, reporter_is_office_holder=True)
    team.through_triage(case["id"])
    team.do(
        team.ambtsdrager,
        case["id"],
        "choose_filing_method",
        {"filing_method": "onder_nummer", "preferred_filing_date": "2026-11-30"},
    )

    task = team.politie.task_for(case["id"], "register_aangifte")
    data = team.variables(case["id"])
    assert data["aangifte_identity_shielded"] is True
    assert data["aangifte_address_for_service"] == "gemeentehuis"
    assert data["aangifte_filed_by"] == "ambtsdrager"
    due = datetime.fromisoformat(data["aangifte_due_at"])
    assert due == datetime.fromisoformat(add_working_days(data["aangifte_requested_at"], 2))
    assert datetime.fromisoformat(task["due_at"]) == due.astimezone(timezone.utc)

    # A message without a registration number does not count: the police task stays open.
    team.message("aangifte_geregistreerd", case["business_key"], {"vpt_ela_marked": True}, user=team.politie)
    assert "register_aangifte" in team.open_elements(case["id"])
    team.message(
        "aangifte_geregistreerd",
        case["business_key"],
        {"police_registration_number": "PL0600-2026-004711", "vpt_ela_marked": True, "registered_on": "2026-11-29"},
        user=team.politie,
    )
    assert "register_aangifte" not in team.open_elements(case["id"])
    assert team.politie.tasks(process_instance_id=case["id"], process_id="aangifte_support") == []

    team.do(
        team.ambtsdrager,
        case["id"],
        "ask_support_consent",
        {"support_numbers_given": True, "support_information_by": "ambtsdrager"},
    )
    team.do(
        team.politie,
        case["id"],
        "threat_assessment",
        {"threat_product": "dreigingsmelding", "threat_level": "geen", "assessment_date": "2026-11-30"},
    )
    team.do(team.gemeente, case["id"], "close_case", {"closure_summary": "Aangifte gedaan.", "closed_on": "2026-12-01"})
    data = team.variables(case["id"])
    assert data["aangifte_status"] == "geregistreerd"
    assert data["police_registration_number"] == "PL0600-2026-004711" and data["vpt_ela_marked"] is True
    assert data["aangifte_in_time"] is True
    assert data["filing_method"] == "onder_nummer" and data["support_numbers_given"] == "***"  # the gemeente's
    assert team.gemeente.case(case["id"])["variables"]["support_numbers_given"] is True


def test_reminder_when_not_registered_within_two_working_days(app, deploy_real, as_user):
    team = Team(as_user)
    case = team.start_threat()
    team.through_triage(case["id"])
    team.do(team.gemeente, case["id"], "choose_filing_method", {"filing_method": "werkgever"})
    due = team.variables(case["id"])["aangifte_due_at"]

    assert fire_due_timers(app, case["id"], after(due, minutes=-1)) is None  # not yet
    assert "follow_up_aangifte" not in team.open_elements(case["id"])
    fire_due_timers(app, case["id"], after(due, seconds=1))
    assert {"follow_up_aangifte", "register_aangifte"} <= set(team.open_elements(case["id"]))
    # The police registers first; the reminder branch ends last and must not undo the registration.
    team.do(
        team.politie,
        case["id"],
        "register_aangifte",
        {"police_registration_number": "PL0600-2026-9", "registered_on": "2026-12-04"},
    )
    team.do(team.gemeente, case["id"], "follow_up_aangifte", {"follow_up_action": "navraag_politie"})
    team.no_support(case["id"])
    team.do(
        team.politie,
        case["id"],
        "threat_assessment",
        {"threat_product": "dreigingsmelding", "threat_level": "geen", "assessment_date": "2026-11-30"},
    )
    team.do(team.gemeente, case["id"], "close_case", {"closure_summary": "Klaar.", "closed_on": "2026-12-05"})
    data = team.variables(case["id"])
    # Both branches of the called process survive into the case: the reminder and the registration.
    assert data["follow_up_action"] == "navraag_politie"
    assert data["aangifte_status"] == "geregistreerd" and data["aangifte_filed_by"] == "werkgever"


def test_report_only_records_why(deploy_real, as_user):
    team = Team(as_user)
    case = team.start_threat()
    team.through_triage(case["id"])
    bad = team.do(team.gemeente, case["id"], "choose_filing_method", {"filing_method": "alleen_melding"}, expect=422)
    assert list(bad["errors"]) == ["no_aangifte_reason"]
    team.do(
        team.gemeente,
        case["id"],
        "choose_filing_method",
        {"filing_method": "alleen_melding", "no_aangifte_reason": "vrees_represailles"},
    )
    assert team.politie.tasks(process_instance_id=case["id"], process_id="aangifte_support") == []
    assert team.variables(case["id"])["aangifte_status"] == "alleen_melding"
