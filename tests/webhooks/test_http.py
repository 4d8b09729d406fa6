"""Acceptance over real HTTP: gunicorn in a subprocess with its own database, deliveries signed with the
`standardwebhooks` package, an outbound receiver that verifies our signatures with it. Runs on SQLite and,
in the PostgreSQL pass, on PostgreSQL."""

from __future__ import annotations

import json
import random
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from engine import create_app
from engine.app.cli import deploy_folders
from engine.demo.users import seed_demo
from engine.db.extensions import db
from engine.identity.actor import Actor
from engine.instances.models import AuditEvent, ProcessInstance
from engine.instances.sealed import case_variables
from engine.messages.models import MessageSubscription
from engine.webhooks.models import InboundDelivery, OutboundAttempt
from tests.support.api import FIXTURES
from tests.support.databases import make_databases
from tests.webhooks.live import Dispatcher, LiveServer
from tests.webhooks.receiver import Receiver
from tests.webhooks.support import OTHER_SECRET, SECRETS, aangifte, body_of, melding, om_beslissing, signed, stale

pytestmark = pytest.mark.slow


@dataclass
class Live:
    url: str
    app: object
    database_url: str
    workdir: Path
    env: dict
    # every answer checked against the server's OpenAPI document (tests/support/openapi.py)
    http: requests.Session

    def post(self, source, event_type, data, msg_id=None, **sign):
        body = body_of(event_type, data)
        return self.send(source, body, signed(source, body, msg_id, **sign))

    def send(self, source, body, headers):
        return self.http.post(f"{self.url}/webhooks/{source}", data=body, headers=headers, timeout=30)

    def token(self, username):
        response = self.http.post(
            f"{self.url}/api/v1/auth/token", json={"username": username, "password": "demo"}, timeout=30
        )
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    def count(self, model, *where) -> int:
        with self.app.app_context():
            return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))

    def counts(self) -> dict:
        return {
            m.__tablename__: self.count(m) for m in (ProcessInstance, InboundDelivery, AuditEvent, MessageSubscription)
        }

    def case(self, case_id) -> ProcessInstance:
        with self.app.app_context():
            instance = db.session.get(ProcessInstance, case_id)
            return {
                "status": instance.status,
                "variables": case_variables(case_id),
                "active": list(instance.active_elements or []),
            }


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("live")
    databases = make_databases(workdir)
    url = databases.fresh()
    env = {f"VB_WEBHOOK_SECRET_{source.upper()}": secret for source, secret in SECRETS.items()}
    with pytest.MonkeyPatch.context() as patch:
        for key, value in env.items():
            patch.setenv(key, value)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "VB_AUTO_MIGRATE": False, "VB_DEMO": True, "TESTING": True})
    with app.app_context():
        seed_demo()
        deploy_folders([FIXTURES / "webhooks"], actor="test")
    server = LiveServer(url, workdir / "gunicorn.log", extra_env=env)
    try:
        yield Live(server.url, app, url, workdir, env, server.session())
    finally:
        server.stop()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        databases.close()


def start(live) -> dict:
    response = live.post("politie", "melding.geregistreerd", melding())
    assert response.status_code == 202, response.text
    return response.json()


def test_valid_deliveries_start_and_correlate_cases(live):
    case = start(live)
    assert case["outcome"] == "started" and case["business_key"].startswith("VB-")
    response = live.post("politie", "aangifte.geregistreerd", aangifte(case["business_key"], "PL-HTTP-1"))
    assert response.status_code == 202, response.text
    assert (
        response.json()["outcome"] == "correlated"
        and response.json()["process_instance_id"] == case["process_instance_id"]
    )
    caught = live.case(case["process_instance_id"])
    assert caught["variables"]["police_registration_number"] == "PL-HTTP-1"
    assert caught["variables"]["municipality_code"] == "GM0668"
    assert "wait_aangifte" not in caught["active"]


