"""Inbound webhooks through the app: start, correlate, refuse, deduplicate, fail and replay."""

import json

import sqlalchemy as sa

from engine.db.extensions import db
from engine.instances.models import AuditEvent, ProcessInstance
from engine.webhooks.models import InboundDelivery
from tests.webhooks.support import OTHER_SECRET, SECRETS, aangifte, body_of, melding, om_beslissing, signed, stale


def counts(app) -> dict:
    with app.app_context():
        return {
            "cases": db.session.scalar(sa.select(sa.func.count()).select_from(ProcessInstance)),
            "deliveries": db.session.scalar(sa.select(sa.func.count()).select_from(InboundDelivery)),
            "audit": db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)),
        }


def start_by_police(sender, **overrides) -> dict:
    response = sender.post("politie", "melding.geregistreerd", melding(**overrides))
    assert response.status_code == 202, response.get_json()
    return response.get_json()


def test_a_police_report_starts_a_case_and_returns_its_business_key(deploy_fixture, sender, as_user):
    deploy_fixture("webhooks")
    result = start_by_police(sender, acuut_gevaar=True)
    assert result["outcome"] == "started"
    assert result["business_key"].startswith("VB-")

    case = as_user("beheerder").case(result["process_instance_id"])
    assert case["business_key"] == result["business_key"]
    assert case["started_by"] == "webhook:politie"
    assert case["municipality_code"] == "GM0668"
    assert sorted(case["active_elements"]) == ["intake", "wait_aangifte"]
    variables = case["variables"]
    assert variables["police_report_number"] == "PL0600-2026-000123"
    assert variables["office_holder_role"] == "wethouder"
    assert variables["acute_danger"] is True
    assert "police_unit" not in variables  # not in the payload: not set
    # The gemeente of the case sees it (and its intake task); another municipality does not.
    assert as_user("gemeente.westbetuwe").task_for(result["process_instance_id"], "intake")
    assert as_user("gemeente.amsterdam").get(f"/api/v1/process-instances/{result['case_id']}").status_code == 404


def test_an_event_reaches_the_waiting_case_only(deploy_fixture, sender, as_user):
    deploy_fixture("webhooks")
    first, second = start_by_police(sender), start_by_police(sender)
    response = sender.post("politie", "aangifte.geregistreerd", aangifte(second["business_key"]))
    assert response.status_code == 202, response.get_json()
    body = response.get_json()
    assert (body["outcome"], body["process_instance_id"], body["business_key"]) == (
        "correlated",
        second["process_instance_id"],
        second["business_key"],
    )

    admin = as_user("beheerder")
    caught = admin.case(second["process_instance_id"])
    assert caught["variables"]["police_registration_number"] == "PL0600-2026-4711"
    assert caught["variables"]["registered_on"] == "2026-03-02" and caught["variables"]["vpt_ela_marked"] is True
    assert "wait_aangifte" not in caught["active_elements"] and "intake" in caught["active_elements"]
    received = [e for e in admin.history(second["process_instance_id"]) if e["event"] == "message.received"]
    assert received[0]["actor"] == "webhook:politie" and received[0]["element_id"] == "wait_aangifte"
    untouched = admin.case(first["process_instance_id"])
    assert "police_registration_number" not in untouched["variables"]
    assert sorted(untouched["active_elements"]) == ["intake", "wait_aangifte"]


