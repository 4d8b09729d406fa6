"""The IVP opens its own case from its intake (`ivp` `aanmelding.ontvangen`), signed like every source: a family
member referred, no municipality, and the first contact confirmed later on that case's business key."""


def _intake(**overrides) -> dict:
    data = {"voor_wie": "kind", "ambt": "burgemeester", "acuut": True, "telefoon": "06 98765432"}
    data.update(overrides)
    return data


def test_the_ivp_intake_opens_the_ivps_own_case_for_a_family_member(deploy_real, sender, as_user):
    answer = sender.post("ivp", "aanmelding.ontvangen", _intake())
    assert answer.status_code == 202, answer.get_json()
    body = answer.get_json()
    key, case_id = body["business_key"], body["case_id"]
    ivp = as_user("ivp")
    case = ivp.case(case_id)
    assert case["municipality_code"] is None and case["process_id"] == "ivp_support"
    data = case["variables"]
    assert (data["referred_person"], data["referral_source"], data["ivp_priority"]) == ("kind", "ivp_intake", "acuut")
    assert data["contact_phone"] == "06 98765432"  # sensitive: read by the IVP, never sent on
    ivp.task_for(case_id, "confirm_first_contact")
    for outsider in ("gemeente.westbetuwe", "bzk", "om", "politie"):
        as_user(outsider).case(case_id, expect=404)

    confirmed = sender.post(
        "ivp",
        "contact.bevestigd",
        {"zaakreferentie": key, "eerste_contact_op": "2026-12-07T10:00:00+01:00", "kanaal": "telefoon"},
    )
    assert confirmed.status_code == 202, confirmed.get_json()
    assert ivp.case(case_id)["variables"]["contact_channel"] == "telefoon"


def test_an_intake_outside_the_schema_is_refused_and_starts_nothing(deploy_real, sender, as_user):
    # a field the IVP must not send (health data has no place here), and a role outside the IVP's scope
    for data in (_intake(diagnose="x"), _intake(ambt="commissielid")):
        refused = sender.post("ivp", "aanmelding.ontvangen", data)
        assert refused.status_code == 422, refused.get_json()
    assert (
        as_user("beheerder")
        .get("/api/v1/process-instances", query_string={"process_id": "ivp_support"})
        .get_json()["total"]
        == 0
    )
