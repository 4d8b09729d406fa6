"""Due-tomorrow and overdue mails come from the timer scheduler at the due dates (a clock the tests move),
exactly once per task and person, to the assignee or the task's role."""

import time
from datetime import timedelta

import sqlalchemy as sa

from engine.db.extensions import db
from engine.notifications.models import DUE_TOMORROW, OVERDUE, MailMessage
from tests.notifications.conftest import wait_for


def _mails(app, kind):
    with app.app_context():
        rows = db.session.execute(
            sa.select(MailMessage.user_id, MailMessage.task_id, MailMessage.status).where(MailMessage.kind == kind)
        ).all()
        db.session.rollback()
        return rows


def _subjects(smtp_server, address):
    return [m["Subject"] for m in smtp_server.mailbox.to(address)]


def test_an_overdue_task_mails_its_role_once_at_the_due_date(
    mail_app, deploy_fixture, as_user, clock, start_scheduler, smtp_server, sender
):
    deploy_fixture("timers")
    start_scheduler()
    case = as_user("gemeente.westbetuwe").start("checkin_cycle", {"municipality_code": "GM0668"})
    [handle] = as_user("gemeente.westbetuwe").tasks(process_instance_id=case["id"])
    address = "gemeente.westbetuwe@example.org"
    wait_for(lambda: _subjects(smtp_server, address), 10, "the new-task mail")

    clock.move_to(clock.now() + timedelta(hours=23, minutes=50))  # the hourly reminders fire; not due yet
    wait_for(lambda: len(_subjects(smtp_server, address)) == 4, 15, "three hourly tasks' mails")
    assert _mails(mail_app, OVERDUE) == []

    clock.move_to(clock.now() + timedelta(minutes=11))  # past the due date
    wait_for(lambda: any("te laat" in s for s in _subjects(smtp_server, address)), 15, "the overdue mail")
    clock.move_to(clock.now() + timedelta(days=2))
    time.sleep(1.0)  # the scheduler and the sender had time to do anything more
    overdue = [s for s in _subjects(smtp_server, address) if "te laat" in s]
    assert overdue == [f"Vangnet: Een taak is te laat ({case['business_key']})"]
    assert [(task, status) for _user, task, status in _mails(mail_app, OVERDUE)] == [(handle["id"], "sent")]
    assert smtp_server.mailbox.to("gemeente.amsterdam@example.org") == []


def test_an_assigned_task_reminds_its_assignee_a_day_before_and_at_the_due_date(
    mail_app, deploy_fixture, as_user, clock, start_scheduler, smtp_server, sender
):
    deploy_fixture("notifications")
    start_scheduler()
    case = as_user("gemeente.westbetuwe").start(
        "assigned_review", {"municipality_code": "GM0668", "handler": "gemeente.westbetuwe"}
    )
    address = "gemeente.westbetuwe@example.org"
    [assigned] = wait_for(lambda: _subjects(smtp_server, address), 10, "the assigned mail")
    assert assigned.startswith("Vangnet: Er is een taak aan u toegewezen")

    clock.move_to(clock.now() + timedelta(days=2, hours=1))
    wait_for(lambda: len(_subjects(smtp_server, address)) == 2, 15, "the due-tomorrow mail")
    assert _subjects(smtp_server, address)[1] == f"Vangnet: Een taak verloopt morgen ({case['business_key']})"
    assert _mails(mail_app, OVERDUE) == []
    clock.move_to(clock.now() + timedelta(days=1))
    wait_for(lambda: len(_subjects(smtp_server, address)) == 3, 15, "the overdue mail")
    assert len(_mails(mail_app, DUE_TOMORROW)) == 1 and len(_mails(mail_app, OVERDUE)) == 1
    # The task is the assignee's: the role's other people are not told.
    assert smtp_server.mailbox.count() == 3