def test_a_message_that_comes_before_the_case_waits_is_caught_when_it_does(deploy_fixture, sender, as_user):
    deploy_fixture("webhooks")
    case = start_by_police(sender)
    early = sender.post("om", "beslissing.genomen", om_beslissing(case["business_key"]))
    assert early.status_code == 202, early.get_json()
    assert early.get_json()["outcome"] == "buffered"
    assert early.get_json()["process_instance_id"] == case["process_instance_id"]
    admin = as_user("beheerder")
    assert "om_decision" not in admin.case(case["process_instance_id"])["variables"]

    assert (
        sender.post("politie", "aangifte.geregistreerd", aangifte(case["business_key"])).get_json()["outcome"]
        == "correlated"
    )
    assert "om_decision" not in admin.case(case["process_instance_id"])["variables"]  # still at intake: not waiting yet

    gemeente = as_user("gemeente.westbetuwe")
    gemeente.complete(
        gemeente.task_for(case["process_instance_id"], "intake")["id"], {"intake_note": "Gesproken met wethouder"}
    )
    after = admin.case(case["process_instance_id"])
    assert after["variables"]["om_decision"] == "dagvaarding"
    assert "wait_om" not in after["active_elements"]
    assert {"wait_threat", "wait_ivp", "wait_compensation"} <= set(after["active_elements"])
    received = [
        e
        for e in admin.history(case["process_instance_id"])
        if e["event"] == "message.received" and e["element_id"] == "wait_om"
    ]
    assert len(received) == 1 and received[0]["details"]["delivery_id"] == early.get_json()["delivery_id"]

    delivery = admin.get(f"/api/v1/webhooks/deliveries/{early.get_json()['delivery_id']}").get_json()
    assert delivery["outcome"] == "buffered"
    assert (
        delivery["buffer"]["state"] == "delivered"
        and delivery["buffer"]["process_instance_id"] == case["process_instance_id"]
    )


def test_bad_signatures_and_stale_timestamps_are_refused_and_change_nothing(deploy_fixture, sender, app, client):
    deploy_fixture("webhooks")
    before = counts(app)
    body = body_of("melding.geregistreerd", melding())
    good = signed("politie", body)
    cases = {
        "wrong secret": (body, signed("politie", body, secret=OTHER_SECRET)),
        "other source's secret": (body, signed("politie", body, secret=SECRETS["om"])),
        "changed body": (body.replace(b"wethouder", b"raadslid"), good),
        "stale timestamp": (body, signed("politie", body, at=stale(6))),
        "future timestamp": (body, signed("politie", body, at=stale(-6))),
        "malformed signature": (body, dict(good, **{"webhook-signature": "v1,not base64!"})),
        "unversioned signature": (body, dict(good, **{"webhook-signature": good["webhook-signature"][3:]})),
        "timestamp not a number": (body, dict(good, **{"webhook-timestamp": "yesterday"})),
    }
    for header in ("webhook-id", "webhook-timestamp", "webhook-signature"):
        cases[f"missing {header}"] = (body, {k: v for k, v in good.items() if k != header})
    for name, (sent_body, headers) in cases.items():
        response = client.post("/webhooks/politie", data=sent_body, headers=headers)
        assert response.status_code == 401, (name, response.get_json())
        assert response.get_json()["code"] == "unauthorized", name
    assert counts(app) == before
    # The untouched original is still accepted: nothing above used up its webhook-id.
    assert client.post("/webhooks/politie", data=body, headers=good).status_code == 202


def test_rotation_accepts_every_configured_secret(deploy_fixture, sender, monkeypatch):
    deploy_fixture("webhooks")
    monkeypatch.setenv("VB_WEBHOOK_SECRET_POLITIE", f"{SECRETS['politie']} {OTHER_SECRET}")
    assert sender.post("politie", "melding.geregistreerd", melding()).status_code == 202
    assert sender.post("politie", "melding.geregistreerd", melding(), secret=OTHER_SECRET).status_code == 202
    monkeypatch.setenv("VB_WEBHOOK_SECRET_POLITIE", OTHER_SECRET)  # the old one retired
    assert sender.post("politie", "melding.geregistreerd", melding()).status_code == 401


def test_unknown_source_or_event_type_is_404(deploy_fixture, sender, client, app):
    deploy_fixture("webhooks")
    before = counts(app)
    body = body_of("melding.geregistreerd", melding())
    assert client.post("/webhooks/brandweer", data=body, headers=signed("politie", body)).status_code == 404
    response = sender.post("politie", "melding.ingetrokken", melding())
    assert response.status_code == 404
    assert "melding.geregistreerd" in response.get_json()["message"]
    response = sender.post("om", "melding.geregistreerd", melding())  # a politie event sent as OM
    assert response.status_code == 404
    assert counts(app) == before


