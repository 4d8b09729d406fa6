"""The domain events of webhooks/outbound/events.yaml on the real processes: compensation.decided fires once
BZK has decided, whether the decision came by webhook (tests/webhooks/test_threat_response_webhooks.py) or was
entered by hand, and not for a message that reopened BZK's task."""

import json

import sqlalchemy as sa

from engine.db.extensions import db
from engine.webhooks.dispatcher import dispatch_due
from engine.webhooks.models import OutboundDelivery
from engine.webhooks.outbox import open_body
from tests.scenarios.flow import Team
from tests.webhooks.receiver import Receiver


def outbox(app) -> list:
    with app.app_context():
        bodies = [
            open_body(r.body, r.instance_id)
            for r in db.session.execute(
                sa.select(OutboundDelivery.body, OutboundDelivery.instance_id).order_by(OutboundDelivery.id)
            )
        ]
        db.session.remove()
    return [json.loads(b) for b in bodies]


def test_compensation_decided_for_a_decision_entered_by_hand(app, deploy_real, as_user):
    team = Team(as_user)
    with Receiver() as receiver:
        subscription = team.admin.post(
            "/api/v1/webhooks/subscriptions",
            json={"url": receiver.url, "event_types": ["compensation.decided"], "process_id": "threat_response"},
        ).get_json()
        receiver.secret = subscription["secret"]
        case = team.start_threat(family_involved=True, family_details="Partner en twee kinderen")
        team.to_application(case["id"])
        team.do(
            team.gemeente,
            case["id"],
            "submit_application",
            {
                "requested_measures": [{"measure": "alarm_opvolging", "amount": 30_000}],
                "advice_reference": "ADV-1",
                "measures_details": "Alarm aan de woning, Dorpsstraat 1.",
                "application_date": "2026-12-01",
            },
        )

        # A message without a decision reopens BZK's task: nothing is decided, nothing is announced.
        team.message("bzk_besluit_tegemoetkoming", case["business_key"], {"granted_amount": 10}, user=team.bzk)
        assert outbox(app) == []

        # A grant while judging the burden proportionate does not stand: the task reopens, nothing is announced.
        team.do(
            team.bzk,
            case["id"],
            "decide_compensation",
            {
                "measures_match_advice": "ja",
                "acute_and_serious_threat": "ja",
                "burden_judgement": "niet_onevenredig",
                "compensation_decision": "gedeeltelijk",
                "granted_amount": 20_000,
                "decision_date": "2026-12-20",
                "decision_reference": "BZK-2026-7",
                "decision_motivation": "Camera niet noodzakelijk.",
            },
        )
        assert outbox(app) == []

        team.do(
            team.bzk,
            case["id"],
            "decide_compensation",
            {
                "measures_match_advice": "ja",
                "acute_and_serious_threat": "ja",
                "burden_judgement": "onevenredig",
                "compensation_decision": "gedeeltelijk",
                "granted_amount": 20_000,
                "decision_date": "2026-12-20",
                "decision_reference": "BZK-2026-7",
                "decision_motivation": "Camera niet noodzakelijk.",
            },
        )
        queued = outbox(app)
        assert [p["type"] for p in queued] == ["compensation.decided"]
        with app.app_context():
            assert dispatch_due() == 1
            db.session.remove()

    assert len(receiver.requests) == 1 and receiver.requests[0]["verified"]
    data = receiver.payloads()[0]["data"]
    assert (data["case_id"], data["business_key"], data["process_id"]) == (
        case["id"],
        case["business_key"],
        "threat_response",
    )
    assert data["element_id"] == "decision_reached"
    facts = data["facts"]
    assert facts.pop("compensation_decided_at")
    assert facts == {
        "compensation_decision": "gedeeltelijk",
        "compensation_granted": True,
        "granted_amount": 20_000,
        "decision_date": "2026-12-20",
        "decision_reference": "BZK-2026-7",
    }
    body = receiver.requests[0]["body"]
    for value in (b"Dorpsstraat", b"Partner", b"alarm_opvolging", b"Camera niet"):
        assert value not in body
