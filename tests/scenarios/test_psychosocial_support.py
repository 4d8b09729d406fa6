"""Psychosocial support: no referral without consent; with consent the IVP confirms first contact within
the hour (or the gemeente escalates), then check-ins follow. Only consent and contact facts are stored."""
from datetime import datetime, timedelta, timezone

from tests.scenarios.flow import Team, after, fire_due_timers

CONSENT = {"consent_ivp": "ja", "consent_vertrouwenslijn": "nee", "contact_phone": "06 12345678",
           "consent_recorded_by": "gemeente"}


def _as_ivp(team, case_id) -> dict:
    """The case as the IVP reads it: the support's fields are for the IVP, the person and (some) the gemeente."""
    return team.ivp.case(case_id)["variables"]


def _to_consent(team):
    case = team.start_threat(acute_danger=True)
    team.do(team.politie, case["id"], "acute_police_response",
            {"acute_contact_at": "2026-11-28T15:00", "acute_measures": ["geen"]})
    team.through_triage(case["id"])
    return case


def test_no_consent_means_no_referral(deploy_real, as_user):
    team = Team(as_user)
    case = _to_consent(team)
    team.no_support(case["id"])
    data = team.variables(case["id"])
    assert data["ivp_referred"] is False and data["support_status"] == "geen_doorverwijzing"
    assert "ivp_referred_at" not in data
    assert team.ivp.tasks() == []
    team.ivp.case(case["id"], expect=404)  # the IVP never learns of the case
    created = {e["element_id"] for e in team.admin.history(case["id"]) if e["event"] == "task.created"}
    assert "confirm_first_contact" not in created


def test_consent_and_first_contact_in_time_then_check_ins(app, deploy_real, as_user):
    team = Team(as_user)
    case = _to_consent(team)
    team.do(team.gemeente, case["id"], "ask_support_consent", CONSENT)
    task = team.ivp.task_for(case["id"], "confirm_first_contact")
    data = _as_ivp(team, case["id"])
    referred = datetime.fromisoformat(data["ivp_referred_at"])
    assert datetime.fromisoformat(task["due_at"]) == (referred + timedelta(hours=1)).astimezone(timezone.utc)

    contact = (referred + timedelta(minutes=25)).isoformat(timespec="minutes")
    team.ivp.complete(task["id"], {"ivp_first_contact_at": contact, "contact_channel": "telefoon"})
    data = _as_ivp(team, case["id"])
    assert data["ivp_first_contact_in_time"] is True
    assert "escalate_no_contact" not in team.open_elements(case["id"])
    assert datetime.fromisoformat(data["next_checkin_at"]) == datetime.fromisoformat(contact) + timedelta(days=1)

    # The escalation timer was cancelled with the task: one hour later nothing happens.
    assert fire_due_timers(app, case["id"], referred + timedelta(hours=2)) is None
    fire_due_timers(app, case["id"], after(data["next_checkin_at"], seconds=1))
    team.do(team.ivp, case["id"], "hold_checkin", {"checkin_held": "ja", "support_continues": "ja"})
    second = _as_ivp(team, case["id"])["next_checkin_at"]
    assert datetime.fromisoformat(second) == datetime.fromisoformat(contact) + timedelta(days=7)
    fire_due_timers(app, case["id"], after(second, seconds=1))
    team.do(team.ivp, case["id"], "hold_checkin",
            {"checkin_held": "ja", "support_continues": "nee", "referred_to_regular_care": True})
    data = _as_ivp(team, case["id"])
    assert data["support_status"] == "afgerond" and data["ivp_checkins_held"] == 2
    # No clinical content: only these facts about the support exist in the case.
    support_keys = {k for k in data if k.startswith(("ivp_", "checkin", "consent", "support_", "first_contact",
                                                      "contact_", "referred_"))}
    assert support_keys == {
        "ivp_referred", "ivp_referred_at", "ivp_contact_due_at", "ivp_consent", "ivp_first_contact_in_time",
        "ivp_checkins_held", "ivp_first_contact_within", "ivp_checkin_offsets", "ivp_priority", "checkin_index",
        "checkin_number", "checkin_held", "consent_ivp", "consent_vertrouwenslijn", "consent_recorded_by",
        "consent_recorded_at", "support_continues", "support_status", "support_closed_at", "ivp_first_contact_at",
        "contact_channel", "contact_phone", "referred_to_regular_care",
        "first_contact_at"}  # the gemeente's first contact at triage: its own variable, untouched by the IVP
    assert data["first_contact_at"] == "***"  # and not the IVP's to read (need to know: only its referral)
    assert team.gemeente.case(case["id"])["variables"]["first_contact_at"] == "2026-11-23T10:00"
    assert data["ivp_first_contact_at"] == contact
    # Who reads the support's fields (their forms name the readers): not the police, not the administrator;
    # the gemeente reads the consent and whether contact was made, not the check-ins.
    for reader, shown in (("politie", False), ("beheerder", False), ("gemeente.westbetuwe", None),
                          ("ambtsdrager.westbetuwe", True)):
        seen = as_user(reader).get(f"/api/v1/process-instances/{case['id']}")
        if seen.status_code == 404:
            continue
        values = seen.get_json()["variables"]
        if shown is None:
            assert values["consent_ivp"] == "ja" and values["ivp_first_contact_at"] == contact
            assert values["checkin_held"] == "***" and values["support_continues"] == "***"
        else:
            assert (values["contact_phone"] != "***") is shown and (values["checkin_held"] != "***") is shown, reader


def test_no_contact_within_the_hour_is_escalated(app, deploy_real, as_user):
    team = Team(as_user)
    case = _to_consent(team)
    team.do(team.gemeente, case["id"], "ask_support_consent", CONSENT)
    referred = _as_ivp(team, case["id"])["ivp_referred_at"]

    assert fire_due_timers(app, case["id"], after(referred, minutes=59)) is None
    fire_due_timers(app, case["id"], after(referred, minutes=61))
    assert {"confirm_first_contact", "escalate_no_contact"} <= set(team.open_elements(case["id"]))
    team.do(team.gemeente, case["id"], "escalate_no_contact",
            {"escalation_action": "ivp_dienstdoende", "escalated_at": "2026-11-28T16:05"})
    # The IVP's own system reports the (late) first contact.
    late = after(referred, minutes=80).isoformat()
    team.message("ivp_eerste_contact", case["business_key"], {"ivp_first_contact_at": late, "contact_channel": "video"},
                 user=team.ivp)
    data = _as_ivp(team, case["id"])
    assert data["ivp_first_contact_in_time"] is False
    assert data["contact_channel"] == "video"
    assert "confirm_first_contact" not in team.open_elements(case["id"])
    escalated = [e for e in team.admin.history(case["id"]) if e["element_id"] == "record_escalation"]
    assert escalated and escalated[0]["data_keys"] == ["ivp_contact_escalated"]

    # The escalation branch ended before the contact; when the support ends, both branches are in the case.
    fire_due_timers(app, case["id"], after(data["next_checkin_at"], seconds=1))
    team.do(team.ivp, case["id"], "hold_checkin", {"checkin_held": "ja", "support_continues": "nee"})
    data = _as_ivp(team, case["id"])
    assert data["ivp_contact_escalated"] is True and data["escalation_action"] == "ivp_dienstdoende"
    assert data["support_status"] == "afgerond"
