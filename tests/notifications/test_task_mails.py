"""Mails for new tasks: written with the case step, sent through a real SMTP server, to exactly the people
the inbox shows the task to, in their language, with the link and nothing of the report."""

import sqlalchemy as sa

from engine.db.extensions import db
from engine.identity.models import User
from engine.identity.municipalities import municipality_name
from engine.notifications.models import MailMessage
from tests.notifications.conftest import wait_for
from tests.scenarios.flow import report

MARKER = "ZEBRA-7741-geheim"


def _set_language(app, username, language):
    with app.app_context():
        db.session.execute(sa.update(User).where(User.username == username).values(language=language))
        db.session.commit()


def _bodies(message) -> tuple[str, str]:
    return message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()


def test_a_report_mails_the_municipality_in_its_language_without_the_report(
    mail_app, deployed, as_user, smtp_server, sender
):
    _set_language(mail_app, "gemeente.westbetuwe", "en")
    case = as_user("ambtsdrager.westbetuwe").start(
        "threat_response",
        report(case_title=f"Dreigbrief {MARKER}", incident_description=f"Brief van {MARKER} aan de Dorpsstraat 1."),
    )
    [triage] = as_user("gemeente.westbetuwe").tasks(process_instance_id=case["id"])

    [mail] = wait_for(lambda: smtp_server.mailbox.to("gemeente.westbetuwe@example.org"), 10, "the triage mail")
    text, html = _bodies(mail)
    assert mail.get_content_type() == "multipart/alternative"
    assert mail["Subject"].startswith("Vangnet: A new task for your role") and case["business_key"] in mail["Subject"]
    link = f"https://vangnet.example.org/tasks/{triage['id']}"
    assert link in text and f'href="{link}"' in html
    assert f"Municipality: {municipality_name('GM0668')}\r\n" in text and f"Case: {case['business_key']}" in text
    assert f"Task: {triage['name']}" in text
    assert "Task: " in text  # English labels for an English user

    # Nobody who may not see the task hears of it; the office holder is not a worker of the triage.
    for username in ("gemeente.amsterdam", "politie", "beheerder", "ambtsdrager.westbetuwe"):
        assert smtp_server.mailbox.to(f"{username}@example.org") == []
    # A marker typed into the report's free text never reaches the SMTP server, in any mail.
    wait_for(lambda: all(row.status == "sent" for row in _rows(mail_app)), 5, "every mail sent")
    for received in smtp_server.mailbox.received:
        assert MARKER.encode() not in received["raw"]


def _rows(app):
    with app.app_context():
        rows = db.session.scalars(sa.select(MailMessage)).all()
        db.session.expunge_all()
        return rows


def test_dutch_by_default(mail_app, deployed, as_user, smtp_server, sender):
    as_user("ambtsdrager.westbetuwe").start("threat_response", report())
    [mail] = wait_for(lambda: smtp_server.mailbox.to("gemeente.westbetuwe@example.org"), 10, "the triage mail")
    assert mail["Subject"].startswith("Vangnet: Een nieuwe taak voor uw rol")
    assert "Taak: " in _bodies(mail)[0]
