"""E-mail notifications: who hears of which task (preferences), the mail outbox written with the case step
that caused it, the reminders the timer scheduler fires at due dates, and the SMTP sender."""

from .cli import register_commands
from .transport import parse_smtp_url


def init_app(app) -> None:
    """Check the SMTP setting (a wrong one stops the start, with what to fix) and add the commands."""
    parse_smtp_url(app.config["VB_SMTP_URL"])
    register_commands(app)
