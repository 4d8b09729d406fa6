"""A real SMTP server (aiosmtpd) on 127.0.0.1 at a free port, and the mail sender running beside the app."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from engine.app.cli import deploy_folders
from engine.db.extensions import db
from engine.identity.models import User
from engine.notifications.sender import run
from tests.support.api import PROJECT


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    """What the SMTP server received: the envelope and the raw bytes of each mail."""

    def __init__(self):
        self.received: list[dict] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.received.append(
                {
                    "from": envelope.mail_from,
                    "to": list(envelope.rcpt_tos),
                    "raw": envelope.original_content or envelope.content,
                }
            )
        return "250 OK"

    def to(self, address: str) -> list:
        with self.lock:
            return [
                email.message_from_bytes(m["raw"], policy=email.policy.default)
                for m in self.received
                if address in m["to"]
            ]

    def count(self) -> int:
        with self.lock:
            return len(self.received)


class SmtpServer:
    def __init__(self):
        self.port = free_port()
        self.mailbox = Mailbox()
        self.controller = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_server():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_app(app, smtp_server):
    """The app sending through the test's SMTP server, with short retries."""
    app.config.update(
        VB_SMTP_URL=smtp_server.url,
        VB_MAIL_FROM="Vangnet <vangnet@example.org>",
        VB_BASE_URL="https://vangnet.example.org",
        VB_MAIL_RETRY_BASE_SECONDS=0.5,
        VB_MAIL_RETRY_MAX_SECONDS=2.0,
        VB_MAIL_TIMEOUT_SECONDS=5.0,
        VB_MAIL_DIGEST_CHECK_SECONDS=0.1,
    )
    return app


@pytest.fixture
def sender(mail_app):
    """The mail sender loop (as `flask mail-send` runs it) in a thread of the test process."""
    stop = threading.Event()
    thread = threading.Thread(target=run, args=(mail_app, stop, 0.05), daemon=True)
    thread.start()
    yield thread
    stop.set()
    thread.join(10)


@pytest.fixture
def deployed(app):
    with app.app_context():
        deploy_folders([PROJECT / "processes", PROJECT / "forms"], actor="test")


def wait_for(predicate, timeout: float = 10.0, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {message}")
        time.sleep(0.05)


from tests.timers.conftest import clock, long_tokens, running_schedulers, start_scheduler  # noqa: E402,F401


# The demo users of the gemeente's and the OM's sub-roles (the griffie, the secretaris, the driehoek members, the
# hoofdofficier) are told of their parent role's tasks as well; the delivery tests count the mails of one
# recipient per role, so these users have no address here, except where a test gives them one
# (test_recipients.py: the sub-roles are told).
SUB_ROLE_USERS = (
    "griffie.westbetuwe",
    "secretaris.westbetuwe",
    "burgemeester.westbetuwe",
    "locoburgemeester.westbetuwe",
    "hoofdofficier",
)


@pytest.fixture(autouse=True)
def _one_recipient_per_role(app):
    with app.app_context():
        db.session.execute(sa.update(User).where(User.username.in_(SUB_ROLE_USERS)).values(email=None))
        db.session.commit()
