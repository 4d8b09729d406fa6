"""The studio's server-rendered pages through the test client: sign-in, CSRF, new files, roles."""

from __future__ import annotations

import re

import pytest

from tests.studio.target import FIXTURE


def _sign_in(client, username):
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/login", data={"username": username, "password": "demo", "csrf_token": token})
    page = client.get("/studio").get_data(as_text=True)
    match = re.search(r'name="csrf-token" content="([^"]+)"', page)
    return match.group(1) if match else None


@pytest.mark.parametrize("file_name", ["melding.bpmn", "drempel.dmn", "intake.form", "melding.test.json"])
def test_a_new_file_starts_from_a_valid_blank_and_opens_in_its_editor(fixture_deployed, client, owner, file_name):
    token = _sign_in(client, "procesbeheerder")
    if file_name.endswith(".test.json"):  # a scenario test belongs to the diagram of the same name
        client.post("/studio/new", data={"file_name": "melding.bpmn", "csrf_token": token})
    response = client.post("/studio/new", data={"file_name": file_name, "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/studio/edit/{file_name}")
    page = client.get(f"/studio/edit/{file_name}")
    assert page.status_code == 200 and "studio-" in page.get_data(as_text=True)
    report = owner.post("/api/v1/studio/validate", json={}).get_json()
    assert report["valid"], report["errors"]
    if file_name.endswith(".test.json"):
        results = owner.post("/api/v1/studio/tests/run", json={"only": file_name}).get_json()["results"]
        assert [r["passed"] for r in results] == [True]


def test_new_file_form_refuses_bad_names_and_duplicates_without_a_500(fixture_deployed, client):
    token = _sign_in(client, "procesbeheerder")
    for name in ("../x.bpmn", "notes.txt", FIXTURE.bpmn_file):
        response = client.post("/studio/new", data={"file_name": name, "csrf_token": token}, follow_redirects=True)
        assert response.status_code == 200
        assert re.search(r'class="[^"]*\bnotice notice--error\b', response.get_data(as_text=True))
    assert client.post("/studio/new", data={"file_name": "x.bpmn"}).status_code == 400  # no CSRF token


def test_pages_need_the_right_role(fixture_deployed, client):
    _sign_in(client, "gemeente.westbetuwe")
    for path in (
        "/studio",
        f"/studio/edit/{FIXTURE.bpmn_file}",
        "/studio/deploy",
        "/operations",
        f"/operations/heatmap/{FIXTURE.process_id}",
        "/studio/export.zip",
    ):
        assert client.get(path).status_code == 403, path
    client.get("/logout")


def test_operations_filters_refuse_bad_values_with_a_clear_page(fixture_deployed, client):
    _sign_in(client, "beheerder")
    assert client.get("/operations?min_age_days=abc").status_code == 422
    assert client.get("/operations?status=sleeping").status_code == 422
    assert client.get("/operations?process_id=studio_case&version=1&min_age_days=0").status_code == 200
    assert client.get("/operations/heatmap/unknown").status_code == 404
    assert client.get("/studio/processes/unknown/versions").status_code == 404
