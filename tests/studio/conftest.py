"""The studio's fixtures. `STUDIO_FOLDER` is the process the acceptance tests edit: a diagram written with
Camunda 7 attributes, its called process, decision table, forms and scenario test. To run the same tests
against the real threat response, point `STUDIO_FOLDER`, `STUDIO_PROCESS` and the element ids in
`tests/studio/target.py` at processes/threat_response.bpmn and its files."""
from __future__ import annotations

import pytest

from engine.cli import collect_files
from engine.definitions.service import deploy
from engine.extensions import db
from engine.studio import workspace

from tests.studio.target import TARGET


@pytest.fixture
def studio_deployed(app):
    """The target process deployed (version 1), its scenario test in the studio."""
    with app.app_context():
        report = deploy(collect_files([TARGET.folder]), "test", source=f"cli:{TARGET.folder.name}")
        for path in sorted(TARGET.folder.glob("*.test.*")):
            workspace.save_draft(path.name, path.read_text(encoding="utf-8"), "test")
        db.session.remove()
    return report


@pytest.fixture
def owner(as_user):
    return as_user("procesbeheerder")
