"""The real webhook routes and the real processes together, over real HTTP (gunicorn on the test database).

A police desk registers a report; the threat case starts and its business key comes back. The roles work
their tasks through the REST API as the demo users, and the police, the IVP and BZK send their events as
webhooks signed with the `standardwebhooks` package, until the case is closed with a granted compensation.
The OM decides a registered disruption of local democracy by webhook. Outbound subscribers hear the domain
events of the real processes (the dispatcher runs in-process). Sensitive payload fields never reach the roles
that may not read them."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from engine.db.extensions import db
from engine.webhooks.dispatcher import dispatch_due
from tests.scenarios.flow import APPLY, DRIEHOEK, TRIAGE, cost_decision, fire_due_timers
from tests.support.api import PROJECT
from tests.support.server import LiveServer
from tests.webhooks.receiver import Receiver
from tests.webhooks.support import SECRETS, body_of, signed

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

MEASURES = ["alarm_opvolging", "camera"]  # advised measures at the home: sensitive


class User:
    """A demo user talking to the live server's REST API."""

    def __init__(self, server: LiveServer, username: str):
        self.username = username
        self.http = server.login(username)

    def get(self, path, expect=200):
        response = self.http.get(path)
        assert response.status_code == expect, (self.username, path, response.text)
        return response.json() if response.content else None

    def post(self, path, body, expect=(200, 201)):
        response = self.http.post(path, json=body)
        assert response.status_code in ((expect,) if isinstance(expect, int) else expect), (
            self.username,
            path,
            response.text,
        )
        return response.json()

    def case(self, case_id, expect=200):
        return self.get(f"/api/v1/process-instances/{case_id}", expect)

    def history(self, case_id):
        return self.get(f"/api/v1/process-instances/{case_id}/history")

    def task_for(self, case_id, element_id):
        items = [
            t
            for t in self.get(f"/api/v1/tasks?process_instance_id={case_id}")["items"]
            if t["element_id"] == element_id
        ]
        assert items, f"{self.username} has no open task {element_id} in {case_id}"
        return items[0]

    def do(self, case_id, element_id, variables):
        task = self.task_for(case_id, element_id)
        return self.post(f"/api/v1/tasks/{task['id']}/complete", {"variables": variables}, expect=200)


@pytest.fixture
def live(app, database_url):
    from engine.app.cli import deploy_folders

    with app.app_context():
        deploy_folders([PROJECT / "processes", PROJECT / "forms"], actor="test")
    env = {f"VB_WEBHOOK_SECRET_{source.upper()}": secret for source, secret in SECRETS.items()}
    server = LiveServer(database_url, workers=2, threads=4, env=env).start()
    yield server
    server.stop()


@pytest.fixture
def users(live):
    cache = {}

    def user(name):
        if name not in cache:
            cache[name] = User(live, name)
        return cache[name]

    return user


def send(live, source, event_type, data, expect=202):
    body = body_of(event_type, data)
    response = live.session().post(
        f"{live.url}/webhooks/{source}", data=body, headers=signed(source, body, f"msg_{uuid.uuid4().hex}"), timeout=30
    )
    assert response.status_code == expect, response.text
    return response.json()


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def police_report() -> dict:
    return {
        "meldingnummer": "PL0600-2026-000123",
        "gemeentecode": "GM0668",
        "ambt": "wethouder",
        "categorie": "bedreiging",
        "acuut_gevaar": True,
        "eenheid": "Oost-Nederland",
        "samenvatting": "Dreigbrief aan de wethouder bezorgd op het gemeentehuis.",
        "gemeld_op": iso(datetime.now(timezone.utc)),
    }


