"""A write that waits too long for another one is answered 503 "busy" with Retry-After, changes nothing,
and goes through when sent again (SQLite: one writer at a time; its busy timeout bounds the wait)."""

import sqlite3

import pytest
import sqlalchemy as sa

from engine.db.extensions import db
from engine.instances.models import ProcessInstance
from engine.webhooks.models import InboundDelivery
from tests.support.databases import BACKEND
from tests.webhooks.support import body_of, melding, signed

pytestmark = pytest.mark.skipif(BACKEND != "sqlite", reason="SQLite's writer lock; PostgreSQL locks rows")


def test_a_delivery_that_cannot_get_the_write_lock_is_answered_busy_and_changes_nothing(deploy_fixture, client, app):
    deploy_fixture("webhooks")
    app.config["VB_SQLITE_BUSY_TIMEOUT_MS"] = 200
    with app.app_context():
        db.engine.dispose()  # new connections take the shorter busy timeout
        path = db.engine.url.database
    body = body_of("melding.geregistreerd", melding())
    headers = signed("politie", body)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process writing, for longer than the busy timeout
    try:
        busy = client.post("/webhooks/politie", data=body, headers=headers)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert busy.status_code == 503, busy.get_json()
    assert busy.get_json()["code"] == "busy" and busy.headers["Retry-After"] == "1"
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(InboundDelivery)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ProcessInstance)) == 0
    again = client.post("/webhooks/politie", data=body, headers=headers)
    assert again.status_code == 202 and again.get_json()["outcome"] == "started", again.get_json()
