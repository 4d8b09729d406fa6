"""Notes on a case: sealed at rest, read by who sees the case, or only by the author's organisation."""

from __future__ import annotations

import sqlalchemy as sa

from tests.scenarios.conftest import deploy_real  # noqa: F401 (a fixture)
from tests.scenarios.flow import Team

TEXT = "Burgemeester gebeld over de camera bij de achterdeur"


def notes_url(case_id):
    return f"/api/v1/process-instances/{case_id}/notes"


def test_a_note_is_read_by_the_case_roles_and_sealed_at_rest(deploy_real, as_user, app):
    team = Team(as_user).login("gemeente", "politie")
    case_id = team.start_threat()["id"]
    team.to_threat_assessment(case_id)
    added = team.gemeente.post(notes_url(case_id), json={"text": TEXT})
    assert added.status_code == 201, added.get_json()
    note = added.get_json()
    assert note["author"] == "gemeente.westbetuwe" and note["organisation"] == "GM0668" and not note["restricted"]
    assert [n["text"] for n in team.politie.get(notes_url(case_id)).get_json()] == [TEXT]
    with app.app_context():
        from engine.db.extensions import db

        stored = b"".join(bytes(v) for v in db.session.scalars(sa.text("SELECT text FROM case_note")).all())
    assert stored and TEXT.encode() not in stored and b"camera" not in stored


def test_a_restricted_note_is_invisible_to_other_organisations(deploy_real, as_user, app):
    team = Team(as_user).login("gemeente", "politie")
    case_id = team.start_threat()["id"]
    team.to_threat_assessment(case_id)
    team.gemeente.post(
        notes_url(case_id), json={"text": "Voor OOV: wethouder overweegt te stoppen", "restricted": True}
    )
    team.politie.post(notes_url(case_id), json={"text": "Surveillance aangevraagd", "restricted": True})
    assert [n["author"] for n in team.gemeente.get(notes_url(case_id)).get_json()] == ["gemeente.westbetuwe"]
    assert [n["author"] for n in team.politie.get(notes_url(case_id)).get_json()] == ["politie"]
    assert as_user("gemeente.amsterdam").get(notes_url(case_id)).status_code == 404


def test_bad_notes_get_a_precise_4xx(deploy_real, as_user, app):
    team = Team(as_user).login("gemeente")
    case_id = team.start_threat()["id"]
    empty = team.gemeente.post(notes_url(case_id), json={"text": ""})
    assert empty.status_code == 422 and "text" in empty.get_json()["errors"]
    unknown = team.gemeente.post(notes_url(case_id), json={"text": "x", "colour": "red"})
    assert unknown.status_code == 422 and "colour" in unknown.get_json()["errors"]
    assert as_user("gemeente.amsterdam").post(notes_url(case_id), json={"text": "x"}).status_code == 404
    assert team.gemeente.get(notes_url(case_id)).get_json() == []
