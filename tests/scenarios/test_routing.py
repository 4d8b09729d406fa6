"""Routing that assigns (issue 21) and who decides what (issue 20): `case_routing` names the gemeente's
sub-role that gets the case's tasks (the griffie for raadsleden, the gemeentesecretaris for college members,
beside the OOV adviser who coordinates every case), the driehoek consultation becomes a task when the table
says so, the hoofdofficier van justitie decides on personal protection, and a threatened burgemeester never
gets a task that decides about their own protection."""

from tests.scenarios.flow import DRIEHOEK, TRIAGE, Team, assessment

GRIFFIE, SECRETARIS = "griffie.westbetuwe", "secretaris.westbetuwe"
BURGEMEESTER, LOCO = "burgemeester.westbetuwe", "locoburgemeester.westbetuwe"


def _elements(user, case_id) -> set:
    return {t["element_id"] for t in user.tasks(process_instance_id=case_id)}


def test_a_raadslids_case_is_assigned_to_the_griffie(deploy_real, as_user, make_user):
    team = Team(as_user)
    make_user("personeelszaken.westbetuwe", "gemeente", "GM0668")  # a gemeente user without a sub-role
    griffie, secretaris, other = as_user(GRIFFIE), as_user(SECRETARIS), as_user("personeelszaken.westbetuwe")
    case = team.start_threat(office_holder_role="raadslid", case_title="Bedreiging raadslid")
    triage = griffie.task_for(case["id"], "triage")
    assert triage["candidate_groups"] == ["gemeente.griffie", "gemeente.oov"]
    assert _elements(secretaris, case["id"]) == set() and _elements(other, case["id"]) == set()
    secretaris.complete(triage["id"], TRIAGE, expect=404)  # not theirs: the task does not exist for them
    griffie.complete(triage["id"], TRIAGE)
    data = team.variables(case["id"])
    assert (data["case_handler_function"], data["case_handler_group"]) == ("griffier", "gemeente.griffie")
    # the griffie, a gemeente user by its sub-role, sees the case and the gemeente's other tasks of it
    assert griffie.case(case["id"])["variables"]["incident_description"] == "Brief met een doodsbedreiging."
    assert "choose_filing_method" in _elements(griffie, case["id"])


def test_a_wethouders_case_is_assigned_to_the_secretaris(deploy_real, as_user):
    team = Team(as_user)
    griffie, secretaris = as_user(GRIFFIE), as_user(SECRETARIS)
    case = team.start_threat()  # a wethouder
    assert secretaris.task_for(case["id"], "triage")["candidate_groups"] == ["gemeente.secretaris", "gemeente.oov"]
    assert _elements(griffie, case["id"]) == set()
    secretaris.complete(secretaris.task_for(case["id"], "triage")["id"], TRIAGE)
    team.no_aangifte(case["id"])
    team.no_support(case["id"])
    team.do(team.politie, case["id"], "threat_assessment", assessment())
    assert secretaris.task_for(case["id"], "cost_decision")["candidate_groups"] == [
        "gemeente.secretaris",
        "gemeente.oov",
    ]
    assert "consult_driehoek" not in {e["element_id"] for e in team.admin.history(case["id"])}  # not acute: no driehoek


def test_in_acute_danger_the_burgemeester_consults_the_driehoek_on_a_wethouders_case(deploy_real, as_user):
    team = Team(as_user)
    burgemeester = as_user(BURGEMEESTER)
    case = team.start_threat(acute_danger=True, emergency_number_called=True)
    team.do(
        team.politie,
        case["id"],
        "acute_police_response",
        {"acute_contact_at": "2026-11-20T21:10", "acute_measures": ["extra_surveillance"]},
    )
    burgemeester.case(case["id"], expect=404)  # a driehoek member sees a case only through a task of theirs
    team.do(team.gemeente, case["id"], "triage", TRIAGE)
    task = burgemeester.task_for(case["id"], "consult_driehoek")
    assert task["candidate_groups"] == ["gemeente.burgemeester", "gemeente.oov"] and task["priority"] == 90
    assert burgemeester.case(case["id"])["id"] == case["id"]
    burgemeester.complete(task["id"], DRIEHOEK)
    assert "consult_driehoek" not in team.open_elements(case["id"])
    assert _elements(burgemeester, case["id"]) == set()  # the gemeente's own tasks are not the burgemeester's


