"""The financial safety net (vangnet) of BZK as the letter of 20 April 2016 has it: the gemeente applies once,
BZK decides once, with its judgement of the burden on the municipal budget in that decision; the decision table
`vangnet_eligibility` holds the letter's circumstances, each column with the sentence it comes from."""

import io

import pytest

from tests.web.conftest import WebClient
from tests.scenarios.flow import APPLY, NOT_APPLY, Team, assessment, cost_decision

APPLICATION = {
    "requested_measures": [{"measure": "alarm_opvolging", "amount": 30_000}, {"measure": "camera", "amount": 18_000}],
    "measures_details": "Alarm met opvolging en camera's bij de woning.",
    "advice_reference": "ADV-2026-17",
    "application_date": "2026-12-01",
}
GRANT = {
    "measures_match_advice": "ja",
    "acute_and_serious_threat": "ja",
    "burden_judgement": "onevenredig",
    "compensation_decision": "toegekend",
    "granted_amount": 48_000,
    "decision_date": "2026-12-10",
    "decision_reference": "BZK-2026-0042",
    "decision_motivation": "Acute dreiging; 0,04% van een kleine begroting is hier onevenredig.",
}


def _to_vangnet(team, case, threat_level="concreet", measures=("alarm_opvolging", "camera"), costs=None, apply=True):
    team.to_threat_assessment(case["id"])
    team.do(team.politie, case["id"], "threat_assessment", assessment(threat_level, measures))
    if measures:
        team.do(team.gemeente, case["id"], "cost_decision", costs or cost_decision())
        if apply:
            team.do(team.gemeente, case["id"], "decide_vangnet_follow_up", APPLY)


def _created(team, case):
    return {e["element_id"] for e in team.admin.history(case["id"]) if e["event"] == "task.created"}


def test_one_application_and_one_reasoned_bzk_decision_end_granted(deploy_real, as_user):
    team = Team(as_user)
    case = team.start_threat()
    _to_vangnet(team, case)
    assert team.bzk.tasks() == []  # BZK judges nothing before there is an application
    application = team.gemeente.task_for(case["id"], "submit_application")
    assert "municipal_budget" not in {
        c.get("key") for c in team.gemeente.get(f"/api/v1/tasks/{application['id']}").get_json()["form"]["components"]
    }  # asked once: in the cost decision
    team.gemeente.complete(application["id"], APPLICATION)

    decide = team.bzk.task_for(case["id"], "decide_compensation")
    detail = team.bzk.get(f"/api/v1/tasks/{decide['id']}").get_json()
    assert detail["data"]["cost_share_of_budget_pct"] == 0.04 and detail["data"]["application_cost_share_pct"] == 0.04
    # the advised measures are a circumstance of the vangnet: BZK reads them (issue 21); the report is not its
    assert detail["data"]["advised_measures"] == ["alarm_opvolging", "camera"]
    assert detail["data"]["incident_description"] == "***" and detail["data"]["severity"] == "***"
    # the burden and the acute and serious threat are part of the one decision
    missing = team.bzk.complete(
        decide["id"],
        {k: v for k, v in GRANT.items() if k not in ("burden_judgement", "acute_and_serious_threat")},
        expect=422,
    )
    assert sorted(missing["errors"]) == ["acute_and_serious_threat", "burden_judgement"]
    team.bzk.complete(decide["id"], GRANT)
    team.do(team.gemeente, case["id"], "receive_decision", {"decision_received_on": "2026-12-11"})
    team.do(
        team.gemeente, case["id"], "declare_costs", {"declaration_period_end": "2026-12-20", "declared_amount": 48_000}
    )
    team.do(
        team.bzk,
        case["id"],
        "pay_declaration",
        {"payment_date": "2027-01-08", "payment_amount": 48_000, "payment_reference": "BZK-BET-1"},
    )
    result = team.do(
        team.gemeente,
        case["id"],
        "close_case",
        {"closure_summary": "Maatregelen getroffen.", "closed_on": "2026-12-12"},
    )
    assert result["instance_status"] == "completed"

    data = team.variables(case["id"])
    assert data["compensation_eligible"] is True and data["reason"] is None
    assert data["disproportionate_burden"] is True and data["burden_judged"] is True
    assert data["acute_and_serious_threat"] == "ja"
    assert data["compensation_requested"] is True and data["measures_already_taken"] is False
    assert data["compensation_decision"] == "toegekend" and data["granted_amount"] == 48_000
    assert data["requested_amount"] == 48_000 and data["compensation_granted"] is True
    assert not _created(team, case) & {"judge_burden"}