def test_wrong_secret_changed_body_stale_timestamp_or_missing_header_are_401_and_change_nothing(live):
    case = start(live)
    body = body_of("aangifte.geregistreerd", aangifte(case["business_key"]))
    good = signed("politie", body)
    before = live.counts()
    attempts = {
        "wrong secret": (body, signed("politie", body, secret=OTHER_SECRET)),
        "changed body": (body.replace(b"PL0600-2026-4711", b"PL0600-2026-9999"), good),
        "stale timestamp": (body, signed("politie", body, at=stale(6))),
    }
    for header in ("webhook-id", "webhook-timestamp", "webhook-signature"):
        attempts[f"missing {header}"] = (body, {k: v for k, v in good.items() if k != header})
    for name, (sent, headers) in attempts.items():
        response = live.send("politie", sent, headers)
        assert response.status_code == 401, (name, response.text)
    assert live.counts() == before
    assert "police_registration_number" not in live.case(case["process_instance_id"])["variables"]


def _fire_together(live, source, body, headers, copies=5) -> list:
    barrier = threading.Barrier(copies)
    results = [None] * copies

    def one(i):
        barrier.wait()
        results[i] = live.send(source, body, headers)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_the_same_webhook_id_five_times_gives_one_effect_also_concurrently(live):
    # One after the other.
    body = body_of("melding.geregistreerd", melding())
    headers = signed("politie", body)
    before = live.count(ProcessInstance)
    statuses = [live.send("politie", body, headers).status_code for _ in range(5)]
    assert statuses == [202, 200, 200, 200, 200]
    assert live.count(ProcessInstance) == before + 1

    # Five copies at the same moment, to several gunicorn workers: a start ...
    body = body_of("melding.geregistreerd", melding(meldingnummer="PL-CONCURRENT"))
    headers = signed("politie", body)
    before = live.count(ProcessInstance)
    results = _fire_together(live, "politie", body, headers)
    assert sorted(r.status_code for r in results) == [200, 200, 200, 200, 202], [r.text for r in results]
    outcomes = sorted(r.json()["outcome"] for r in results)
    assert outcomes == ["duplicate"] * 4 + ["started"]
    assert len({r.json()["process_instance_id"] for r in results}) == 1
    assert live.count(ProcessInstance) == before + 1
    assert live.count(InboundDelivery, InboundDelivery.webhook_id == headers["webhook-id"]) == 1

    # ... and a message.
    case_id, key = results[0].json()["process_instance_id"], results[0].json()["business_key"]
    body = body_of("aangifte.geregistreerd", aangifte(key))
    headers = signed("politie", body)
    results = _fire_together(live, "politie", body, headers)
    assert sorted(r.json()["outcome"] for r in results) == ["correlated"] + ["duplicate"] * 4, [r.text for r in results]
    assert live.count(AuditEvent, AuditEvent.instance_id == case_id, AuditEvent.event == "message.received") == 1


def test_a_message_that_arrives_before_the_case_waits_is_delivered_when_it_does(live):
    case = start(live)
    early = live.post("om", "beslissing.genomen", om_beslissing(case["business_key"]))
    assert early.status_code == 202 and early.json()["outcome"] == "buffered", early.text
    live.post("politie", "aangifte.geregistreerd", aangifte(case["business_key"]))
    assert "om_decision" not in live.case(case["process_instance_id"])["variables"]

    gemeente = live.token("gemeente.westbetuwe")
    tasks = live.http.get(
        f"{live.url}/api/v1/tasks",
        params={"process_instance_id": case["process_instance_id"]},
        headers=gemeente,
        timeout=30,
    )
    task = next(t for t in tasks.json()["items"] if t["element_id"] == "intake")
    done = live.http.post(
        f"{live.url}/api/v1/tasks/{task['id']}/complete",
        json={"variables": {"intake_note": "ok"}},
        headers=gemeente,
        timeout=30,
    )
    assert done.status_code == 200, done.text
    after = live.case(case["process_instance_id"])
    assert after["variables"]["om_decision"] == "dagvaarding"
    assert "wait_om" not in after["active"]

    admin = live.token("beheerder")
    delivery = live.http.get(
        f"{live.url}/api/v1/webhooks/deliveries/{early.json()['delivery_id']}", headers=admin, timeout=30
    )
    assert delivery.json()["buffer"]["state"] == "delivered"


