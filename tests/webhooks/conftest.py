import pytest

from tests.support.api import PROJECT
from tests.webhooks.support import SECRETS, Sender


@pytest.fixture(autouse=True)
def webhook_secrets(monkeypatch):
    """The sources' secrets, as an operator sets them (VB_WEBHOOK_SECRET_<SOURCE>)."""
    for source, secret in SECRETS.items():
        monkeypatch.setenv(f"VB_WEBHOOK_SECRET_{source.upper()}", secret)
    return SECRETS


@pytest.fixture
def sender(client):
    return Sender(client)


@pytest.fixture
def deploy_real(app):
    """The project's own processes/ and forms/, as `make run` deploys them."""
    from engine.app.cli import deploy_folders

    with app.app_context():
        return deploy_folders([PROJECT / "processes", PROJECT / "forms"], actor="test")