FAILING = {
    "office_holder_role": dict(start=dict(office_holder_role="commissielid")),
    "measures_advised": dict(measures=()),
    "exceeds_pkvw": dict(measures=("pkvw_basis",)),
    "costs_borne_by_municipality": dict(costs=cost_decision(costs_borne_by="ambtsdrager")),
}


WORDS = {
    "office_holder_role": "een commissielid valt erbuiten",
    "exceeds_pkvw": "niet boven het niveau van het Politie Keurmerk Veilig Wonen",
    "costs_borne_by_municipality": "niet voor rekening van de gemeente als werkgever",
}


@pytest.mark.parametrize("condition", sorted(FAILING))
def test_a_circumstance_not_holding_is_told_in_words_and_the_gemeente_need_not_apply(
    app, deploy_real, as_user, condition
):
    team = Team(as_user)
    spec = dict(FAILING[condition])
    case = team.start_threat(**spec.pop("start", {}))
    _to_vangnet(team, case, apply=False, **spec)

    if condition == "measures_advised":  # nothing advised, nothing to pay for: no question to the gemeente
        assert team.open_elements(case["id"]) == ["close_case"]
    else:
        task = team.gemeente.task_for(case["id"], "decide_vangnet_follow_up")
        detail = team.gemeente.get(f"/api/v1/tasks/{task['id']}").get_json()
        assert WORDS[condition] in detail["data"]["reason_text"]
        page = WebClient(app).sign_in("gemeente.westbetuwe").get(f"/cases/{case['id']}").get_data(as_text=True)
        assert WORDS[condition] in page  # the case page says it too, not only the key
        team.gemeente.complete(task["id"], NOT_APPLY)
        assert team.open_elements(case["id"]) == ["close_case"]
    data = team.variables(case["id"])
    assert data["compensation_eligible"] is False
    assert data["reason"] == condition
    assert data["vangnet_rejection_reason"] == condition
    assert data["compensation_requested"] is False
    assert team.bzk.tasks() == []
    team.bzk.case(case["id"], expect=404)  # BZK never had a task in this case
    assert not _created(team, case) & {"submit_application", "decide_compensation"}


def test_told_why_the_vangnet_does_not_apply_the_gemeente_still_asks_bzk_which_refuses_with_reasons(
    deploy_real, as_user
):
    team = Team(as_user)
    case = team.start_threat()
    _to_vangnet(team, case, costs=cost_decision(costs_borne_by="ambtsdrager"), apply=False)
    team.do(
        team.gemeente,
        case["id"],
        "decide_vangnet_follow_up",
        dict(APPLY, vangnet_follow_up_note="De ambtsdrager kan dit niet dragen; wij vragen BZK."),
    )
    team.do(team.gemeente, case["id"], "submit_application", APPLICATION)

    decide = team.bzk.task_for(case["id"], "decide_compensation")
    detail = team.bzk.get(f"/api/v1/tasks/{decide['id']}").get_json()
    assert WORDS["costs_borne_by_municipality"] in detail["data"]["reason_text"]  # BZK reads the outcome in words
    # outside the letter's circumstances a grant does not fit: the task opens again
    team.bzk.complete(decide["id"], GRANT)
    assert team.open_elements(case["id"]) == ["decide_compensation"]
    team.do(
        team.bzk,
        case["id"],
        "decide_compensation",
        dict(
            GRANT,
            compensation_decision="afgewezen",
            decision_reference="BZK-2026-0050",
            decision_motivation="De kosten komen niet voor rekening van de gemeente als werkgever; het vangnet is daarvoor niet bedoeld.",
        ),
    )
    assert team.open_elements(case["id"]) == ["receive_decision"]
    data = team.variables(case["id"])
    assert data["compensation_requested"] is True and data["vangnet_follow_up"] == "aanvragen"
    assert (data["compensation_decision"], data["compensation_granted"]) == ("afgewezen", False)
    assert (data["compensation_eligible"], data["reason"]) == (False, "costs_borne_by_municipality")
    assert data["decision_motivation"].startswith("De kosten komen niet")
    assert data["decision_reference"] == "BZK-2026-0050"


