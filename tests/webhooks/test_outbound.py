"""Outbound webhooks: subscriptions, the outbox written with the case, signed sending, retries.

These tests run against the stand-in process of tests/fixtures/webhooks, with the repository's route files
and domain events that fit the stand-in (it catches the messages at plain catch events). The repository's own
domain events on the real processes are tested in tests/webhooks/test_threat_response_webhooks.py."""

import json
import shutil
import time

import pytest
import sqlalchemy as sa

from engine import create_app
from engine.demo.users import seed_demo
from engine.db.extensions import db
from engine.webhooks.dispatcher import dispatch_due
from engine.webhooks.models import OutboundAttempt, OutboundDelivery
from engine.webhooks.outbox import open_body
from tests.support.api import PROJECT
from tests.webhooks.receiver import Receiver
from tests.webhooks.support import aangifte, melding

STAND_IN_EVENTS = """
events:
  aangifte.registered:
    description: De aangifte is geregistreerd
    when: {message: aangifte_geregistreerd}
    facts: [registered_on]
  compensation.decided:
    description: BZK heeft besloten
    when: {message: bzk_besluit_tegemoetkoming}
    process: threat_response
    facts: [compensation_decision, granted_amount, decision_date]
"""


@pytest.fixture
def app(database_url, tmp_path):
    routes = tmp_path / "webhooks"
    (routes / "outbound").mkdir(parents=True)
    for path in (PROJECT / "webhooks").glob("*.yaml"):
        shutil.copy(path, routes / path.name)
    (routes / "outbound" / "events.yaml").write_text(STAND_IN_EVENTS)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "TESTING": True,
            "VB_DEMO": True,
            "VB_AUTO_MIGRATE": False,
            "SECRET_KEY": "test-secret",
            "VB_WEBHOOKS_DIR": str(routes),
        }
    )
    with app.app_context():
        seed_demo()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def subscribe(admin, url, event_types, expect=201, **extra):
    response = admin.post("/api/v1/webhooks/subscriptions", json={"url": url, "event_types": event_types, **extra})
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def outbox(app, **where):
    with app.app_context():
        query = sa.select(OutboundDelivery).options(sa.orm.undefer(OutboundDelivery.body)).order_by(OutboundDelivery.id)
        for key, value in where.items():
            query = query.where(getattr(OutboundDelivery, key) == value)
        rows = db.session.scalars(query).all()
        return [
            {
                "event_type": r.event_type,
                "status": r.status,
                "attempts": r.attempts,
                "msg_id": r.msg_id,
                "payload": json.loads(open_body(r.body, r.instance_id)),
                "next_attempt_at": r.next_attempt_at,
                "id": r.id,
            }
            for r in rows
        ]


def dispatch(app, rounds=1):
    with app.app_context():
        return sum(dispatch_due() for _ in range(rounds))


def test_subscriptions_are_managed_by_the_beheerder(as_user):
    admin = as_user("beheerder")
    created = subscribe(
        admin,
        "https://gemeente.example/hooks",
        ["task.created", "compensation.decided"],
        description="Zaaksysteem gemeente",
        municipality_code="GM0668",
    )
    assert created["secret"].startswith("whsec_")
    listed = admin.get("/api/v1/webhooks/subscriptions").get_json()
    assert [s["id"] for s in listed] == [created["id"]] and "secret" not in listed[0]

    unknown = subscribe(admin, "https://x.example/h", ["task.created", "case.exploded"], expect=422)
    assert "case.exploded" in unknown["errors"]["event_types"][0]
    assert "url" in subscribe(admin, "ftp://x.example/h", ["task.created"], expect=422)["errors"]
    assert "event_types" in subscribe(admin, "https://x.example/h", [], expect=422)["errors"]
    assert (
        "secret"
        in subscribe(admin, "https://x.example/h", ["task.created"], secret="whsec_short", expect=422)["errors"]
    )
    assert (
        "municipality_code"
        in subscribe(admin, "https://x.example/h", ["task.created"], municipality_code="0668", expect=422)["errors"]
    )

    patched = admin.client.patch(
        f"/api/v1/webhooks/subscriptions/{created['id']}", json={"active": False}, headers=admin._headers()
    )
    assert patched.status_code == 200 and patched.get_json()["active"] is False
    types = {t["event_type"] for t in admin.get("/api/v1/webhooks/event-types").get_json()}
    assert {"task.created", "task.completed", "case.completed", "compensation.decided"} <= types

    for user in ("gemeente.westbetuwe", "bzk", "procesbeheerder"):
        assert as_user(user).get("/api/v1/webhooks/subscriptions").status_code == 403
        assert (
            as_user(user)
            .post("/api/v1/webhooks/subscriptions", json={"url": "https://x.example", "event_types": ["task.created"]})
            .status_code
            == 403
        )
    deleted = admin.client.delete(f"/api/v1/webhooks/subscriptions/{created['id']}", headers=admin._headers())
    assert deleted.status_code == 204
    assert admin.get(f"/api/v1/webhooks/subscriptions/{created['id']}").status_code == 404


