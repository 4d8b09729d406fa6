import pytest

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