def test_a_gemeente_that_decides_not_to_apply_closes(deploy_real, as_user):
    team = Team(as_user)
    case = team.start_threat()
    _to_vangnet(team, case, apply=False)
    task = team.gemeente.task_for(case["id"], "decide_vangnet_follow_up")
    assert (
        "een aanvraag is mogelijk" in team.gemeente.get(f"/api/v1/tasks/{task['id']}").get_json()["data"]["reason_text"]
    )
    team.gemeente.complete(task["id"], NOT_APPLY)
    assert team.open_elements(case["id"]) == ["close_case"]
    result = team.do(
        team.gemeente,
        case["id"],
        "close_case",
        {"closure_summary": "Kosten door de gemeente gedragen.", "closed_on": "2026-12-12"},
    )
    assert result["instance_status"] == "completed"
    data = team.variables(case["id"])
    assert data["compensation_requested"] is False and data["vangnet_follow_up"] == "niet_aanvragen"
    assert data["compensation_eligible"] is None  # the table did not say no: the gemeente chose
    assert not _created(team, case) & {"submit_application", "decide_compensation"}


def test_bzk_compares_requested_with_advised_measures(deploy_real, as_user):
    team = Team(as_user)
    case = team.start_threat()
    _to_vangnet(team, case)
    team.do(
        team.gemeente,
        case["id"],
        "submit_application",
        dict(
            APPLICATION,
            requested_measures=[
                {"measure": "alarm_opvolging", "amount": 30_000},
                {"measure": "kluis", "amount": 2_000},
            ],
        ),
    )
    decide = team.bzk.task_for(case["id"], "decide_compensation")
    detail = team.bzk.get(f"/api/v1/tasks/{decide['id']}").get_json()
    assert detail["data"]["advised_measures"] == ["alarm_opvolging", "camera"]
    assert detail["data"]["advice_authority"] == "burgemeester"
    assert detail["data"]["requested_measure_list"] == "alarm_opvolging, kluis"
    without = {k: v for k, v in GRANT.items() if k != "measures_match_advice"}
    assert list(team.bzk.complete(decide["id"], without, expect=422)["errors"]) == ["measures_match_advice"]
    team.bzk.complete(
        decide["id"],
        dict(
            GRANT,
            measures_match_advice="deels",
            compensation_decision="gedeeltelijk",
            granted_amount=30_000,
            decision_motivation="De kluis is niet geadviseerd.",
        ),
    )
    assert team.variables(case["id"])["measures_match_advice"] == "deels"
    for user in (team.ivp, team.om):  # neither reads the advised measures (nor sees this case at all)
        user.case(case["id"], expect=404)


def test_no_concrete_or_conceivable_threat_is_a_principle_not_a_condition(deploy_real, as_user):
    """'Wanneer er sprake is van een concrete of voorstelbare dreiging blijven de persoon en de werkgever zelf in
    eerste instantie verantwoordelijk': the sentence says who is responsible first, it does not exclude the
    vangnet. Measures advised at threat level "geen" (rare) still let the gemeente apply."""
    team = Team(as_user)
    case = team.start_threat()
    _to_vangnet(team, case, threat_level="geen", apply=False)
    assert team.open_elements(case["id"]) == ["decide_vangnet_follow_up"]
    assert team.variables(case["id"])["threat_concrete_or_conceivable"] is False


