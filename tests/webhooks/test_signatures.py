"""The Standard Webhooks scheme: our verifier against the reference signer, our signer against its verifier."""

import time
from datetime import datetime, timezone

import pytest
from standardwebhooks import Webhook

from engine.webhooks.paths import MISSING, PathError, PayloadPath
from engine.webhooks.signatures import (
    SecretError,
    SignatureError,
    new_secret,
    parse_secret,
    parse_secrets,
    signed_headers,
    verify,
)

SECRET = new_secret()
BODY = '{"type":"x.y","data":{"naam":"Zoë"}}'.encode()


def reference_headers(secret=SECRET, msg_id="msg_1", at=None, body=BODY):
    at = at or datetime.now(timezone.utc)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(msg_id, at, body.decode()),
    }


def test_a_reference_signature_verifies():
    assert verify(parse_secrets(SECRET), reference_headers(), BODY) == "msg_1"


def test_one_matching_signature_among_several_is_enough():
    headers = reference_headers()
    other = Webhook(new_secret()).sign("msg_1", datetime.now(timezone.utc), BODY.decode())
    headers["webhook-signature"] = f"v2,abc {other} {headers['webhook-signature']}"
    assert verify(parse_secrets(SECRET), headers, BODY) == "msg_1"


@pytest.mark.parametrize("age, ok", [(0, True), (299, True), (-299, True), (301, False), (-301, False)])
def test_the_timestamp_tolerance_is_five_minutes(age, ok):
    now = time.time()
    headers = reference_headers(at=datetime.fromtimestamp(now - age, timezone.utc))
    if ok:
        assert verify(parse_secrets(SECRET), headers, BODY, now=now)
    else:
        with pytest.raises(SignatureError, match="5 minutes"):
            verify(parse_secrets(SECRET), headers, BODY, now=now)


def test_the_signature_covers_id_timestamp_and_body():
    headers = reference_headers()
    keys = parse_secrets(SECRET)
    for changed in (
        dict(headers, **{"webhook-id": "msg_2"}),
        dict(headers, **{"webhook-timestamp": str(int(headers["webhook-timestamp"]) - 1)}),
    ):
        with pytest.raises(SignatureError):
            verify(keys, changed, BODY)
    with pytest.raises(SignatureError):
        verify(keys, headers, BODY + b" ")


def test_our_signature_verifies_with_the_reference_package():
    headers = signed_headers(parse_secret(SECRET), "msg_out_1", BODY)
    assert Webhook(SECRET).verify(BODY, headers) == {"type": "x.y", "data": {"naam": "Zoë"}}


def test_secrets_are_checked():
    assert len(parse_secrets(f"{new_secret()}  {new_secret()}")) == 2
    assert parse_secret(SECRET[len("whsec_") :]) == parse_secret(SECRET)  # the prefix is optional
    for bad in ("", "whsec_", "whsec_%%%", "whsec_c2hvcnQ="):
        with pytest.raises(SecretError):
            parse_secrets(bad)


@pytest.mark.parametrize(
    "text, segments",
    [
        ("/data/a/b", ("data", "a", "b")),
        ("data.a.b", ("data", "a", "b")),
        ("/data/a~1b/c~0d", ("data", "a/b", "c~d")),
    ],
)
def test_paths_parse(text, segments):
    assert PayloadPath.parse(text).segments == segments


def test_paths_resolve():
    payload = {"data": {"a": {"b": 0}, "list": [{"x": 1}], "none": None}}
    assert PayloadPath.parse("/data/a/b").resolve(payload) == 0
    assert PayloadPath.parse("data.list.0.x").resolve(payload) == 1
    assert PayloadPath.parse("data.none").resolve(payload) is None
    for missing in ("data.nope", "data.a.b.c", "data.list.1.x", "data.list.x"):
        assert PayloadPath.parse(missing).resolve(payload) is MISSING
    for bad in ("", "data..a", "/", 12):
        with pytest.raises(PathError):
            PayloadPath.parse(bad)
