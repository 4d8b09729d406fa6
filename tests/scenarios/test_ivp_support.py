"""The IVP reached directly: the office holder refers themselves (or a family member) at the report, without a
step of the gemeente, into the IVP's own confidential case; the IVP confirms first contact within its deadline
(or its duty officer escalates), then check-ins follow in that case while the threat case closes on its own.
The gemeente, BZK and the OM never see the IVP's case or its fields, in any channel."""

from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from engine.db.extensions import db
from engine.identity.models import User
from engine.notifications.models import MailMessage
from engine.reporting.figures import report
from engine.reporting.models import CaseFigures
from engine.webhooks.models import OutboundDelivery
from engine.webhooks.outbox import open_body
from tests.scenarios.flow import REFERRAL, Team, after, assessment, fire_due_timers
from tests.web.conftest import WebClient

OUTSIDERS = ("gemeente.westbetuwe", "bzk", "om", "politie")


def _refer(team, **overrides) -> dict:
    return team.ambtsdrager.start("ivp_support", {**REFERRAL, **overrides})


def _as_ivp(team, case_id) -> dict:
    return team.ivp.case(case_id)["variables"]


def test_an_office_holder_reaches_the_ivp_at_the_report_without_a_gemeente_step(deploy_real, as_user):
    team = Team(as_user)
    threat = team.start_threat(team.ambtsdrager, reporter_is_office_holder=True, acute_danger=True)
    # From the report (its form links to the IVP's start form): the office holder refers themselves at once.
    support = _refer(team, acute_danger=True)
    task = team.ivp.task_for(support["id"], "confirm_first_contact")
    data = _as_ivp(team, support["id"])
    referred = datetime.fromisoformat(data["ivp_referred_at"])
    # acute: the IVP's first-contact deadline follows ivp_priority (ivp_deadlines), one hour
    assert data["ivp_priority"] == "acuut" and data["ivp_first_contact_within"] == "PT1H"
    assert datetime.fromisoformat(task["due_at"]) == (referred + timedelta(hours=1)).astimezone(timezone.utc)
    assert task["priority"] == 90
    # No gemeente step came before: the triage of the threat case is still open, nobody of the gemeente acted
    assert team.open_elements(threat["id"]) == ["acute_police_response"]  # the gemeente has not even triaged
    assert not [e for e in team.admin.history(threat["id"]) if e["event"] == "task.completed"]
    assert "gemeente.westbetuwe" not in {e["actor"] for e in team.admin.history(support["id"])}
    # The case belongs to no municipality, and the threat case holds nothing of the referral
    assert team.admin.case(support["id"])["municipality_code"] is None
    threat_data = team.ambtsdrager.case(threat["id"])["variables"]
    assert not {"ivp_referred", "ivp_referred_at", "contact_phone", "consent_ivp"} & set(threat_data)

    # The cross-field rule: a first contact before the referral is refused with what is expected
    before = (referred - timedelta(hours=2)).isoformat(timespec="minutes")
    refused = team.ivp.complete(task["id"], {"ivp_first_contact_at": before, "contact_channel": "telefoon"}, expect=422)
    message = refused["errors"]["ivp_first_contact_at"][0]
    assert "Aangemeld op" in message and "cannot be before" in message and before not in message
    contact = (referred + timedelta(minutes=20)).isoformat(timespec="minutes")
    team.ivp.complete(task["id"], {"ivp_first_contact_at": contact, "contact_channel": "telefoon"})
    data = _as_ivp(team, support["id"])
    assert data["ivp_first_contact_in_time"] is True and data["support_status"] == "in_contact"
    # The office holder reads their own referral; the phone number is theirs and the IVP's
    own = team.ambtsdrager.case(support["id"])["variables"]
    assert own["contact_phone"] == "+31612345678" and own["ivp_first_contact_at"] == contact