def test_bzk_refuses_in_one_decision_for_a_proportionate_burden(deploy_real, as_user):
    team = Team(as_user)
    case = team.start_threat()
    _to_vangnet(team, case)
    team.do(team.gemeente, case["id"], "submit_application", APPLICATION)
    decide = team.bzk.task_for(case["id"], "decide_compensation")
    # a grant while judging the burden proportionate does not fit the letter: the task opens again
    team.bzk.complete(decide["id"], dict(GRANT, burden_judgement="niet_onevenredig"))
    assert team.open_elements(case["id"]) == ["decide_compensation"]
    team.do(
        team.bzk,
        case["id"],
        "decide_compensation",
        dict(
            GRANT,
            burden_judgement="niet_onevenredig",
            acute_and_serious_threat="nee",
            compensation_decision="afgewezen",
            decision_motivation="0,04% van de begroting: de gemeente kan dit dragen.",
        ),
    )

    assert team.open_elements(case["id"]) == ["receive_decision"]
    data = team.variables(case["id"])
    assert (data["compensation_eligible"], data["reason"]) == (False, "disproportionate_burden")
    assert data["compensation_requested"] is True and data["burden_judged"] is True
    assert (data["compensation_decision"], data["granted_amount"], data["compensation_granted"]) == (
        "afgewezen",
        0,
        False,
    )
    assert data["decision_motivation"].startswith("0,04%")  # BZK's own reasons, not a generated text
    assert _created(team, case) & {"submit_application", "decide_compensation"} == {
        "submit_application",
        "decide_compensation",
    }


def test_an_application_for_measures_already_taken(deploy_real, as_user):
    team = Team(as_user)
    case = team.start_threat(acute_danger=True, emergency_number_called=True)
    team.do(
        team.politie,
        case["id"],
        "acute_police_response",
        {"acute_contact_at": "2026-11-20T21:10", "acute_measures": ["extra_surveillance"]},
    )
    _to_vangnet(team, case)
    taken = dict(APPLICATION, measures_already_taken=True)
    missing = team.do(team.gemeente, case["id"], "submit_application", taken, expect=422)
    assert sorted(missing["errors"]) == ["measures_taken_on", "urgency_reason"]
    team.do(
        team.gemeente,
        case["id"],
        "submit_application",
        dict(
            taken,
            measures_taken_on="2026-11-21",
            urgency_reason="Alarm dezelfde nacht geplaatst op advies van de politie.",
        ),
    )
    team.do(team.bzk, case["id"], "decide_compensation", GRANT)
    data = team.variables(case["id"])
    assert data["measures_already_taken"] is True and data["measures_taken_on"] == "2026-11-21"
    assert data["compensation_granted"] is True


def test_bzk_decision_by_message_with_a_partial_grant(deploy_real, as_user):
    team = Team(as_user)
    case = team.start_threat()
    _to_vangnet(team, case)
    team.do(
        team.gemeente,
        case["id"],
        "submit_application",
        {
            "requested_measures": [{"measure": "alarm_opvolging", "amount": 30_000}],
            "advice_reference": "ADV-1",
            "application_date": "2026-12-01",
        },
    )

    incomplete = team.message("bzk_besluit_tegemoetkoming", case["business_key"], {"granted_amount": 10}, user=team.bzk)
    assert incomplete["delivered_to"] == [case["id"]]
    assert team.open_elements(case["id"]) == ["decide_compensation"]  # back to BZK: the message named no decision
    team.message(
        "bzk_besluit_tegemoetkoming", case["business_key"], {"compensation_decision": "toegekend"}, user=team.bzk
    )
    assert team.open_elements(case["id"]) == ["decide_compensation"]  # a grant without its amount: back to BZK

    # a grant without the burden judgement (senders of the first contract) counts as "onevenredig"
    team.message(
        "bzk_besluit_tegemoetkoming",
        case["business_key"],
        {
            "compensation_decision": "gedeeltelijk",
            "granted_amount": 20_000,
            "decision_date": "2026-12-20",
            "decision_reference": "BZK-2026-7",
            "decision_motivation": "Camera niet noodzakelijk.",
        },
        user=team.bzk,
    )
    assert team.open_elements(case["id"]) == ["receive_decision"]
    data = team.variables(case["id"])
    assert (data["compensation_decision"], data["granted_amount"]) == ("gedeeltelijk", 20_000)
    assert data["compensation_granted"] is True and data["burden_judgement"] == "onevenredig"
    assert data["acute_and_serious_threat"] is None