def test_a_payload_that_fails_its_schema_is_422_naming_the_field(deploy_fixture, sender, client, app):
    deploy_fixture("webhooks")
    case = start_by_police(sender)
    before = counts(app)
    key = case["business_key"]

    def errors_of(source, event_type, data):
        response = sender.post(source, event_type, data)
        assert response.status_code == 422, response.get_json()
        return response.get_json()["errors"]

    missing = dict(aangifte(key))
    del missing["registratienummer"]
    assert errors_of("politie", "aangifte.geregistreerd", missing) == {"data.registratienummer": ["Required."]}
    assert list(errors_of("politie", "aangifte.geregistreerd", dict(aangifte(key), vpt_ela="ja"))) == ["data.vpt_ela"]
    assert errors_of("politie", "melding.geregistreerd", {"samenvatting": "x"}) == {
        f"data.{name}": ["Required."]
        for name in ("meldingnummer", "gemeentecode", "ambt", "categorie", "acuut_gevaar", "gemeld_op")
    }
    assert errors_of("politie", "aangifte.geregistreerd", dict(aangifte(key), adres="Dorpsstraat 1")) == {
        "data.adres": ["Not a field of this event."]
    }
    assert list(errors_of("politie", "melding.geregistreerd", melding(gemeentecode="0668"))) == ["data.gemeentecode"]
    assert list(errors_of("politie", "melding.geregistreerd", melding(gemeld_op="gisteren"))) == ["data.gemeld_op"]
    assert list(
        errors_of(
            "ivp",
            "contact.bevestigd",
            {"zaakreferentie": key, "eerste_contact_op": "2026-03-02T10:00:00Z", "kanaal": "telefoon", "diagnose": "x"},
        )
    ) == ["data.diagnose"]
    assert errors_of("politie", "aangifte.geregistreerd", aangifte("VB-2026-NOSUCH")) == {
        "data.zaakreferentie": ["No case has business key 'VB-2026-NOSUCH'."]
    }

    for body, field in (
        (b"not json", None),
        (b"[1, 2]", None),
        (b"[" * 100_000, None),
        (b'{"type": "aangifte.geregistreerd", "data": {"x": NaN}}', None),
        (json.dumps({"data": {}}).encode(), "type"),
        (json.dumps({"type": "aangifte.geregistreerd", "data": []}).encode(), "data"),
    ):
        response = client.post("/webhooks/politie", data=body, headers=signed("politie", body))
        assert response.status_code == 422, body
        if field:
            assert list(response.get_json()["errors"]) == [field]
    assert counts(app) == before


def test_the_same_webhook_id_five_times_has_one_effect(deploy_fixture, sender, app, as_user):
    deploy_fixture("webhooks")
    body = body_of("melding.geregistreerd", melding())
    headers = signed("politie", body, msg_id="msg_police_000001")
    responses = [sender.raw("politie", body, headers) for _ in range(5)]
    assert [r.status_code for r in responses] == [202, 200, 200, 200, 200]
    first = responses[0].get_json()
    for later in responses[1:]:
        body_ = later.get_json()
        assert body_["outcome"] == "duplicate" and body_["first_outcome"] == "started"
        assert (
            body_["process_instance_id"] == first["process_instance_id"]
            and body_["delivery_id"] == first["delivery_id"]
        )
    assert counts(app)["cases"] == 1 and counts(app)["deliveries"] == 1

    # A correlated message repeated: caught once.
    key = first["business_key"]
    message = body_of("aangifte.geregistreerd", aangifte(key))
    message_headers = signed("politie", message, msg_id="msg_police_000002")
    outcomes = [sender.raw("politie", message, message_headers).get_json()["outcome"] for _ in range(5)]
    assert outcomes == ["correlated"] + ["duplicate"] * 4
    history = as_user("beheerder").history(first["process_instance_id"])
    assert len([e for e in history if e["event"] == "message.received"]) == 1


