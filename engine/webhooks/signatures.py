"""The Standard Webhooks signature scheme (https://www.standardwebhooks.com/), for both directions.

A secret is `whsec_` + base64 of the key. The signed content is `{webhook-id}.{webhook-timestamp}.{body}`,
HMAC-SHA256, sent as `webhook-signature: v1,<base64>` (several space-separated signatures are allowed, so a
sender can sign with an old and a new secret while rotating). Timestamps more than five minutes from now are
refused, which bounds replays. Verification is done here rather than with `standardwebhooks.Webhook`, which
raises bare exceptions on malformed headers and accepts only one secret; the tests sign with that package,
so both implementations are held to the same scheme.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import time

SECRET_PREFIX = "whsec_"
TOLERANCE_SECONDS = 5 * 60
_TIMESTAMP = re.compile(r"^\d{1,12}$")


class SecretError(ValueError):
    pass


class SignatureError(Exception):
    """Why a delivery is not authentic; the text is safe to send back to the sender."""


def parse_secret(text: str) -> bytes:
    text = (text or "").strip()
    if text.startswith(SECRET_PREFIX):
        text = text[len(SECRET_PREFIX) :]
    try:
        key = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise SecretError("a secret is 'whsec_' followed by base64") from None
    if len(key) < 16:
        raise SecretError("a secret needs at least 16 bytes of key (24 base64 characters)")
    return key


def parse_secrets(value: str) -> list[bytes]:
    """Several secrets separated by spaces: every one of them is accepted (rotation)."""
    secrets = [parse_secret(part) for part in (value or "").split()]
    if not secrets:
        raise SecretError("no secret given")
    return secrets


def new_secret() -> str:
    import secrets

    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signature(key: bytes, msg_id: str, timestamp: int | str, body: bytes) -> str:
    digest = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signed_headers(key: bytes, msg_id: str, body: bytes, timestamp: int | None = None) -> dict:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(key, msg_id, timestamp, body),
    }


def verify(keys: list[bytes], headers, body: bytes, now: float | None = None) -> str:
    """Check a delivery; returns its webhook-id. Raises SignatureError saying what is wrong."""
    msg_id = (headers.get("webhook-id") or "").strip()
    timestamp = (headers.get("webhook-timestamp") or "").strip()
    sent = (headers.get("webhook-signature") or "").strip()
    missing = [
        name
        for name, value in (("webhook-id", msg_id), ("webhook-timestamp", timestamp), ("webhook-signature", sent))
        if not value
    ]
    if missing:
        raise SignatureError(f"Missing header(s): {', '.join(missing)}.")
    if not _TIMESTAMP.match(timestamp):
        raise SignatureError("webhook-timestamp must be whole seconds since 1970 (UTC).")
    now = time.time() if now is None else now
    age = now - int(timestamp)
    if age > TOLERANCE_SECONDS:
        raise SignatureError("webhook-timestamp is more than 5 minutes old.")
    if age < -TOLERANCE_SECONDS:
        raise SignatureError("webhook-timestamp is more than 5 minutes in the future.")
    expected = [base64.b64decode(signature(key, msg_id, timestamp, body)[3:]) for key in keys]
    for candidate in sent.split():
        version, _, value = candidate.partition(",")
        if version != "v1" or not value:
            continue
        try:
            given = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            continue
        if any(hmac.compare_digest(given, e) for e in expected):
            return msg_id
    raise SignatureError("No valid signature: the secret or the body does not match.")
