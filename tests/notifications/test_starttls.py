"""`smtp+starttls://user:pass@host:port`: the sender upgrades the connection with STARTTLS, checks the
server's certificate and logs in; a wrong password is an attempt that failed, and no password is logged."""

import ipaddress
import ssl
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from engine.db.extensions import db
from engine.notifications.models import MailMessage
from engine.notifications.sender import send_due
from tests.notifications.conftest import Mailbox, free_port
from tests.scenarios.flow import report

PASSWORD = "p@ss:w0rd-of-the-relay"


@pytest.fixture
def certificate(tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "relay.pem", tmp_path / "relay.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file


@pytest.fixture
def relay(certificate):
    """An SMTP server that requires STARTTLS and a login (as a submission port does)."""
    cert_file, key_file = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    logins = []

    def authenticate(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, session.ssl is not None))
        return AuthResult(success=auth_data.login == b"vangnet" and auth_data.password == PASSWORD.encode())

    mailbox, port = Mailbox(), free_port()
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=True,
        auth_required=True,
        auth_require_tls=True,
        authenticator=authenticate,
    )
    controller.start()
    yield mailbox, port, logins
    controller.stop()


def _statuses(app):
    with app.app_context():
        rows = db.session.execute(sa.select(MailMessage.status, MailMessage.last_error)).all()
        db.session.rollback()
        return rows


def test_starttls_and_login(app, deployed, as_user, relay, certificate, caplog):
    mailbox, port, logins = relay
    app.config.update(
        VB_SMTP_URL=f"smtp+starttls://vangnet:p%40ss%3Aw0rd-of-the-relay@127.0.0.1:{port}",
        VB_SMTP_CA_FILE=str(certificate[0]),
    )
    as_user("ambtsdrager.westbetuwe").start("threat_response", report())
    with app.app_context():
        send_due()
    assert logins == [(b"vangnet", True)]  # logged in over the encrypted connection only
    assert [m["To"] for m in mailbox.to("gemeente.westbetuwe@example.org")] == ["gemeente.westbetuwe@example.org"]
    assert {status for status, _ in _statuses(app)} == {"sent"}


def test_a_wrong_password_is_a_failed_attempt(app, deployed, as_user, relay, certificate, caplog):
    mailbox, port, _logins = relay
    app.config.update(
        VB_SMTP_URL=f"smtp+starttls://vangnet:not-it@127.0.0.1:{port}",
        VB_SMTP_CA_FILE=str(certificate[0]),
        VB_MAIL_TIMEOUT_SECONDS=3,
    )
    as_user("ambtsdrager.westbetuwe").start("threat_response", report())
    with app.app_context():
        send_due()
    assert mailbox.count() == 0
    [(status, error)] = _statuses(app)
    # refused (535), or the server hangs up on the next try of smtplib: either way an attempt to retry
    assert status == "pending" and error.startswith(("SMTPAuthenticationError", "SMTPServerDisconnected"))
    assert "not-it" not in error
    assert "not-it" not in caplog.text


def test_a_certificate_nobody_vouches_for_is_refused(app, deployed, as_user, relay):
    mailbox, port, logins = relay
    app.config.update(VB_SMTP_URL=f"smtp+starttls://vangnet:p%40ss%3Aw0rd-of-the-relay@127.0.0.1:{port}")
    as_user("ambtsdrager.westbetuwe").start("threat_response", report())
    with app.app_context():
        send_due()
    assert mailbox.count() == 0 and logins == []  # the password never left for an unverified server
    [(status, error)] = _statuses(app)
    assert status == "pending" and "CERTIFICATE_VERIFY_FAILED" in error
