"""How mails leave: SMTP (standard library `smtplib`) at the address of `VB_SMTP_URL`, or the log when it
is unset (the embedded demo).

    smtp://host:port                    plain SMTP, no login (a relay on the same host or network)
    smtp+starttls://user:pass@host:port SMTP, upgraded with STARTTLS before the login (submission, port 587)
    smtps://user:pass@host:port         TLS from the first byte (port 465)

User name and password are percent-encoded in the URL; a login is made only when the URL carries a user,
and never over a connection that is not encrypted (`smtp://user@...` is refused at start-up). The server's
certificate is checked against the system's CAs, or those in `VB_SMTP_CA_FILE` (an internal relay's CA).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

log = logging.getLogger(__name__)
SCHEMES = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}


class MailConfigError(ValueError):
    pass


@dataclass(frozen=True)
class SmtpTarget:
    scheme: str
    host: str
    port: int
    username: str | None
    password: str | None

    @property
    def label(self) -> str:
        """The server without its credentials, for logs and error messages."""
        return f"{self.scheme}://{self.host}:{self.port}"


def parse_smtp_url(url: str) -> SmtpTarget | None:
    """None for an empty setting (mails go to the log); a MailConfigError says what is wrong."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        raise MailConfigError(f"VB_SMTP_URL must start with one of {', '.join(s + '://' for s in SCHEMES)}.")
    if not parts.hostname:
        raise MailConfigError("VB_SMTP_URL names no host, e.g. smtp://127.0.0.1:2525.")
    try:
        port = parts.port or SCHEMES[parts.scheme]
    except ValueError:
        raise MailConfigError("The port of VB_SMTP_URL is not a number from 1 to 65535.") from None
    username = unquote(parts.username) if parts.username else None
    if username and parts.scheme == "smtp":
        raise MailConfigError("VB_SMTP_URL logs in over an unencrypted connection: use smtp+starttls:// or smtps://.")
    password = unquote(parts.password) if parts.password is not None else None
    return SmtpTarget(parts.scheme, parts.hostname, port, username, password)


class SmtpTransport:
    """One connection per round of the sender: opened, used for every mail of the round, closed."""

    def __init__(self, target: SmtpTarget, timeout: float, ca_file: str | None = None):
        self.target = target
        self.timeout = timeout
        self.ca_file = ca_file or None
        self._client: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpTransport:
        target, context = self.target, ssl.create_default_context(cafile=self.ca_file)
        if target.scheme == "smtps":
            client = smtplib.SMTP_SSL(target.host, target.port, timeout=self.timeout, context=context)
        else:
            client = smtplib.SMTP(target.host, target.port, timeout=self.timeout)
        try:
            client.ehlo()
            if target.scheme == "smtp+starttls":
                client.starttls(context=context)
                client.ehlo()
            if target.username:
                client.login(target.username, target.password or "")
        except Exception:
            client.close()
            raise
        self._client = client
        return self

    def send(self, message: EmailMessage) -> None:
        self._client.send_message(message)

    def __exit__(self, *exc) -> None:
        try:
            self._client.quit()
        except (smtplib.SMTPException, OSError):
            self._client.close()


class LogTransport:
    """Without VB_SMTP_URL: each mail is written to the log (it holds only the safe facts)."""

    def __enter__(self) -> LogTransport:
        return self

    def send(self, message: EmailMessage) -> None:
        log.info(
            "Mail (no VB_SMTP_URL set, not sent) to %s: %s\n%s",
            message["To"],
            message["Subject"],
            message.get_body(("plain",)).get_content(),
        )

    def __exit__(self, *exc) -> None:
        return None
