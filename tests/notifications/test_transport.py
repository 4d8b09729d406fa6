"""VB_SMTP_URL: the documented forms, and what is refused with what to fix."""

import pytest

from engine import create_app
from engine.notifications.transport import MailConfigError, SmtpTarget, parse_smtp_url


@pytest.mark.parametrize(
    "url, target",
    [
        ("smtp://127.0.0.1:2525", SmtpTarget("smtp", "127.0.0.1", 2525, None, None)),
        ("smtp://relay.example", SmtpTarget("smtp", "relay.example", 25, None, None)),
        (
            "smtp+starttls://vangnet:p%40ss%3Aword@mail.example:587",
            SmtpTarget("smtp+starttls", "mail.example", 587, "vangnet", "p@ss:word"),
        ),
        ("smtps://vangnet:secret@mail.example", SmtpTarget("smtps", "mail.example", 465, "vangnet", "secret")),
    ],
)
def test_the_documented_forms(url, target):
    assert parse_smtp_url(url) == target


def test_empty_means_the_log():
    assert parse_smtp_url("") is None


@pytest.mark.parametrize(
    "url, problem",
    [
        ("http://mail.example", "must start with one of"),
        ("smtp://", "names no host"),
        ("smtp://mail.example:99999", "port"),
        ("smtp://user:secret@mail.example", "unencrypted"),
    ],
)
def test_what_is_refused(url, problem):
    with pytest.raises(MailConfigError, match=problem):
        parse_smtp_url(url)


def test_a_wrong_setting_stops_the_start_and_the_label_hides_the_password(database_url):
    with pytest.raises(MailConfigError, match="unencrypted"):
        create_app(
            {
                "SQLALCHEMY_DATABASE_URI": database_url,
                "TESTING": True,
                "VB_AUTO_MIGRATE": False,
                "VB_SMTP_URL": "smtp://user:secret@mail.example",
            }
        )
    assert "secret" not in parse_smtp_url("smtps://vangnet:secret@mail.example").label
