"""The studio's fixtures. `studio_deployed` deploys the acceptance tests' process (`TARGET`, the real threat
response: processes/ and forms/) as `flask deploy` does, which brings its scenario test into the studio;
`fixture_deployed` deploys the small Camunda 7 fixture (`FIXTURE`) the same way. Both in tests/studio/target.py."""

from __future__ import annotations

import os

import pytest

from engine.app.cli import deploy_folders
from engine.db.extensions import db

from tests.studio.target import FIXTURE, TARGET


def _deploy(app, target):
    with app.app_context():
        # relative to the checkout, as `flask deploy` is run there (the version list shows `cli:processes,forms`)
        report = deploy_folders([os.path.relpath(f) for f in target.folders], actor="test")
        db.session.remove()
    return report


@pytest.fixture
def studio_deployed(app):
    """The threat response and the other real processes deployed (version 1), its scenario test in the studio."""
    return _deploy(app, TARGET)


@pytest.fixture
def fixture_deployed(app):
    """The studio fixture deployed (version 1), its scenario test in the studio."""
    return _deploy(app, FIXTURE)


@pytest.fixture
def owner(as_user):
    return as_user("procesbeheerder")