def test_case_events_are_queued_with_the_case_and_sent_signed_without_sensitive_data(
    app, deploy_fixture, sender, as_user
):
    deploy_fixture("webhooks")
    admin = as_user("beheerder")
    with Receiver() as receiver:
        subscription = subscribe(
            admin,
            receiver.url,
            ["case.started", "task.created", "task.completed", "message.received", "aangifte.registered"],
        )
        receiver.secret = subscription["secret"]
        case = sender.post("politie", "melding.geregistreerd", melding()).get_json()

        # Written in the case's transaction; nothing is sent by the request itself.
        assert [r["event_type"] for r in outbox(app)] == ["case.started", "task.created"]
        assert receiver.requests == []

        sender.post("politie", "aangifte.geregistreerd", aangifte(case["business_key"]))
        gemeente = as_user("gemeente.westbetuwe")
        gemeente.complete(
            gemeente.task_for(case["process_instance_id"], "intake")["id"],
            {"intake_note": "Afspraak gemaakt", "home_address": "Dorpsstraat 1, Geldermalsen"},
        )
        assert dispatch(app) == 5

    assert all(r["verified"] for r in receiver.requests)
    payloads = {p["type"]: p for p in receiver.payloads()}  # sent in parallel: in no particular order
    assert sorted(payloads) == [
        "aangifte.registered",
        "case.started",
        "message.received",
        "task.completed",
        "task.created",
    ]
    for payload in payloads.values():
        data = payload["data"]
        assert data["case_id"] == case["case_id"] and data["business_key"] == case["business_key"]
        assert data["process_id"] == "threat_response" and data["municipality_code"] == "GM0668"
    created = payloads["task.created"]["data"]
    assert created["element_id"] == "intake" and created["candidate_groups"] == ["gemeente"]
    assert payloads["message.received"]["data"]["message_name"] == "aangifte_geregistreerd"
    assert payloads["aangifte.registered"]["data"]["facts"] == {"registered_on": "2026-03-02"}
    completed = payloads["task.completed"]["data"]
    assert completed["data_keys"] == ["intake_note"]  # home_address is marked sensitive in the form
    raw = b" ".join(r["body"] for r in receiver.requests)
    for secret_value in (b"Dorpsstraat", b"Afspraak gemaakt", b"PL0600-2026-4711", b"Dreigbrief"):
        assert secret_value not in raw
    assert {r["status"] for r in outbox(app)} == {"delivered"}


def test_a_failing_receiver_gets_retries_with_backoff(app, deploy_fixture, sender, as_user):
    deploy_fixture("webhooks")
    app.config["VB_WEBHOOK_RETRY_BASE_SECONDS"] = 0.2
    admin = as_user("beheerder")
    with Receiver(fail_first=2) as receiver:
        subscription = subscribe(admin, receiver.url, ["case.started"])
        receiver.secret = subscription["secret"]
        sender.post("politie", "melding.geregistreerd", melding())
        delivered = False
        for _ in range(100):
            dispatch(app)
            row = outbox(app)[0]
            if row["status"] == "delivered":
                delivered = True
                break
            time.sleep(0.05)
        assert delivered

    assert [r["verified"] for r in receiver.requests] == [True, True, True]
    assert len({r["headers"]["webhook-id"] for r in receiver.requests}) == 1  # the same message every time
    assert len({r["body"] for r in receiver.requests}) == 1
    gaps = [b["at"] - a["at"] for a, b in zip(receiver.requests, receiver.requests[1:])]
    assert gaps[0] >= 0.2 and gaps[1] >= 0.4, gaps  # never sooner than the backoff: 0.2 s, then 0.4 s
    with app.app_context():
        attempts = db.session.scalars(sa.select(OutboundAttempt).order_by(OutboundAttempt.id)).all()
        assert [a.status_code for a in attempts] == [500, 500, 204]
        assert [a.error for a in attempts] == ["HTTP 500", "HTTP 500", None]

    listing = admin.get(f"/api/v1/webhooks/subscriptions/{subscription['id']}/deliveries").get_json()
    item = listing["items"][0]
    assert item["status"] == "delivered" and item["attempts"] == 3
    assert [a["status_code"] for a in item["attempt_log"]] == [500, 500, 204]
    assert item["payload"]["type"] == "case.started"


