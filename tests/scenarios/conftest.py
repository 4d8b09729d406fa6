"""Fixtures for the scenario tests: the real processes/ and forms/ deployed, users of every role."""

from pathlib import Path

import pytest

from engine.app.cli import deploy_folders
from tests.support.api import PROJECT

SCENARIO_FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def deploy_real(app):
    """Deploy the project's own processes/ and forms/ (what `make run` deploys)."""
    with app.app_context():
        return deploy_folders([PROJECT / "processes", PROJECT / "forms"], actor="test")


@pytest.fixture
def deploy_scenario_fixture(app):
    def deploy(name):
        with app.app_context():
            return deploy_folders([SCENARIO_FIXTURES / name], actor="test")

    return deploy


@pytest.fixture
def make_user(app):
    """Create an extra user (e.g. a gemeente user of a third municipality); password 'demo'."""
    from tests.support.users import create_test_user

    def make(username, role, municipality=None):
        with app.app_context():
            create_test_user(username, [role], municipality, username)
        return username

    return make