def test_a_webhook_id_reused_for_another_body_is_a_conflict(deploy_fixture, sender, app):
    deploy_fixture("webhooks")
    assert sender.post("politie", "melding.geregistreerd", melding(), msg_id="msg_x").status_code == 202
    before = counts(app)
    response = sender.post("politie", "melding.geregistreerd", melding(ambt="raadslid"), msg_id="msg_x")
    assert response.status_code == 409
    assert counts(app) == before
    # The same id from another source is another delivery.
    assert sender.post("om", "beslissing.genomen", om_beslissing("VB-none"), msg_id="msg_x").status_code == 422


def test_a_message_for_an_ended_case_is_a_conflict(deploy_fixture, sender, app, as_user):
    deploy_fixture("webhooks")
    case = start_by_police(sender)
    with app.app_context():
        db.session.execute(
            sa.update(ProcessInstance)
            .where(ProcessInstance.id == case["process_instance_id"])
            .values(status="cancelled")
        )
        db.session.commit()
    response = sender.post("politie", "aangifte.geregistreerd", aangifte(case["business_key"]))
    assert response.status_code == 409
    assert response.get_json()["status"] == "cancelled"


def test_a_failed_delivery_is_kept_and_can_be_replayed(deploy_fixture, sender, app, as_user):
    body = body_of("melding.geregistreerd", melding())
    headers = signed("politie", body, msg_id="msg_before_deploy")
    response = sender.raw("politie", body, headers)  # threat_response is not deployed yet
    assert response.status_code == 503, response.get_json()
    failed = response.get_json()
    assert failed["outcome"] == "failed" and failed["code"] == "delivery_failed"
    assert counts(app)["cases"] == 0

    again = sender.raw("politie", body, headers)  # the sender retries: tried again, fails again
    assert again.status_code == 503 and again.get_json()["delivery_id"] == failed["delivery_id"]

    admin = as_user("beheerder")
    listing = admin.get("/api/v1/webhooks/deliveries", query_string={"outcome": "failed"}).get_json()
    assert listing["total"] == 1
    item = listing["items"][0]
    assert item["attempts"] == 2 and "not deployed" in item["error"]["message"]

    deploy_fixture("webhooks")
    replayed = admin.post(f"/api/v1/webhooks/deliveries/{failed['delivery_id']}/replay")
    assert replayed.status_code == 200, replayed.get_json()
    assert replayed.get_json()["outcome"] == "started"
    assert admin.case(replayed.get_json()["process_instance_id"])["started_by"] == "webhook:politie"
    detail = admin.get(f"/api/v1/webhooks/deliveries/{failed['delivery_id']}").get_json()
    assert detail["outcome"] == "started" and detail["error"] is None and detail["replayed_by"] == "beheerder"
    with app.app_context():
        assert db.session.get(InboundDelivery, failed["delivery_id"]).body is None  # not kept once processed

    assert admin.post(f"/api/v1/webhooks/deliveries/{failed['delivery_id']}/replay").status_code == 409
    duplicate = sender.raw("politie", body, headers)
    assert duplicate.status_code == 200 and duplicate.get_json()["first_outcome"] == "started"
    assert counts(app)["cases"] == 1


def test_a_source_without_a_secret_refuses_everything(deploy_fixture, sender, monkeypatch, app):
    deploy_fixture("webhooks")
    monkeypatch.delenv("VB_WEBHOOK_SECRET_POLITIE")
    response = sender.post("politie", "melding.geregistreerd", melding())
    assert response.status_code == 503
    assert "VB_WEBHOOK_SECRET_POLITIE" in response.get_json()["message"]
    assert counts(app)["cases"] == 0


def test_a_body_over_the_limit_is_refused(deploy_fixture, sender, app):
    app.config["VB_WEBHOOK_MAX_BYTES"] = 512
    response = sender.post("politie", "melding.geregistreerd", melding(samenvatting="x" * 600))
    assert response.status_code == 413