def test_the_dispatcher_gives_up_after_the_last_attempt_and_can_be_told_to_retry(app, deploy_fixture, sender, as_user):
    deploy_fixture("webhooks")
    app.config.update(VB_WEBHOOK_RETRY_BASE_SECONDS=0.0, VB_WEBHOOK_MAX_ATTEMPTS=3, VB_WEBHOOK_TIMEOUT_SECONDS=2)
    admin = as_user("beheerder")
    subscription = subscribe(admin, "http://127.0.0.1:9/nobody-listens", ["case.started"])
    sender.post("politie", "melding.geregistreerd", melding())
    assert dispatch(app, rounds=5) == 3
    row = outbox(app)[0]
    assert row["status"] == "failed" and row["attempts"] == 3
    listing = admin.get(
        f"/api/v1/webhooks/subscriptions/{subscription['id']}/deliveries", query_string={"status": "failed"}
    ).get_json()
    assert "ConnectionError" in listing["items"][0]["last_error"]

    assert admin.post(f"/api/v1/webhooks/outbound-deliveries/{row['id']}/retry").status_code == 200
    assert outbox(app)[0]["status"] == "pending"
    assert admin.post(f"/api/v1/webhooks/outbound-deliveries/{row['id']}/retry").status_code == 409


def test_subscriptions_filter_by_event_process_and_municipality(app, deploy_fixture, sender, as_user):
    deploy_fixture("webhooks")
    admin = as_user("beheerder")
    westbetuwe = subscribe(admin, "https://westbetuwe.example/h", ["case.started"], municipality_code="GM0668")
    amsterdam = subscribe(admin, "https://amsterdam.example/h", ["case.started"], municipality_code="GM0363")
    other_process = subscribe(admin, "https://x.example/h", ["case.started"], process_id="another_process")
    only_tasks = subscribe(admin, "https://y.example/h", ["task.completed"])
    paused = subscribe(admin, "https://z.example/h", ["case.started"], active=False)
    sender.post("politie", "melding.geregistreerd", melding())
    rows = outbox(app)
    assert len(rows) == 1
    with app.app_context():
        assert db.session.get(OutboundDelivery, rows[0]["id"]).subscription_id == westbetuwe["id"]
    assert all(s["id"] != westbetuwe["id"] for s in (amsterdam, other_process, only_tasks, paused))


def test_a_domain_event_carries_its_facts(app, deploy_fixture, sender, as_user):
    deploy_fixture("webhooks")
    admin = as_user("beheerder")
    subscribe(admin, "https://bzk.example/h", ["compensation.decided"])
    case = sender.post("politie", "melding.geregistreerd", melding()).get_json()
    key = case["business_key"]
    decision = {
        "zaakreferentie": key,
        "besluit": "gedeeltelijk",
        "bedrag": 1250.5,
        "besluitdatum": "2026-06-01",
        "kenmerk": "BZK-2026-77",
        "motivering": "Kosten boven PKVW-niveau",
    }
    assert sender.post("bzk", "tegemoetkoming.besloten", decision).get_json()["outcome"] == "buffered"
    assert outbox(app) == []  # not caught yet: nothing decided in the case
    sender.post("politie", "aangifte.geregistreerd", aangifte(key))
    gemeente = as_user("gemeente.westbetuwe")
    gemeente.complete(gemeente.task_for(case["process_instance_id"], "intake")["id"], {})
    rows = outbox(app)
    assert [r["event_type"] for r in rows] == ["compensation.decided"]
    assert rows[0]["payload"]["data"]["facts"] == {
        "compensation_decision": "gedeeltelijk",
        "granted_amount": 1250.5,
        "decision_date": "2026-06-01",
    }
    assert rows[0]["payload"]["data"]["element_id"] == "wait_compensation"