def test_a_family_member_is_referred_and_check_ins_do_not_keep_the_threat_case_open(app, deploy_real, as_user):
    team = Team(as_user)
    team.login()
    threat = team.start_threat(team.ambtsdrager, reporter_is_office_holder=True)
    support = _refer(team, referred_person="partner")
    data = _as_ivp(team, support["id"])
    assert data["referred_person"] == "partner" and data["offer_ivp"] is True
    assert data["ivp_priority"] == "regulier" and data["ivp_first_contact_within"] == "P1D"
    task = team.ivp.task_for(support["id"], "confirm_first_contact")
    contact = after(data["ivp_referred_at"], hours=3).isoformat()
    team.ivp.complete(task["id"], {"ivp_first_contact_at": contact, "contact_channel": "video"})

    # The threat case runs to its end while the IVP's check-ins wait for their moments
    team.through_triage(threat["id"])
    team.do(
        team.ambtsdrager,
        threat["id"],
        "choose_filing_method",
        {"filing_method": "alleen_melding", "no_aangifte_reason": "geen_strafbaar_feit"},
    )
    team.do(
        team.ambtsdrager,
        threat["id"],
        "ask_support_consent",
        {"support_numbers_given": True, "support_information_by": "ambtsdrager"},
    )
    team.do(team.politie, threat["id"], "threat_assessment", assessment("geen", ()))
    team.do(team.gemeente, threat["id"], "close_case", {"closure_summary": "Afgerond", "closed_on": "2026-11-30"})
    closed = team.admin.case(threat["id"])
    assert closed["status"] == "completed" and closed["variables"]["lead_time_days"] == 0
    assert team.admin.case(support["id"])["status"] == "running"

    next_at = _as_ivp(team, support["id"])["next_checkin_at"]
    fire_due_timers(app, support["id"], after(next_at, seconds=1))
    team.login("ivp", "ambtsdrager", "admin", "gemeente")
    team.do(
        team.ivp,
        support["id"],
        "hold_checkin",
        {"checkin_held": "ja", "support_continues": "nee", "referred_to_regular_care": True},
    )
    data = _as_ivp(team, support["id"])
    assert data["support_status"] == "afgerond" and data["ivp_checkins_held"] == 1
    assert team.admin.case(support["id"])["status"] == "completed"


def test_no_contact_in_time_goes_to_the_ivp_duty_officer_not_the_gemeente(app, deploy_real, as_user):
    team = Team(as_user)
    support = _refer(team, acute_danger=True)
    referred = _as_ivp(team, support["id"])["ivp_referred_at"]
    assert fire_due_timers(app, support["id"], after(referred, minutes=59)) is None
    fire_due_timers(app, support["id"], after(referred, minutes=61))
    team.login("ivp", "gemeente", "admin")
    assert {"confirm_first_contact", "escalate_no_contact"} <= set(team.open_elements(support["id"]))
    escalation = team.ivp.task_for(support["id"], "escalate_no_contact")
    assert escalation["candidate_groups"] == ["ivp"]
    assert team.gemeente.tasks() == [] or all(t["process_instance_id"] != support["id"] for t in team.gemeente.tasks())
    team.ivp.complete(
        escalation["id"],
        {"escalation_action": "ivp_dienstdoende", "escalated_at": after(referred, minutes=65).isoformat()},
    )
    team.message(
        "ivp_eerste_contact",
        support["business_key"],
        {"ivp_first_contact_at": after(referred, minutes=80).isoformat(), "contact_channel": "video"},
        user=team.ivp,
    )
    data = _as_ivp(team, support["id"])
    assert data["ivp_first_contact_in_time"] is False
    escalated = [e for e in team.admin.history(support["id"]) if e["element_id"] == "record_escalation"]
    assert escalated and escalated[0]["data_keys"] == ["ivp_contact_escalated"]