def test_a_message_for_one_of_1000_waiting_cases_reaches_exactly_that_one(live):
    from engine.cases.service import start_case

    actor = Actor.system("test")
    with live.app.app_context():
        ids = []
        for _ in range(1000):
            instance = start_case("threat_response", {"municipality_code": "GM0668"}, actor, use_start_form=False)
            ids.append((instance.id, instance.business_key))
    target_id, target_key = random.Random(7).choice(ids)
    ours = [i for i, _ in ids]
    assert (
        live.count(
            MessageSubscription,
            MessageSubscription.instance_id.in_(ours),
            MessageSubscription.message_name == "aangifte_geregistreerd",
        )
        == 1000
    )

    response = live.post("politie", "aangifte.geregistreerd", aangifte(target_key, "PL-ONE-OF-1000"))
    assert response.status_code == 202, response.text
    assert response.json()["process_instance_id"] == target_id
    assert live.count(AuditEvent, AuditEvent.instance_id.in_(ours), AuditEvent.event == "message.received") == 1
    assert live.count(AuditEvent, AuditEvent.instance_id == target_id, AuditEvent.event == "message.received") == 1
    assert (
        live.count(
            MessageSubscription,
            MessageSubscription.instance_id.in_(ours),
            MessageSubscription.message_name == "aangifte_geregistreerd",
        )
        == 999
    )
    assert live.case(target_id)["variables"]["police_registration_number"] == "PL-ONE-OF-1000"


def test_an_outbound_receiver_verifies_our_signatures_and_sees_retries_after_failing_twice(live):
    admin = live.token("beheerder")
    with Receiver(fail_first=2) as receiver:
        response = live.http.post(
            f"{live.url}/api/v1/webhooks/subscriptions",
            headers=admin,
            timeout=30,
            json={"url": receiver.url, "event_types": ["case.started"], "description": "test"},
        )
        assert response.status_code == 201, response.text
        subscription = response.json()
        receiver.secret = subscription["secret"]
        dispatcher = Dispatcher(
            live.database_url,
            live.workdir / "dispatcher.log",
            extra_env=dict(live.env, VB_WEBHOOK_RETRY_BASE_SECONDS="0.3"),
        )
        try:
            case = start(live)
            assert receiver.wait_for(lambda requests_: len(requests_) >= 3), dispatcher.output()
            time.sleep(0.5)  # let the dispatcher record the last attempt
        finally:
            dispatcher.stop()

    received = receiver.requests
    assert len(received) == 3 and all(r["verified"] for r in received)
    assert len({r["headers"]["webhook-id"] for r in received}) == 1
    payload = json.loads(received[0]["body"])
    assert payload["type"] == "case.started" and payload["data"]["case_id"] == case["process_instance_id"]
    assert received[1]["at"] - received[0]["at"] >= 0.3 and received[2]["at"] - received[1]["at"] >= 0.6

    listing = live.http.get(
        f"{live.url}/api/v1/webhooks/subscriptions/{subscription['id']}/deliveries", headers=admin, timeout=30
    ).json()
    item = listing["items"][0]
    assert item["status"] == "delivered" and item["attempts"] == 3
    assert [a["status_code"] for a in item["attempt_log"]] == [500, 500, 204]
    assert live.count(OutboundAttempt) == 3
    live.http.delete(f"{live.url}/api/v1/webhooks/subscriptions/{subscription['id']}", headers=admin, timeout=30)