def test_a_refusal_by_message_with_the_judgements(deploy_real, as_user):
    team = Team(as_user)
    case = team.start_threat()
    _to_vangnet(team, case)
    team.do(team.gemeente, case["id"], "submit_application", APPLICATION)
    team.message(
        "bzk_besluit_tegemoetkoming",
        case["business_key"],
        {
            "compensation_decision": "afgewezen",
            "burden_judgement": "niet_onevenredig",
            "acute_and_serious_threat": "nee",
            "decision_date": "2026-12-20",
            "decision_reference": "BZK-2026-8",
            "decision_motivation": "Draagbaar.",
        },
        user=team.bzk,
    )
    data = team.variables(case["id"])
    assert (data["compensation_eligible"], data["reason"], data["acute_and_serious_threat"]) == (
        False,
        "disproportionate_burden",
        "nee",
    )


def test_threat_assessment_by_message_and_what_bzk_may_read(deploy_real, as_user):
    team = Team(as_user)
    case = team.start_threat(family_involved=True, family_details="Partner en twee kinderen")
    team.to_threat_assessment(case["id"])
    # A police message without a threat level is not enough: the manual task reopens.
    team.message(
        "dreigingsinschatting_gereed",
        case["business_key"],
        {"measures_advised": True, "threat_product": "geruchten", "advice_authority": "de buurman"},
        user=team.politie,
    )
    assert team.open_elements(case["id"]) == ["threat_assessment"]
    copied = team.politie.case(case["id"])["variables"]
    assert copied["threat_product"] is None and copied["advice_authority"] is None  # unknown values are not copied
    team.message(
        "dreigingsinschatting_gereed",
        case["business_key"],
        {
            "threat_product": "dreigingsinschatting",
            "threat_level": "voorstelbaar",
            "measures_advised": True,
            "advised_measures": ["alarm_opvolging", "kluis", "not-a-measure"],
            "advice_authority": "burgemeester",
            "advice_reference": "ADV-9",
            "assessment_date": "2026-11-30",
        },
        user=team.politie,
    )
    team.do(team.gemeente, case["id"], "cost_decision", cost_decision())
    team.apply(case["id"])
    team.do(team.gemeente, case["id"], "submit_application", APPLICATION)

    task = team.bzk.task_for(case["id"], "decide_compensation")
    seen = team.bzk.get(f"/api/v1/tasks/{task['id']}").get_json()["data"]
    assert seen["advised_measures"] == ["alarm_opvolging", "kluis"] and seen["advice_authority"] == "burgemeester"
    assert seen["family_details"] == "***" and seen["family_involved"] == "***"  # the report is not BZK's
    assert "threat_assessment_message" not in seen  # the raw message does not linger beside the masked fields
    # Derived from the advised measures and declared `sensitive_variables`: only the sensitive readers read it.
    assert seen["exceeds_pkvw"] == "***" and seen["threat_concrete_or_conceivable"] is True
    police_view = team.politie.case(case["id"])["variables"]
    assert police_view["advised_measures"] == ["alarm_opvolging", "kluis"]  # unknown measures are dropped


# --- after a grant: the actual costs with their invoices, the settlement against the grant, the payment ------