def test_gemeente_bzk_and_om_never_see_the_ivp_case_in_any_channel(app, deploy_real, as_user, client):
    team = Team(as_user)
    admin = team.admin
    # Two subscriptions: one for everything (a municipality's zaaksysteem, say), one that names the IVP's process
    everything = admin.post(
        "/api/v1/webhooks/subscriptions",
        json={
            "url": "https://zaaksysteem.example/hooks",
            "event_types": ["case.started", "task.created", "task.completed", "support.contact_confirmed"],
        },
    )
    assert everything.status_code == 201, everything.get_json()
    named = admin.post(
        "/api/v1/webhooks/subscriptions",
        json={
            "url": "https://ivp.example/hooks",
            "process_id": "ivp_support",
            "event_types": ["case.started", "task.created", "task.completed", "support.contact_confirmed"],
        },
    )
    assert named.status_code == 201, named.get_json()

    support = _refer(team)
    task = team.ivp.task_for(support["id"], "confirm_first_contact")
    referred = _as_ivp(team, support["id"])["ivp_referred_at"]
    team.ivp.complete(
        task["id"], {"ivp_first_contact_at": after(referred, minutes=30).isoformat(), "contact_channel": "telefoon"}
    )
    key = support["business_key"]

    for username in OUTSIDERS:
        user = as_user(username)
        user.case(support["id"], expect=404)  # API: the case
        assert user.get(f"/api/v1/process-instances/{support['id']}/history").status_code == 404
        assert all(t["process_instance_id"] != support["id"] for t in user.tasks())  # API: tasks
        listed = user.get("/api/v1/process-instances", query_string={"q": key})  # API: search
        assert listed.status_code == 200 and all(c["id"] != support["id"] for c in listed.get_json()["items"])
        assert user.get(f"/api/v1/tasks/{task['id']}").status_code == 404
    # The overseers see that the case exists, none of its values
    values = admin.case(support["id"])["variables"]
    for name in (
        "referred_person",
        "contact_phone",
        "ivp_referred",
        "ivp_referred_at",
        "ivp_first_contact_at",
        "support_status",
        "office_holder_role",
    ):
        assert values[name] == "***", name

    # Web pages: the case page, the task page and the search, as the gemeente
    web = WebClient(app).sign_in("gemeente.westbetuwe")
    assert web.get(f"/cases/{support['id']}").status_code == 404
    assert web.get(f"/tasks/{task['id']}").status_code in (404, 410)
    page = web.get("/cases", query_string={"q": key})
    assert page.status_code == 200 and f"/cases/{support['id']}" not in page.get_data(as_text=True)

    with app.app_context():
        outbox = db.session.scalars(
            sa.select(OutboundDelivery).where(OutboundDelivery.instance_id == support["id"])
        ).all()
        mails = db.session.scalars(sa.select(MailMessage).where(MailMessage.instance_id == support["id"])).all()
        subscribers = {row.subscription_id for row in outbox}
        bodies = [open_body(row.body, support["id"]) for row in outbox]
        recipients = {tuple(sorted(db.session.get(User, m.user_id).roles)) for m in mails}
    # Outbound webhooks: only the subscription that names the process, and never the phone number
    assert subscribers == {named.get_json()["id"]}
    assert bodies and all("612345678" not in b and 'municipality_code":null' in b.replace(" ", "") for b in bodies)
    assert any('"support.contact_confirmed"' in b for b in bodies)
    # Mails: only to the IVP (the task's candidates), never to the gemeente, BZK or the OM
    assert all(set(roles) <= {"ivp", "ambtsdrager"} for roles in recipients)


def test_the_yearly_report_counts_the_ivps_own_cases_without_their_municipality(app, deploy_real, as_user):
    team = Team(as_user)
    in_time, late = _refer(team, acute_danger=True), _refer(team, acute_danger=True)
    for support, minutes in ((in_time, 20), (late, 80)):
        referred = _as_ivp(team, support["id"])["ivp_referred_at"]
        task = team.ivp.task_for(support["id"], "confirm_first_contact")
        team.ivp.complete(
            task["id"],
            {
                "ivp_first_contact_at": after(referred, minutes=minutes).isoformat(timespec="minutes"),
                "contact_channel": "telefoon",
            },
        )
    with app.app_context():
        rows = {
            row.instance_id: row
            for row in db.session.scalars(sa.select(CaseFigures).where(CaseFigures.process_id == "ivp_support"))
        }
        assert set(rows) == {in_time["id"], late["id"]}
        assert all(row.municipality_code is None and row.ivp_referred is True for row in rows.values())
        assert rows[in_time["id"]].ivp_first_contact_in_time is True
        assert rows[late["id"]].ivp_first_contact_in_time is False
        year = rows[in_time["id"]].year
        # the IVP's cases are referrals, not reports of a threat; their count is disclosed as "< 5"
        figures = {(t["id"], r["key"]): r["values"][str(year)] for t in report(year)["tables"] for r in t["rows"]}
        assert figures["psychosocial", "ivp_referred"] == "< 5" and figures["cases", "reported"] == 0
        assert not [key for key in figures if key[0] == "by_municipality"]