def test_the_admin_api_is_for_the_beheerder(deploy_fixture, sender, as_user, client):
    deploy_fixture("webhooks")
    start_by_police(sender)
    assert client.get("/api/v1/webhooks/deliveries").status_code == 401
    for user in ("gemeente.westbetuwe", "politie", "procesbeheerder"):
        assert as_user(user).get("/api/v1/webhooks/deliveries").status_code == 403, user
        assert as_user(user).post("/api/v1/webhooks/deliveries/1/replay").status_code == 403, user
    sources = as_user("procesbeheerder").get("/api/v1/webhooks/sources").get_json()
    politie = next(s for s in sources if s["source"] == "politie")
    assert politie["configured"] is True and politie["url"].endswith("/webhooks/politie")
    assert {e["event_type"] for e in politie["events"]} == {
        "melding.geregistreerd",
        "aangifte.geregistreerd",
        "dreigingsinschatting.gereed",
    }
    assert as_user("gemeente.westbetuwe").get("/api/v1/webhooks/sources").status_code == 403
    listing = as_user("beheerder").get("/api/v1/webhooks/deliveries").get_json()
    assert listing["total"] == 1 and listing["items"][0]["outcome"] == "started"
    assert "body" not in listing["items"][0]


def test_a_buffered_message_expires_after_its_time(app, deploy_fixture, sender, as_user):
    from datetime import datetime, timedelta, timezone

    import time_machine

    deploy_fixture("webhooks")
    app.config["VB_MESSAGE_BUFFER_TTL_SECONDS"] = 3600
    case = start_by_police(sender)
    early = sender.post("om", "beslissing.genomen", om_beslissing(case["business_key"])).get_json()
    assert early["outcome"] == "buffered"
    sender.post("politie", "aangifte.geregistreerd", aangifte(case["business_key"]))
    gemeente = as_user("gemeente.westbetuwe")
    task = gemeente.task_for(case["process_instance_id"], "intake")
    with time_machine.travel(datetime.now(timezone.utc) + timedelta(hours=2)):
        gemeente.complete(task["id"], {})
        admin = as_user("beheerder")
        after = admin.case(case["process_instance_id"])
        assert "om_decision" not in after["variables"] and "wait_om" in after["active_elements"]
        delivery = admin.get(f"/api/v1/webhooks/deliveries/{early['delivery_id']}").get_json()
        assert delivery["buffer"]["state"] == "expired"


def test_a_message_buffered_while_the_case_starts_to_wait_is_not_lost(app, deploy_fixture, sender, as_user):
    """The race: a message is being buffered (not committed yet) while a user's step makes the case wait
    for it. The save must wait for the buffering transaction and then catch the message."""
    import threading
    import time
    from datetime import timedelta

    from engine.identity.actor import Actor
    from engine.identity.service import get_user
    from engine.messages.service import correlate_or_buffer
    from engine.tasks.service import complete

    deploy_fixture("webhooks")
    case = start_by_police(sender)
    sender.post("politie", "aangifte.geregistreerd", aangifte(case["business_key"]))
    task_id = as_user("gemeente.westbetuwe").task_for(case["process_instance_id"], "intake")["id"]
    locked, outcome, errors = threading.Event(), {}, []

    def buffer_slowly():
        with app.app_context():
            try:
                outcome["buffer"] = correlate_or_buffer(
                    "om_beslissing_genomen",
                    case["business_key"],
                    {"om_decision": "beleidssepot"},
                    Actor.system("webhook:om"),
                    timedelta(hours=1),
                )[0]
                locked.set()
                time.sleep(1.0)  # the user completes the task meanwhile
                db.session.commit()
            except Exception as err:  # reported below
                errors.append(err)
                locked.set()

    def complete_task():
        with app.app_context():
            try:
                complete(task_id, {}, Actor.for_user(get_user("gemeente.westbetuwe")))
                outcome["completed_at"] = time.monotonic()
            except Exception as err:
                errors.append(err)

    first = threading.Thread(target=buffer_slowly)
    first.start()
    assert locked.wait(10)
    second = threading.Thread(target=complete_task)
    started = time.monotonic()
    second.start()
    first.join(20)
    second.join(20)
    assert not errors, errors
    assert outcome["buffer"] == "buffered"
    assert outcome["completed_at"] - started >= 0.5  # the save waited for the buffering transaction
    variables = as_user("beheerder").case(case["process_instance_id"])["variables"]
    assert variables["om_decision"] == "beleidssepot"