INVOICE = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _invoice(team, case_id, title):
    response = team.gemeente.post(
        f"/api/v1/process-instances/{case_id}/documents",
        data={"file": (io.BytesIO(INVOICE), "factuur.pdf"), "category": "kosten", "title": title},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _granted(team, case, grant=GRANT, application=APPLICATION):
    _to_vangnet(team, case)
    team.do(team.gemeente, case["id"], "submit_application", application)
    team.do(team.bzk, case["id"], "decide_compensation", grant)
    team.do(team.gemeente, case["id"], "receive_decision", {"decision_received_on": "2026-12-11"})


def test_a_grant_then_invoices_settlement_and_payment(app, deploy_real, as_user):
    team = Team(as_user)
    case = team.start_threat()
    _granted(team, case)
    assert team.open_elements(case["id"]) == ["declare_costs"]
    invoice = _invoice(team, case["id"], "Factuur alarm en camera's")
    team.do(
        team.gemeente,
        case["id"],
        "declare_costs",
        {"declaration_period_end": "2026-12-20", "declared_amount": 45_250.5, "declaration_invoices": [invoice]},
    )
    pay = team.bzk.task_for(case["id"], "pay_declaration")
    assert team.bzk.get(f"/api/v1/tasks/{pay['id']}").get_json()["data"]["payable_amount"] == 45_250.5
    assert [d["id"] for d in team.bzk.get(f"/api/v1/process-instances/{case['id']}/documents").get_json()] == [invoice]
    before = team.variables(case["id"])
    too_much = team.bzk.complete(
        pay["id"],
        {"payment_date": "2027-01-08", "payment_amount": 45_250.51, "payment_reference": "BZK-BET-2027-0003"},
        expect=422,
    )
    assert list(too_much["errors"]) == ["payment_amount"] and "betaalbaar" in too_much["errors"]["payment_amount"][0]
    assert team.variables(case["id"]) == before and team.open_elements(case["id"]) == ["pay_declaration"]
    team.bzk.complete(
        pay["id"], {"payment_date": "2027-01-08", "payment_amount": 45_250.5, "payment_reference": "BZK-BET-2027-0003"}
    )
    assert team.open_elements(case["id"]) == ["close_case"]
    data = team.variables(case["id"])
    assert (data["paid_amount"], data["unspent_grant"], data["periods_declared"]) == (45_250.5, 2_749.5, 1)
    assert data["payments"] == [{"date": "2027-01-08", "amount": 45_250.5, "reference": "BZK-BET-2027-0003"}]
    assert data["declarations"][0]["invoices"] == [invoice]
    with app.app_context():
        from engine.db.extensions import db
        from engine.reporting.models import CaseFigures

        row = db.session.query(CaseFigures).filter_by(instance_id=case["id"]).one()
        assert (row.granted_amount, row.paid_amount) == (48_000, 45_250.5)
        db.session.remove()


def test_recurring_guarding_costs_over_three_periods(deploy_real, as_user):
    team = Team(as_user)
    case = team.start_threat()
    team.to_threat_assessment(case["id"])
    team.do(team.politie, case["id"], "threat_assessment", assessment(measures=("objectbewaking",)))
    team.do(team.gemeente, case["id"], "cost_decision", cost_decision(estimated_costs=60_000))
    team.apply(case["id"])
    team.do(
        team.gemeente,
        case["id"],
        "submit_application",
        dict(APPLICATION, requested_measures=[{"measure": "objectbewaking", "amount": 60_000}]),
    )
    team.do(team.bzk, case["id"], "decide_compensation", dict(GRANT, granted_amount=50_000))
    team.do(team.gemeente, case["id"], "receive_decision", {"decision_received_on": "2026-12-11"})
    periods = [
        ("2027-01-31", 20_000, True, 20_000),
        ("2027-02-28", 20_000, True, 20_000),
        ("2027-03-15", 15_000, False, 10_000),
    ]  # the last period goes beyond what is left of the grant
    for number, (end, declared, continues, payable) in enumerate(periods, start=1):
        team.do(
            team.gemeente,
            case["id"],
            "declare_costs",
            {
                "declaration_period_end": end,
                "declared_amount": declared,
                "costs_continue": continues,
                "declaration_invoices": [_invoice(team, case["id"], f"Bewaking periode {number}")],
            },
        )
        pay = team.bzk.task_for(case["id"], "pay_declaration")
        assert team.bzk.get(f"/api/v1/tasks/{pay['id']}").get_json()["data"]["payable_amount"] == payable
        team.bzk.complete(
            pay["id"], {"payment_date": end, "payment_amount": payable, "payment_reference": f"BZK-BET-{number}"}
        )
        assert team.open_elements(case["id"]) == (["declare_costs"] if continues else ["close_case"])
    data = team.variables(case["id"])
    assert (data["paid_amount"], data["declared_total"], data["unspent_grant"]) == (50_000, 55_000, 0)
    assert [p["reference"] for p in data["payments"]] == ["BZK-BET-1", "BZK-BET-2", "BZK-BET-3"]
    assert [d["continues"] for d in data["declarations"]] == [True, True, False]


def test_no_settlement_after_a_refusal(deploy_real, as_user):
    team = Team(as_user)
    case = team.start_threat()
    _granted(team, case, grant=dict(GRANT, compensation_decision="afgewezen", burden_judgement="niet_onevenredig"))
    assert team.open_elements(case["id"]) == ["close_case"]
    assert "paid_amount" not in team.variables(case["id"])


# --- the objection: received and decided by BZK -----------------------------------------------------------

REFUSAL = dict(
    GRANT,
    compensation_decision="afgewezen",
    burden_judgement="niet_onevenredig",
    decision_motivation="De gemeente kan dit dragen.",
)
OBJECTION = {
    "decision_received_on": "2026-12-11",
    "objection_lodged": True,
    "objection_lodged_on": "2027-01-10",
    "objection_grounds": "De begroting is krap; de kosten verdringen andere taken.",
}


def test_an_objection_upheld_leads_to_a_new_decision(deploy_real, as_user):
    team = Team(as_user)
    case = team.start_threat()
    _to_vangnet(team, case)
    team.do(team.gemeente, case["id"], "submit_application", APPLICATION)
    team.do(team.bzk, case["id"], "decide_compensation", REFUSAL)
    missing = team.do(team.gemeente, case["id"], "receive_decision", dict(OBJECTION, objection_grounds=""), expect=422)
    assert list(missing["errors"]) == ["objection_grounds"]
    team.do(team.gemeente, case["id"], "receive_decision", OBJECTION)
    objection = team.bzk.task_for(case["id"], "decide_objection")
    assert (
        team.bzk.get(f"/api/v1/tasks/{objection['id']}")
        .get_json()["data"]["objection_grounds"]
        .startswith("De begroting")
    )
    team.bzk.complete(
        objection["id"],
        {
            "objection_received_on": "2027-01-11",
            "objection_decision": "gegrond",
            "objection_decision_date": "2027-02-20",
            "objection_motivation": "Het beslag is bij nader inzien onevenredig.",
        },
    )
    assert team.open_elements(case["id"]) == ["decide_compensation"]  # a new decision on the application
    team.do(team.bzk, case["id"], "decide_compensation", dict(GRANT, decision_reference="BZK-2027-0007"))
    team.do(team.gemeente, case["id"], "receive_decision", {"decision_received_on": "2027-02-22"})
    assert team.open_elements(case["id"]) == ["declare_costs"]  # no second objection: the court is next
    data = team.variables(case["id"])
    assert (data["objection_decision"], data["objection_decided"], data["compensation_decision"]) == (
        "gegrond",
        True,
        "toegekend",
    )


def test_an_objection_rejected_ends_the_application(deploy_real, as_user):
    team = Team(as_user)
    case = team.start_threat()
    _to_vangnet(team, case)
    team.do(team.gemeente, case["id"], "submit_application", APPLICATION)
    team.do(team.bzk, case["id"], "decide_compensation", REFUSAL)
    team.do(team.gemeente, case["id"], "receive_decision", OBJECTION)
    team.do(
        team.bzk,
        case["id"],
        "decide_objection",
        {
            "objection_received_on": "2027-01-11",
            "objection_decision": "ongegrond",
            "objection_decision_date": "2027-02-20",
            "objection_motivation": "Het besluit blijft in stand.",
        },
    )
    assert team.open_elements(case["id"]) == ["close_case"]
    data = team.variables(case["id"])
    assert (data["objection_decision"], data["compensation_granted"]) == ("ongegrond", False)