def test_a_paused_subscription_is_not_sent_what_it_had_queued(app, deploy_fixture, sender, as_user):
    deploy_fixture("webhooks")
    admin = as_user("beheerder")
    subscription = subscribe(admin, "http://127.0.0.1:9/never", ["case.started"])
    sender.post("politie", "melding.geregistreerd", melding())
    admin.client.patch(
        f"/api/v1/webhooks/subscriptions/{subscription['id']}", json={"active": False}, headers=admin._headers()
    )
    dispatch(app)
    row = outbox(app)[0]
    assert row["status"] == "failed" and row["attempts"] == 0


def test_backoff_doubles_up_to_the_cap():
    from engine.webhooks.dispatcher import backoff_seconds

    for attempts, expected in ((1, 10), (2, 20), (3, 40), (4, 80), (12, 3600)):
        delay = backoff_seconds(attempts, base=10, cap=3600)
        assert expected <= delay <= expected * 1.1, (attempts, delay)


def test_the_sweep_forgets_old_records_but_keeps_failed_ones(app, deploy_fixture, sender):
    from datetime import datetime, timedelta, timezone

    import time_machine

    from engine.messages.models import BufferedMessage
    from engine.webhooks.dispatcher import sweep
    from engine.webhooks.models import InboundDelivery
    from tests.webhooks.support import om_beslissing

    sender.post("politie", "melding.geregistreerd", melding(), msg_id="msg_failed")  # not deployed: failed
    deploy_fixture("webhooks")
    case = sender.post("politie", "melding.geregistreerd", melding()).get_json()
    sender.post("om", "beslissing.genomen", om_beslissing(case["business_key"]))  # buffered, still waiting
    app.config["VB_WEBHOOK_RETENTION_DAYS"] = 30
    with app.app_context():
        assert sweep() == {"inbound": 0, "buffered": 0, "outbound": 0}
    with time_machine.travel(datetime.now(timezone.utc) + timedelta(days=31)):
        with app.app_context():
            counts = sweep()
            kept = db.session.scalars(sa.select(InboundDelivery.outcome)).all()
            buffered = db.session.scalar(sa.select(sa.func.count()).select_from(BufferedMessage))
    # The buffered message expired long ago (14 days): forgotten with its delivery; the failed one stays.
    assert counts["inbound"] == 2 and counts["buffered"] == 1
    assert kept == ["failed"] and buffered == 0


def test_a_sensitive_variable_is_never_a_fact(tmp_path, database_url):
    import shutil

    from engine import create_app
    from engine.app.cli import deploy_folders
    from engine.demo.users import seed_demo
    from engine.identity.actor import Actor
    from engine.identity.service import get_user
    from engine.cases.service import start_case
    from engine.instances.task_rows import HumanTask
    from engine.tasks.service import complete
    from engine.webhooks.subscriptions import create_subscription
    from tests.support.api import FIXTURES, PROJECT

    for path in (PROJECT / "webhooks").glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    (tmp_path / "outbound").mkdir()
    (tmp_path / "outbound" / "events.yaml").write_text(
        "events:\n  intake.done:\n    when: {element: intake}\n    process: threat_response\n"
        "    facts: [intake_note, home_address]\n"
    )
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": database_url, "VB_AUTO_MIGRATE": False, "VB_WEBHOOKS_DIR": str(tmp_path)}
    )
    with app.app_context():
        seed_demo()
        deploy_folders([FIXTURES / "webhooks"], actor="test")
        create_subscription({"url": "https://x.example/h", "event_types": ["intake.done"]}, Actor.system("test"))
        case = start_case(
            "threat_response", {"municipality_code": "GM0668"}, Actor.system("test"), use_start_form=False
        )
        task = db.session.scalar(sa.select(HumanTask).where(HumanTask.instance_id == case.id))
        complete(
            task.id,
            {"intake_note": "Gesprek gevoerd", "home_address": "Dorpsstraat 1"},
            Actor.for_user(get_user("gemeente.westbetuwe")),
        )
        bodies = [
            open_body(r.body, r.instance_id)
            for r in db.session.execute(sa.select(OutboundDelivery.body, OutboundDelivery.instance_id))
        ]
        db.session.remove()
        db.engine.dispose()
    assert len(bodies) == 1
    data = json.loads(bodies[0])["data"]
    assert data["facts"] == {"intake_note": "Gesprek gevoerd"}
    assert data["element_id"] == "intake"
    assert "home_address" not in bodies[0] and "Dorpsstraat" not in bodies[0]
