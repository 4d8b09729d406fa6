"""The financial safety net (vangnet) of BZK: the five conditions of the letter of 20 April 2016, each
decided by the decision table `vangnet_eligibility`, from the report to BZK's decision."""
import pytest

from tests.scenarios.flow import Team, assessment, cost_decision


def _to_vangnet(team, case, threat_level="concreet", measures=("alarm_opvolging", "camera"), costs=None):
    team.to_threat_assessment(case["id"])
    team.do(team.politie, case["id"], "threat_assessment", assessment(threat_level, measures))
    if measures:
        team.do(team.gemeente, case["id"], "cost_decision", costs or cost_decision())


def test_eligible_compensation_ends_granted(deploy_real, as_user):
    team = Team(as_user)
    case = team.start_threat()
    _to_vangnet(team, case)

    judge = team.bzk.task_for(case["id"], "judge_burden")
    detail = team.bzk.get(f"/api/v1/tasks/{judge['id']}").get_json()
    assert detail["data"]["cost_share_of_budget_pct"] == 0.04
    # the advised measures are a condition of the vangnet: BZK reads them (issue 21); the report is not its
    assert detail["data"]["advised_measures"] == ["alarm_opvolging", "camera"]
    assert detail["data"]["incident_description"] == "***" and detail["data"]["severity"] == "***"
    team.bzk.complete(judge["id"], {"burden_judgement": "onevenredig", "burden_motivation": "Klein budget, acuut."})

    team.do(team.gemeente, case["id"], "submit_application", {
        "requested_measures": [{"measure": "alarm_opvolging", "amount": 30_000}, {"measure": "camera", "amount": 18_000}],
        "measures_details": "Alarm met opvolging en camera's bij de woning.", "advice_reference": "ADV-2026-17",
        "municipal_budget": 120_000_000, "application_date": "2026-12-01"})
    team.do(team.bzk, case["id"], "decide_compensation", {
        "compensation_decision": "toegekend", "granted_amount": 48_000, "decision_date": "2026-12-10",
        "decision_reference": "BZK-2026-0042", "decision_motivation": "Alle voorwaarden vervuld."})
    team.do(team.gemeente, case["id"], "receive_decision", {"decision_received_on": "2026-12-11"})
    result = team.do(team.gemeente, case["id"], "close_case", {"closure_summary": "Maatregelen getroffen.",
                                                               "closed_on": "2026-12-12"})
    assert result["instance_status"] == "completed"

    data = team.variables(case["id"])
    assert data["compensation_eligible"] is True and data["reason"] is None
    assert data["compensation_requested"] is True
    assert data["compensation_decision"] == "toegekend" and data["granted_amount"] == 48_000
    assert data["requested_amount"] == 48_000 and data["compensation_granted"] is True


FAILING = {
    "threat_concrete_or_conceivable": dict(threat_level="geen"),
    "measures_advised": dict(measures=()),
    "exceeds_pkvw": dict(measures=("pkvw_basis",)),
    "costs_borne_by_municipality": dict(costs=cost_decision(costs_borne_by="ambtsdrager")),
}


@pytest.mark.parametrize("condition", sorted(FAILING))
def test_a_failing_condition_ends_without_a_bzk_request(deploy_real, as_user, condition):
    team = Team(as_user)
    case = team.start_threat()
    _to_vangnet(team, case, **FAILING[condition])

    assert team.open_elements(case["id"]) == ["close_case"]
    data = team.variables(case["id"])
    assert data["compensation_eligible"] is False
    assert data["reason"] == condition
    assert data["vangnet_rejection_reason"] == condition
    assert data["compensation_requested"] is False
    assert team.bzk.tasks() == []
    team.bzk.case(case["id"], expect=404)  # BZK never had a task in this case
    created = {e["element_id"] for e in team.admin.history(case["id"]) if e["event"] == "task.created"}
    assert not created & {"judge_burden", "submit_application", "decide_compensation"}


