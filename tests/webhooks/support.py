"""Signing test deliveries with the reference implementation (the `standardwebhooks` package)."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import datetime, timedelta, timezone

from standardwebhooks import Webhook

# Test secrets (random bytes, made for the tests only).
SECRETS = {
    source: "whsec_" + base64.b64encode(f"test-secret-of-{source}-0123456789".encode()).decode()
    for source in ("politie", "om", "ivp", "bzk")
}
OTHER_SECRET = "whsec_" + base64.b64encode(b"a-secret-nobody-configured-000000").decode()


def envelope(event_type: str, data: dict) -> dict:
    return {"type": event_type, "timestamp": datetime.now(timezone.utc).isoformat(), "data": data}


def signed(
    source: str, body: bytes | str, msg_id: str | None = None, secret: str | None = None, at: datetime | None = None
) -> dict:
    """Headers for `body`, signed by standardwebhooks.Webhook."""
    msg_id = msg_id or f"msg_{uuid.uuid4().hex}"
    at = at or datetime.now(timezone.utc)
    text = body.decode() if isinstance(body, bytes) else body
    signature = Webhook(secret or SECRETS[source]).sign(msg_id, at, text)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature,
        "content-type": "application/json",
    }


def body_of(event_type: str, data: dict) -> bytes:
    return json.dumps(envelope(event_type, data)).encode()


def melding(**overrides) -> dict:
    data = {
        "meldingnummer": "PL0600-2026-000123",
        "gemeentecode": "GM0668",
        "ambt": "wethouder",
        "categorie": "bedreiging",
        "gemeld_op": "2026-03-02T09:15:00+01:00",
        "acuut_gevaar": False,
        "samenvatting": "Dreigbrief ontvangen op het gemeentehuis",
    }
    data.update(overrides)
    return data


def aangifte(key: str, number: str = "PL0600-2026-4711") -> dict:
    return {"zaakreferentie": key, "registratienummer": number, "geregistreerd_op": "2026-03-02", "vpt_ela": True}


def om_beslissing(key: str) -> dict:
    return {"zaakreferentie": key, "beslissing": "dagvaarding", "beslisdatum": "2026-05-01"}


def stale(minutes: int) -> datetime:
    return datetime.now(timezone.utc) - timedelta(minutes=minutes)


class Sender:
    """Posts signed deliveries through the Flask test client."""

    def __init__(self, client):
        self.client = client

    def post(self, source: str, event_type: str, data: dict, msg_id: str | None = None, **sign):
        body = body_of(event_type, data)
        return self.client.post(f"/webhooks/{source}", data=body, headers=signed(source, body, msg_id, **sign))

    def raw(self, source: str, body: bytes, headers: dict):
        return self.client.post(f"/webhooks/{source}", data=body, headers=headers)
