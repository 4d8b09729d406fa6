"""Delivery: the SMTP server down for a while (mails arrive after it returns, once each), failures visible
to the beheerder, the daily digest at the user's hour, and the log when no SMTP server is set."""

import logging
import threading
import time
from datetime import datetime, timezone

import sqlalchemy as sa
import time_machine

from engine.db.extensions import db
from engine.identity.models import User
from engine.notifications import service
from engine.notifications.models import DIGEST, GAVE_UP, MailMessage
from engine.notifications.sender import bundle_digests, send_due
from tests.notifications.conftest import wait_for
from tests.scenarios.flow import report

GEMEENTE = "gemeente.westbetuwe@example.org"


def _rows(app, **where):
    with app.app_context():
        query = sa.select(MailMessage).order_by(MailMessage.id)
        for key, value in where.items():
            query = query.where(getattr(MailMessage, key) == value)
        rows = db.session.scalars(query).all()
        db.session.expunge_all()
        return rows


def test_mails_wait_while_the_server_is_down_and_arrive_once_after(mail_app, deployed, as_user, smtp_server, sender):
    smtp_server.stop()
    office_holder = as_user("ambtsdrager.westbetuwe")
    cases = [office_holder.start("threat_response", report()) for _ in range(2)]
    wait_for(lambda: all(r.attempts >= 2 for r in _rows(mail_app)), 15, "retries while the server is down")
    assert smtp_server.mailbox.count() == 0
    assert all(r.status == "pending" and "ConnectionRefusedError" in r.last_error for r in _rows(mail_app))

    smtp_server.start()
    wait_for(lambda: all(r.status == "sent" for r in _rows(mail_app)), 15, "every mail sent")
    time.sleep(1.0)  # the sender ran on: nothing is sent again
    subjects = sorted(m["Subject"] for m in smtp_server.mailbox.to(GEMEENTE))
    assert subjects == sorted(f"Vangnet: Een nieuwe taak voor uw rol ({c['business_key']})" for c in cases)
    assert smtp_server.mailbox.count() == len(_rows(mail_app))


def test_two_senders_never_send_a_mail_twice(mail_app, deployed, as_user, smtp_server):
    for _ in range(3):
        as_user("ambtsdrager.westbetuwe").start("threat_response", report())
    barrier = threading.Barrier(2)

    def one_sender():
        with mail_app.app_context():
            barrier.wait()
            while send_due():
                pass
            db.session.remove()

    threads = [threading.Thread(target=one_sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    rows = _rows(mail_app)
    assert rows and all(r.status == "sent" for r in rows)
    assert smtp_server.mailbox.count() == len(rows)


def test_a_mail_that_keeps_failing_is_listed_for_the_beheerder(mail_app, deployed, as_user, smtp_server):
    mail_app.config.update(VB_MAIL_MAX_ATTEMPTS=1)
    smtp_server.stop()
    as_user("ambtsdrager.westbetuwe").start("threat_response", report())
    with mail_app.app_context():
        send_due()
    [failed] = _rows(mail_app, status=GAVE_UP)
    body = as_user("beheerder").get("/api/v1/notifications/failed-mails").get_json()
    assert body["total"] == 1
    [item] = body["items"]
    assert item["id"] == failed.id and item["kind"] == "new_task" and "ConnectionRefusedError" in item["last_error"]
    assert item["recipient"] == "gemeente.westbetuwe" and item["attempts"] == 1
    for username in ("gemeente.westbetuwe", "procesbeheerder", "politie"):
        response = as_user(username).get("/api/v1/notifications/failed-mails")
        assert response.status_code == 403 and response.get_json()["code"] == "forbidden"

    smtp_server.start()
    retried = as_user("beheerder").post(f"/api/v1/notifications/failed-mails/{failed.id}/retry")
    assert retried.status_code == 200 and retried.get_json()["status"] == "pending"
    with mail_app.app_context():
        send_due()
    assert [m["Subject"] for m in smtp_server.mailbox.to(GEMEENTE)]
    again = as_user("beheerder").post(f"/api/v1/notifications/failed-mails/{failed.id}/retry")
    assert again.status_code == 409 and again.get_json()["code"] == "conflict"
    missing = as_user("beheerder").post("/api/v1/notifications/failed-mails/999999/retry")
    assert missing.status_code == 404 and missing.get_json()["code"] == "not_found"
    bad = as_user("beheerder").get("/api/v1/notifications/failed-mails", query_string={"limit": 0})
    assert bad.status_code == 400


def test_a_digest_user_gets_one_mail_at_the_hour(mail_app, deployed, as_user, smtp_server, sender):
    with mail_app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "gemeente.westbetuwe"))
        service.update(user, user.email, "nl", {"new_task": "daily"}, 16)
    nine = datetime(2026, 12, 24, 9, 0, tzinfo=timezone.utc)  # 10:00 in the Netherlands
    with time_machine.travel(nine, tick=True) as traveller:
        cases = [as_user("ambtsdrager.westbetuwe").start("threat_response", report()) for _ in range(2)]
        time.sleep(0.5)
        assert smtp_server.mailbox.to(GEMEENTE) == []
        traveller.move_to(datetime(2026, 12, 24, 14, 59, tzinfo=timezone.utc))  # 15:59 Dutch time
        time.sleep(0.5)
        assert smtp_server.mailbox.to(GEMEENTE) == []
        traveller.move_to(datetime(2026, 12, 24, 15, 0, 5, tzinfo=timezone.utc))  # 16:00
        [digest] = wait_for(lambda: smtp_server.mailbox.to(GEMEENTE), 10, "the digest")
        traveller.move_to(datetime(2026, 12, 24, 15, 30, tzinfo=timezone.utc))
        time.sleep(0.5)
        with mail_app.app_context():
            assert bundle_digests() == 0
    assert len(smtp_server.mailbox.to(GEMEENTE)) == 1
    assert digest["Subject"] == "Vangnet: 2 meldingen van vandaag"
    text = digest.get_body(("plain",)).get_content()
    assert all(c["business_key"] in text for c in cases) and text.count("https://vangnet.example.org/tasks/") == 2
    assert [r.status for r in _rows(mail_app, kind=DIGEST)] == ["sent"]


def test_without_an_smtp_server_mails_go_to_the_log(app, deployed, as_user, caplog):
    app.config.update(VB_SMTP_URL="")
    as_user("ambtsdrager.westbetuwe").start("threat_response", report(incident_description="Geheim 4711"))
    with caplog.at_level(logging.INFO, logger="engine.notifications.transport"), app.app_context():
        send_due()
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "engine.notifications.transport")
    assert "gemeente.westbetuwe@example.org" in logged and "Een nieuwe taak voor uw rol" in logged
    assert "Geheim 4711" not in logged
    assert all(r.status == "sent" for r in _rows(app))