def test_a_police_report_runs_to_a_granted_compensation(app, live, users):
    admin, gemeente, politie, bzk, ivp, om = (
        users(n) for n in ("beheerder", "gemeente.westbetuwe", "politie", "bzk", "ivp", "om")
    )
    with Receiver() as receiver:
        subscription = admin.post(
            "/api/v1/webhooks/subscriptions",
            {
                "url": receiver.url,
                "municipality_code": "GM0668",
                "event_types": [
                    "aangifte.registered",
                    "threat_assessment.ready",
                    "support.contact_confirmed",
                    "compensation.decided",
                ],
            },
        )
        receiver.secret = subscription["secret"]

        # 1. The police desk registers the report: the case starts, its business key comes back.
        started = send(live, "politie", "melding.geregistreerd", police_report())
        assert started["outcome"] == "started" and started["business_key"].startswith("VB-")
        case_id, key = started["process_instance_id"], started["business_key"]
        case = admin.case(case_id)
        assert (case["status"], case["incident"], case["process_id"]) == ("running", None, "threat_response")
        assert case["started_by"] == "webhook:politie" and case["municipality_code"] == "GM0668"
        start = case["variables"]
        assert (start["office_holder_role"], start["incident_category"], start["acute_danger"]) == (
            "wethouder",
            "bedreiging",
            True,
        )
        assert start["reporter_is_office_holder"] is False and start["office_holder_username"] is None
        assert start["police_report_number"] == "PL0600-2026-000123" and start["police_unit"] == "Oost-Nederland"
        assert (
            start["case_handler_function"] == "gemeentesecretaris" and start["police_acute_response_within"] == "PT1H"
        )
        assert [t["element_id"] for t in case["open_tasks"]] == ["acute_police_response"]

        # 2. Acute danger: the police acts first; then the gemeente triages.
        politie.do(
            case_id,
            "acute_police_response",
            {"acute_contact_at": iso(datetime.now(timezone.utc))[:16], "acute_measures": ["extra_surveillance"]},
        )
        gemeente.do(case_id, "triage", TRIAGE)
        assert sorted(t["element_id"] for t in admin.case(case_id)["open_tasks"]) == [
            "ask_support_consent",
            "choose_filing_method",
            "consult_driehoek",
            "threat_assessment",
        ]
        gemeente.do(case_id, "consult_driehoek", DRIEHOEK)  # acute danger: the driehoek is involved (case_routing)

        # 3. Aangifte onder nummer, registered by the police system.
        gemeente.do(case_id, "choose_filing_method", {"filing_method": "onder_nummer"})
        registered = send(
            live,
            "politie",
            "aangifte.geregistreerd",
            {
                "zaakreferentie": key,
                "registratienummer": "PL0600-2026-4711",
                "geregistreerd_op": "2026-11-24",
                "vpt_ela": True,
            },
        )
        assert (registered["outcome"], registered["process_instance_id"]) == ("correlated", case_id)

        # 4. The gemeente gives the numbers of the IVP and the Vertrouwenslijn; the wethouder calls the IVP, whose
        # intake opens the IVP's own case; the IVP's system confirms the first contact there.
        gemeente.do(
            case_id, "ask_support_consent", {"support_numbers_given": True, "support_information_by": "gemeente"}
        )
        intake = send(
            live,
            "ivp",
            "aanmelding.ontvangen",
            {"voor_wie": "ambtsdrager", "ambt": "wethouder", "acuut": True, "telefoon": "06 12345678"},
        )
        assert intake["outcome"] == "started"
        support_id, support_key = intake["process_instance_id"], intake["business_key"]
        ivp.task_for(support_id, "confirm_first_contact")
        contact_at = iso(datetime.now(timezone.utc).astimezone(timezone(timedelta(hours=1))))
        assert (
            send(
                live,
                "ivp",
                "contact.bevestigd",
                {"zaakreferentie": support_key, "eerste_contact_op": contact_at, "kanaal": "video"},
            )["outcome"]
            == "correlated"
        )

        # 5. The threat assessment with advised measures at the home (sensitive) arrives from the police.
        assessed = send(
            live,
            "politie",
            "dreigingsinschatting.gereed",
            {
                "zaakreferentie": key,
                "product": "dreigingsinschatting",
                "niveau": "concreet",
                "beveiligingsmaatregelen_geadviseerd": True,
                "geadviseerde_maatregelen": MEASURES,
                "advies_van": "burgemeester",
                "documentreferentie": "ADV-2026-17",
                "opgesteld_op": "2026-11-25",
            },
        )
        assert assessed["outcome"] == "correlated"

        # 6. Cost decision and the one application; BZK's system decides, with its judgement of the burden.
        gemeente.do(case_id, "cost_decision", cost_decision())
        gemeente.do(case_id, "decide_vangnet_follow_up", APPLY)
        gemeente.do(
            case_id,
            "submit_application",
            {
                "requested_measures": [
                    {"measure": "alarm_opvolging", "amount": 30_000},
                    {"measure": "camera", "amount": 18_000},
                ],
                "advice_reference": "ADV-2026-17",
                "application_date": "2026-12-01",
            },
        )
        decide = bzk.task_for(case_id, "decide_compensation")
        # the advised measures are a circumstance of the vangnet: BZK reads them; the report is not BZK's
        decide_data = bzk.get(f"/api/v1/tasks/{decide['id']}")["data"]
        assert decide_data["advised_measures"] == MEASURES and decide_data["incident_description"] == "***"
        decision = {
            "zaakreferentie": key,
            "besluit": "toegekend",
            "bedrag": 48_000,
            "besluitdatum": "2026-12-10",
            "kenmerk": "BZK-2026-0042",
            "motivering": "Acuut, klein budget: onevenredig beslag.",
            "oordeel_begroting": "onevenredig",
            "acute_ernstige_dreiging": "ja",
        }
        assert send(live, "bzk", "tegemoetkoming.besloten", decision)["outcome"] == "correlated"
        gemeente.do(case_id, "receive_decision", {"decision_received_on": "2026-12-11"})
        # the actual costs are declared and BZK pays them (by hand: no webhook carries a payment yet)
        gemeente.do(case_id, "declare_costs", {"declaration_period_end": "2026-12-20", "declared_amount": 48_000})
        bzk.do(
            case_id,
            "pay_declaration",
            {"payment_date": "2027-01-08", "payment_amount": 48_000, "payment_reference": "BZK-BET-2027-1"},
        )

        # 7. Closure: the IVP's check-ins run in its own case and keep the threat case open no longer.
        assert [t["element_id"] for t in admin.case(case_id)["open_tasks"]] == ["close_case"]
        closed = gemeente.do(
            case_id,
            "close_case",
            {"closure_summary": "Maatregelen getroffen, nazorg loopt.", "closed_on": "2026-12-12"},
        )
        assert closed["instance_status"] == "completed"
        # the first check-in a day after the contact (the scheduler fires the timer)
        fire_due_timers(app, support_id, datetime.fromisoformat(contact_at) + timedelta(days=1, seconds=1))
        ivp.do(support_id, "hold_checkin", {"checkin_held": "ja", "support_continues": "nee"})
        assert ivp.case(support_id)["status"] == "completed"

        with app.app_context():
            assert dispatch_due() == 3  # the IVP's case goes only to subscriptions that name ivp_support
            db.session.remove()

    # The case as the gemeente (who may read everything of its own case) sees it.
    final = gemeente.case(case_id)
    data = final["variables"]
    assert final["status"] == "completed" and final["business_key"] == key
    assert (data["police_registration_number"], data["registered_on"], data["vpt_ela_marked"]) == (
        "PL0600-2026-4711",
        "2026-11-24",
        True,
    )
    assert data["aangifte_status"] == "geregistreerd" and data["aangifte_identity_shielded"] is True
    assert not {"ivp_first_contact_at", "contact_channel", "support_status", "contact_phone"} & set(data)
    assert data["first_contact_at"] == TRIAGE["first_contact_at"]
    support = ivp.case(support_id)["variables"]
    assert (support["ivp_first_contact_at"], support["contact_channel"]) == (contact_at, "video")
    assert support["ivp_first_contact_in_time"] is True and support["support_status"] == "afgerond"
    gemeente.case(support_id, expect=404)
    assert (data["threat_product"], data["threat_level"], data["advised_measures"]) == (
        "dreigingsinschatting",
        "concreet",
        MEASURES,
    )
    assert (data["advice_authority"], data["advice_reference"], data["assessment_date"]) == (
        "burgemeester",
        "ADV-2026-17",
        "2026-11-25",
    )
    assert data["compensation_eligible"] is True and data["compensation_requested"] is True
    assert (data["burden_judgement"], data["acute_and_serious_threat"]) == ("onevenredig", "ja")
    assert (data["compensation_decision"], data["granted_amount"], data["compensation_granted"]) == (
        "toegekend",
        48_000,
        True,
    )
    assert (data["decision_date"], data["decision_reference"]) == ("2026-12-10", "BZK-2026-0042")
    assert not [k for k in data if k.endswith("_message")]  # raw payloads are dropped once read

    # The audit trail: who did what, the webhooks as their source systems, keys only (never values).
    history = admin.history(case_id)
    assert history[0]["event"] == "case.started" and history[0]["actor"] == "webhook:politie"
    received = [
        (e["actor"], e["element_id"], e["details"]["message"]) for e in history if e["event"] == "message.received"
    ]
    assert received == [
        ("webhook:politie", "aangifte_registered_message", "aangifte_geregistreerd"),
        ("webhook:politie", "threat_assessment_received", "dreigingsinschatting_gereed"),
        ("webhook:bzk", "bzk_decision_message", "bzk_besluit_tegemoetkoming"),
    ]
    by_message = {e["details"]["message"]: e for e in history if e["event"] == "message.received"}
    assert by_message["dreigingsinschatting_gereed"]["data_keys"] == sorted(
        [
            "threat_product",
            "threat_level",
            "measures_advised",
            "advised_measures",
            "advice_authority",
            "advice_reference",
            "assessment_date",
        ]
    )
    completed = [(e["actor"], e["element_id"]) for e in history if e["event"] == "task.completed"]
    assert completed == [
        ("politie", "acute_police_response"),
        ("gemeente.westbetuwe", "triage"),
        ("gemeente.westbetuwe", "consult_driehoek"),
        ("gemeente.westbetuwe", "choose_filing_method"),
        ("gemeente.westbetuwe", "ask_support_consent"),
        ("gemeente.westbetuwe", "cost_decision"),
        ("gemeente.westbetuwe", "decide_vangnet_follow_up"),
        ("gemeente.westbetuwe", "submit_application"),
        ("gemeente.westbetuwe", "receive_decision"),
        ("gemeente.westbetuwe", "declare_costs"),
        ("bzk", "pay_declaration"),
        ("gemeente.westbetuwe", "close_case"),
    ]
    done = {e["element_id"] for e in history if e["event"] == "element.completed"}
    assert {
        "read_aangifte_message",
        "record_aangifte",
        "read_threat_assessment_message",
        "read_bzk_decision",
        "record_decision",
        "decision_reached",
    } <= done
    assert not {"register_aangifte", "confirm_first_contact", "threat_assessment", "decide_compensation"} & {
        e["element_id"] for e in history if e["event"] == "task.completed"
    }  # the messages did those
    assert history[-1]["event"] == "case.completed"

    # Sensitive payload fields: the measures at the home are masked for the IVP and the beheerder (BZK reads
    # them for the vangnet, not the acute measures), the OM does not see the case at all, and no trail, task or
    # delivery record shows them.
    assert politie.case(case_id)["variables"]["advised_measures"] == MEASURES
    assert bzk.case(case_id)["variables"]["advised_measures"] == MEASURES
    ivp.case(case_id, expect=404)  # the IVP has no part in the threat case
    for reader in (bzk, admin):
        seen = reader.case(case_id)["variables"]
        assert seen["acute_measures"] == "***", reader.username
        assert reader is bzk or seen["advised_measures"] == "***", reader.username
        assert "threat_assessment_message" not in seen
    om.case(case_id, expect=404)
    for reader in (gemeente, bzk, admin):
        assert "alarm_opvolging" not in json.dumps(reader.history(case_id)), reader.username
    deliveries = admin.get("/api/v1/webhooks/deliveries?source=politie")["items"]
    assert len(deliveries) == 3 and "alarm_opvolging" not in json.dumps(deliveries)

    # Outbound: the domain events of the real processes, signed, with their facts and nothing sensitive.
    assert receiver.requests and all(r["verified"] for r in receiver.requests)
    events = {p["type"]: p["data"] for p in receiver.payloads()}
    assert sorted(events) == ["aangifte.registered", "compensation.decided", "threat_assessment.ready"]
    assert all(e["business_key"] == key and e["process_id"] == "threat_response" for e in events.values())
    compensation = events["compensation.decided"]
    assert compensation["element_id"] == "decision_reached"
    facts = compensation["facts"]
    assert {
        k: facts[k]
        for k in (
            "compensation_decision",
            "compensation_granted",
            "granted_amount",
            "decision_date",
            "decision_reference",
        )
    } == {
        "compensation_decision": "toegekend",
        "compensation_granted": True,
        "granted_amount": 48_000,
        "decision_date": "2026-12-10",
        "decision_reference": "BZK-2026-0042",
    }
    assert facts["compensation_decided_at"]
    assert events["threat_assessment.ready"]["facts"] == {
        "threat_product": "dreigingsinschatting",
        "threat_level": "concreet",
        "measures_advised": True,
    }
    assert events["aangifte.registered"]["facts"]["aangifte_status"] == "geregistreerd"
    sent = b" ".join(r["body"] for r in receiver.requests)
    for value in (b"alarm_opvolging", b"06 12345678", b"+31612345678", b"Dreigbrief", b"PL0600-2026-4711"):
        assert value not in sent