def test_each_delivery_stores_its_outcome_case_and_time(deploy_fixture, sender, app):
    """The outcome of a start or a correlation is written with the case's own save; a buffered message (no
    case saved) and a delivery that was refused write theirs apart. Each row says what happened."""
    deploy_fixture("webhooks")
    started = start_by_police(sender)
    correlated = sender.post("politie", "aangifte.geregistreerd", aangifte(started["business_key"])).get_json()
    buffered = sender.post("om", "beslissing.genomen", om_beslissing(started["business_key"])).get_json()
    unknown = sender.post("politie", "aangifte.geregistreerd", aangifte("VB-2026-NOSUCH"))
    assert unknown.status_code == 422
    with app.app_context():
        rows = {row.id: row for row in db.session.scalars(sa.select(InboundDelivery))}
    assert len(rows) == 3  # the refused one left nothing
    for result, outcome in ((started, "started"), (correlated, "correlated"), (buffered, "buffered")):
        row = rows[result["delivery_id"]]
        assert (row.outcome, row.instance_id, row.business_key) == (
            outcome,
            started["process_instance_id"],
            started["business_key"],
        )
        assert row.processed_at is not None and row.processed_at >= row.received_at and row.error is None


def test_a_rider_goes_out_with_the_step_it_is_handed_to_and_no_other(app, deploy_fixture):
    """`store.Rider`: the delivery code hands its write to the save of the case it starts; no state is left on
    the session for a later step of the same transaction to pick up."""
    from engine.cases.service import start_case
    from engine.identity.actor import Actor
    from engine.instances import store

    deploy_fixture("basic")
    written = []
    rider = store.Rider(lambda writer, case: written.append(case.id))
    variables = {"summary": "Dreigbrief", "municipality_code": "GM0668"}
    with app.app_context():
        actor = Actor.system("test")
        first = start_case("simple_case", variables, actor, use_start_form=False, commit=False, riders=(rider,))
        second = start_case("simple_case", variables, actor, use_start_form=False, commit=False)
        db.session.commit()
        assert written == [first.id] and rider.case.id == first.id and second.id != first.id


def test_a_source_the_process_does_not_declare_as_sender_is_refused(app, tmp_path, sender, as_user):
    """A route file cannot make one party speak for another: the process says who sends each message."""
    from engine.app.cli import deploy_folders
    from tests.support.api import FIXTURES

    for path in (FIXTURES / "webhooks").iterdir():
        text = path.read_text()
        if path.suffix == ".bpmn":  # the registration of an aangifte, declared as the OM's to send
            text = text.replace(
                'name="aangifte_geregistreerd" ><bpmn:extensionElements><camunda:properties>'
                '<camunda:property name="senders" value="politie" />',
                'name="aangifte_geregistreerd" ><bpmn:extensionElements><camunda:properties>'
                '<camunda:property name="senders" value="om" />',
            )
            assert 'value="om" />' in text
        (tmp_path / path.name).write_text(text)
    with app.app_context():
        deploy_folders([tmp_path], actor="test")
    case = start_by_police(sender)
    before = counts(app)
    response = sender.post("politie", "aangifte.geregistreerd", aangifte(case["business_key"]))
    assert response.status_code == 403, response.get_json()
    assert response.get_json()["senders"] == ["om"]
    after = counts(app)
    assert after["deliveries"] == before["deliveries"]  # nothing of the delivery is kept
    assert after["audit"] == before["audit"] + 1  # but its refusal is audited
    admin = as_user("beheerder")
    refused = [e for e in admin.history(case["process_instance_id"]) if e["event"] == "message.refused"]
    assert refused[0]["actor"] == "webhook:politie"
    assert refused[0]["details"] == {"message": "aangifte_geregistreerd", "reason": "sender"}
    assert "wait_aangifte" in admin.case(case["process_instance_id"])["active_elements"]
