"""`flask --app engine mail-send`: run the mail sender in the foreground until SIGINT/SIGTERM."""

from __future__ import annotations

import signal
import threading

import click
from flask import current_app
from flask.cli import with_appcontext
from .sender import run
from .transport import parse_smtp_url


@click.command("mail-send")
@with_appcontext
def mail_send_command():
    """Send the notification mails of the outbox (several senders may run at once)."""
    app = current_app._get_current_object()
    target = parse_smtp_url(app.config["VB_SMTP_URL"])
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    click.echo(
        f"Mail sender running ({target.label if target else 'no VB_SMTP_URL: mails go to the log'}); Ctrl+C to stop."
    )
    run(app, stop)
    click.echo("Mail sender stopped.")


def register_commands(app) -> None:
    app.cli.add_command(mail_send_command)