def test_a_burgemeesters_case_is_routed_without_them_deciding_about_themselves(deploy_real, as_user):
    team = Team(as_user)
    burgemeester, loco, secretaris = as_user(BURGEMEESTER), as_user(LOCO), as_user(SECRETARIS)
    case = burgemeester.start(
        "threat_response",
        {
            "case_title": "Dreigbrief aan de burgemeester",
            "municipality_code": "GM0668",
            "office_holder_role": "burgemeester",
            "reporter_is_office_holder": True,
            "incident_category": "bedreiging",
            "incident_date": "2026-11-20",
            "channel": "brief",
            "incident_location": "woning",
            "home_address": "Dorpsstraat 1",
            "incident_description": "Brief aan huis.",
            "acute_danger": False,
            "suspect_known": False,
            "family_involved": False,
        },
    )
    data = team.variables(case["id"])
    assert (data["case_handler_group"], data["driehoek_consultation"], data["driehoek_member_group"]) == (
        "gemeente.secretaris",
        True,
        "gemeente.locoburgemeester",
    )
    secretaris.complete(secretaris.task_for(case["id"], "triage")["id"], TRIAGE)

    consult = loco.task_for(case["id"], "consult_driehoek")
    assert consult["candidate_groups"] == ["gemeente.locoburgemeester", "gemeente.oov"]
    assert "consult_driehoek" not in _elements(burgemeester, case["id"])
    burgemeester.complete(consult["id"], DRIEHOEK, expect=404)  # their case, but not a task of theirs
    loco.complete(consult["id"], DRIEHOEK)
    # the burgemeester's own choices are theirs (assigned personally); no decision task is
    assert _elements(burgemeester, case["id"]) == {"choose_filing_method", "ask_support_consent"}
    burgemeester.complete(
        burgemeester.task_for(case["id"], "choose_filing_method")["id"],
        {"filing_method": "alleen_melding", "no_aangifte_reason": "geen_strafbaar_feit"},
    )
    burgemeester.complete(
        burgemeester.task_for(case["id"], "ask_support_consent")["id"],
        {"support_numbers_given": True, "support_information_by": "ambtsdrager"},
    )
    team.do(team.politie, case["id"], "threat_assessment", assessment(measures=("camera", "persoonsbeveiliging")))
    assert _elements(burgemeester, case["id"]) == set()
    created = [e for e in team.admin.history(case["id"]) if e["event"] == "task.created"]
    for event in created:  # every task of the case: none for the burgemeester's driehoek role, none personal but theirs
        groups = event["details"]["candidate_groups"]
        assert "gemeente.burgemeester" not in groups, event["element_id"]


def test_the_hoofdofficier_decides_on_personal_protection(deploy_real, as_user):
    team = Team(as_user)
    hoofdofficier = as_user("hoofdofficier")
    case = team.start_threat()
    team.to_threat_assessment(case["id"])
    team.do(team.politie, case["id"], "threat_assessment", assessment(measures=("camera", "persoonsbeveiliging")))
    assert team.open_elements(case["id"]) == ["decide_personal_protection"]
    assert _elements(team.om, case["id"]) == set()  # the OM's hoofdofficier, not any OM user
    task = hoofdofficier.task_for(case["id"], "decide_personal_protection")
    assert task["candidate_groups"] == ["om.hoofdofficier"]
    seen = hoofdofficier.get(f"/api/v1/tasks/{task['id']}").get_json()["data"]
    assert seen["advised_measures"] == "***" and seen["incident_description"] == "***"  # need to know
    hoofdofficier.complete(
        task["id"],
        {
            "personal_protection_decision": "ingezet",
            "personal_protection_decided_on": "2026-11-26",
            "personal_protection_motivation": "Concrete dreiging tegen de persoon.",
        },
    )
    assert team.open_elements(case["id"]) == ["cost_decision"]
    assert team.gemeente.case(case["id"])["variables"]["personal_protection_decision"] == "ingezet"
    assert team.bzk.case(case["id"], expect=404)


def test_without_personal_protection_advised_no_hoofdofficier_task(deploy_real, as_user):
    team = Team(as_user)
    case = team.start_threat()
    team.to_threat_assessment(case["id"])
    team.do(team.politie, case["id"], "threat_assessment", assessment())
    assert team.open_elements(case["id"]) == ["cost_decision"]
    assert as_user("hoofdofficier").tasks() == []
