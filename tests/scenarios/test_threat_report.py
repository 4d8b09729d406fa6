"""The report (melding) that starts a threat case: acute danger, routing by decision table, and the
start form as a browser submits it."""

from datetime import datetime, timedelta, timezone

from tests.scenarios.flow import Team, report


def test_report_with_acute_danger_goes_to_the_police_first(deploy_real, as_user):
    team = Team(as_user)
    case = team.start_threat(acute_danger=True, emergency_number_called=True, office_holder_role="wethouder")
    assert team.open_elements(case["id"]) == ["acute_police_response"]
    task = team.politie.task_for(case["id"], "acute_police_response")
    due = datetime.fromisoformat(task["due_at"])
    assert timedelta(minutes=59) < due - datetime.now(timezone.utc) <= timedelta(hours=1)
    assert team.gemeente.tasks(process_instance_id=case["id"]) == []  # triage waits for the police

    data = team.variables(case["id"])
    assert data["driehoek_consultation"] is True  # acute: the triangle is involved
    assert data["case_handler_function"] == "gemeentesecretaris"

    team.politie.complete(
        task["id"], {"acute_contact_at": "2026-11-28T15:10", "acute_measures": ["extra_surveillance"]}
    )
    assert team.open_elements(case["id"]) == ["triage"]
    team.through_triage(case["id"])
    assert team.open_elements(case["id"]) == ["ask_support_consent", "choose_filing_method", "threat_assessment"]
    assert team.variables(case["id"])["ivp_priority"] == "acuut"


def test_report_without_acute_danger_routes_a_councillor_to_the_griffier(deploy_real, as_user):
    team = Team(as_user)
    case = team.start_threat(office_holder_role="raadslid")
    assert team.open_elements(case["id"]) == ["triage"]
    data = team.variables(case["id"])
    assert (data["case_handler_function"], data["driehoek_consultation"]) == ("griffier", False)
    assert team.politie.tasks(process_instance_id=case["id"]) == []


def test_unticked_checkboxes_may_be_left_out_as_a_browser_does(deploy_real, as_user):
    """form-js submits an untouched checkbox as false; an API client may leave it out. Either way the case runs."""
    team = Team(as_user)
    variables = report()
    for key in ("reporter_is_office_holder", "acute_danger", "suspect_known", "family_involved"):
        variables.pop(key)
    case = team.gemeente.start("threat_response", variables)
    assert case["status"] == "running", case["incident"]
    assert case["variables"]["acute_danger"] is False
    assert team.open_elements(case["id"]) == ["triage"]


def test_an_office_holder_who_reports_gets_the_personal_tasks(deploy_real, as_user):
    team = Team(as_user)
    case = team.start_threat(starter=team.ambtsdrager, reporter_is_office_holder=True)
    team.through_triage(case["id"])
    mine = {t["element_id"]: t for t in team.ambtsdrager.tasks(process_instance_id=case["id"])}
    assert sorted(mine) == ["ask_support_consent", "choose_filing_method"]
    assert {t["assignee"] for t in mine.values()} == {"ambtsdrager.westbetuwe"}
    # assigned personally: the gemeente does not see them (it would record them on behalf of a reporter who is not the
    # office holder)
    assert [t["element_id"] for t in team.gemeente.tasks(process_instance_id=case["id"])] == []


def test_temporary_personal_protection_records_who_decided_it(deploy_real, as_user):
    """Personal protection is decided by the hoofdofficier van justitie (Circulaire bewaking en beveiliging,
    Stcrt. 2015, 18913), not by the police on the spot: the police records who decided it and when."""
    team = Team(as_user)
    case = team.start_threat(acute_danger=True, emergency_number_called=True)
    task = team.politie.task_for(case["id"], "acute_police_response")
    done = {
        "acute_contact_at": "2026-11-28T15:10",
        "acute_measures": ["extra_surveillance"],
        "temporary_protection": True,
    }
    missing = team.politie.complete(task["id"], done, expect=422)
    assert sorted(missing["errors"]) == ["temporary_protection_decided_at", "temporary_protection_decided_by"]
    assert team.open_elements(case["id"]) == ["acute_police_response"]  # unchanged
    team.politie.complete(
        task["id"],
        dict(
            done,
            temporary_protection_decided_by="hoofdofficier",
            temporary_protection_decided_at="2026-11-28T15:40+01:00",
        ),
    )
    data = team.politie.case(case["id"])["variables"]
    assert (data["temporary_protection"], data["temporary_protection_decided_by"]) == (True, "hoofdofficier")