def test_the_om_decides_a_disruption_of_local_democracy_by_webhook(app, live, users):
    politie, om, gemeente, admin = (users(n) for n in ("politie", "om", "gemeente.westbetuwe", "beheerder"))
    case = politie.post(
        "/api/v1/process-instances",
        {
            "process_id": "democratic_disruption_registration",
            "variables": {
                "case_title": "Raadsvergadering verstoord",
                "municipality_code": "GM0668",
                "incident_date": "2026-11-02",
                "meeting_type": "gemeenteraad",
                "sr_articles": ["124", "141"],
                "description": "Vergadering over opvang met geweld uiteengejaagd.",
            },
        },
        expect=201,
    )
    case_id, key = case["id"], case["business_key"]
    om.do(
        case_id, "om_register", {"parket_number": "05/780109-26", "suspects_count": 3, "om_registered_on": "2026-11-05"}
    )

    decision = {
        "zaakreferentie": key,
        "beslissing": "voorwaardelijk_sepot",
        "beslisdatum": "2026-11-20",
        "sepotgrond": "gezondheid_verdachte",
        "voorwaarden": "Behandeling volgen.",
        "proeftijd_maanden": 24,
        "kennisgeving_op": "2026-11-23",
    }
    # A conditional dismissal without its notice date is refused, naming the field, and changes nothing.
    incomplete = dict(decision)
    del incomplete["kennisgeving_op"]
    refused = send(live, "om", "beslissing.genomen", incomplete, expect=422)
    assert refused["errors"] == {"data.kennisgeving_op": ["Required."]}
    assert [t["element_id"] for t in admin.case(case_id)["open_tasks"]] == ["om_decision"]

    result = send(live, "om", "beslissing.genomen", decision)
    assert (result["outcome"], result["process_instance_id"]) == ("correlated", case_id)
    detail = admin.case(case_id)
    data = detail["variables"]
    assert (data["om_decision"], data["om_decision_date"], data["sepot_reason"]) == (
        "voorwaardelijk_sepot",
        "2026-11-20",
        "gezondheid_verdachte",
    )
    assert (data["sepot_conditions"], data["probation_months"], data["victim_notified_on"]) == (
        "Behandeling volgen.",
        24,
        "2026-11-23",
    )
    assert data["is_sepot"] is True and data["art124"] is True
    assert datetime.fromisoformat(data["complaint_deadline"]) == datetime.fromisoformat(
        "2027-02-23T23:59:59+01:00"
    )  # three months after the notice (art. 12 Sv)
    assert "om_decision_message" not in data
    complaint = gemeente.task_for(case_id, "art12_complaint")
    assert datetime.fromisoformat(complaint["due_at"]) == datetime.fromisoformat(data["complaint_deadline"])
    history = admin.history(case_id)
    received = [e for e in history if e["event"] == "message.received"]
    assert [(e["actor"], e["element_id"], e["details"]["message"]) for e in received] == [
        ("webhook:om", "om_decision_message", "om_beslissing_genomen")
    ]
    assert received[0]["data_keys"] == sorted(
        [
            "om_decision",
            "om_decision_date",
            "sepot_reason",
            "sepot_conditions",
            "probation_months",
            "victim_notified_on",
        ]
    )
    assert "om_decision" not in {e["element_id"] for e in history if e["event"] == "task.completed"}