def test_no_disproportionate_burden_ends_without_a_bzk_request(deploy_real, as_user):
    team = Team(as_user)
    case = team.start_threat()
    _to_vangnet(team, case)
    team.do(team.bzk, case["id"], "judge_burden", {"burden_judgement": "niet_onevenredig",
                                                   "burden_motivation": "0,04% van de begroting."})

    assert team.open_elements(case["id"]) == ["close_case"]
    data = team.variables(case["id"])
    assert (data["compensation_eligible"], data["reason"]) == (False, "disproportionate_burden")
    assert data["compensation_requested"] is False and data["burden_judged"] is True
    created = {e["element_id"] for e in team.admin.history(case["id"]) if e["event"] == "task.created"}
    assert "judge_burden" in created
    assert not created & {"submit_application", "decide_compensation"}


def test_bzk_decision_by_message_with_a_partial_grant(deploy_real, as_user):
    team = Team(as_user)
    case = team.start_threat()
    _to_vangnet(team, case)
    team.do(team.bzk, case["id"], "judge_burden", {"burden_judgement": "onevenredig", "burden_motivation": "Ja."})
    team.do(team.gemeente, case["id"], "submit_application", {
        "requested_measures": [{"measure": "alarm_opvolging", "amount": 30_000}], "advice_reference": "ADV-1",
        "municipal_budget": 9_000_000, "application_date": "2026-12-01"})

    incomplete = team.message("bzk_besluit_tegemoetkoming", case["business_key"], {"granted_amount": 10}, user=team.bzk)
    assert incomplete["delivered_to"] == [case["id"]]
    assert team.open_elements(case["id"]) == ["decide_compensation"]  # back to BZK: the message named no decision
    team.message("bzk_besluit_tegemoetkoming", case["business_key"], {"compensation_decision": "toegekend"}, user=team.bzk)
    assert team.open_elements(case["id"]) == ["decide_compensation"]  # a grant without its amount: back to BZK

    team.message("bzk_besluit_tegemoetkoming", case["business_key"], {
        "compensation_decision": "gedeeltelijk", "granted_amount": 20_000, "decision_date": "2026-12-20",
        "decision_reference": "BZK-2026-7", "decision_motivation": "Camera niet noodzakelijk."}, user=team.bzk)
    assert team.open_elements(case["id"]) == ["receive_decision"]
    data = team.variables(case["id"])
    assert (data["compensation_decision"], data["granted_amount"]) == ("gedeeltelijk", 20_000)
    assert data["compensation_granted"] is True


def test_threat_assessment_by_message_and_what_bzk_may_read(deploy_real, as_user):
    team = Team(as_user)
    case = team.start_threat(family_involved=True, family_details="Partner en twee kinderen")
    team.to_threat_assessment(case["id"])
    # A police message without a threat level is not enough: the manual task reopens.
    team.message("dreigingsinschatting_gereed", case["business_key"], {
        "measures_advised": True, "threat_product": "geruchten", "advice_authority": "de buurman"}, user=team.politie)
    assert team.open_elements(case["id"]) == ["threat_assessment"]
    copied = team.politie.case(case["id"])["variables"]
    assert copied["threat_product"] is None and copied["advice_authority"] is None  # unknown values are not copied
    team.message("dreigingsinschatting_gereed", case["business_key"], {
        "threat_product": "dreigingsinschatting", "threat_level": "voorstelbaar", "measures_advised": True,
        "advised_measures": ["alarm_opvolging", "kluis", "not-a-measure"], "advice_authority": "burgemeester",
        "advice_reference": "ADV-9", "assessment_date": "2026-11-30"}, user=team.politie)
    team.do(team.gemeente, case["id"], "cost_decision", cost_decision())

    task = team.bzk.task_for(case["id"], "judge_burden")
    seen = team.bzk.get(f"/api/v1/tasks/{task['id']}").get_json()["data"]
    assert seen["advised_measures"] == ["alarm_opvolging", "kluis"] and seen["advice_authority"] == "burgemeester"
    assert seen["family_details"] == "***" and seen["family_involved"] == "***"  # the report is not BZK's
    assert "threat_assessment_message" not in seen  # the raw message does not linger beside the masked fields
    # Derived from the advised measures and declared `sensitive_variables`: only the sensitive readers read it.
    assert seen["exceeds_pkvw"] == "***" and seen["threat_concrete_or_conceivable"] is True
    police_view = team.politie.case(case["id"])["variables"]
    assert police_view["advised_measures"] == ["alarm_opvolging", "kluis"]  # unknown measures are dropped
