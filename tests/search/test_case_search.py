"""`GET /api/v1/process-instances` searches (q, period, office holder, open task, order) within what the
caller may see; `/api/v1/saved-searches` keeps a user's own searches."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
import time_machine

from engine.app.cli import deploy_folders
from tests.scenarios.flow import Team, report
from tests.support.api import PROJECT


@pytest.fixture
def cases(app, as_user):
    with app.app_context():
        deploy_folders([PROJECT / "processes", PROJECT / "forms"], actor="test")
    gemeente = as_user("gemeente.westbetuwe")
    started = {}
    for title, role, day in (("Dreigbrief burgemeester", "burgemeester", 1), ("Online haat wethouder", "wethouder", 2)):
        with time_machine.travel(datetime(2026, 3, day, 9, tzinfo=timezone.utc), tick=False):
            started[role] = gemeente.start("threat_response", report(case_title=title, office_holder_role=role))
    with time_machine.travel(datetime(2026, 3, 3, 9, tzinfo=timezone.utc), tick=False):
        started["amsterdam"] = as_user("gemeente.amsterdam").start(
            "threat_response", report(case_title="Dreigbrief Amsterdam", municipality_code="GM0363")
        )
    return started


def _keys(api, **params):
    response = api.get("/api/v1/process-instances", query_string=params)
    assert response.status_code == 200, response.get_json()
    return [item["business_key"] for item in response.get_json()["items"]]


def test_search_within_what_the_caller_may_see(cases, as_user):
    west, admin = as_user("gemeente.westbetuwe"), as_user("beheerder")
    mayor, alderman = cases["burgemeester"]["business_key"], cases["wethouder"]["business_key"]
    assert _keys(west, q="DREIGBRIEF") == [mayor]  # Amsterdam's Dreigbrief is not West Betuwe's
    assert set(_keys(admin, q="dreigbrief")) == {mayor, cases["amsterdam"]["business_key"]}
    assert _keys(west, q=alderman[-4:]) == [alderman]
    assert _keys(west, started_from="2026-03-02T00:00:00+01:00") == [alderman]
    assert _keys(west, started_before="2026-03-02T00:00:00+01:00") == [mayor]
    assert _keys(west, office_holder_role="burgemeester") == [mayor]
    assert _keys(west, sort="started_at") == [mayor, alderman]
    assert _keys(west) == [alderman, mayor]
    Team(as_user).through_triage(cases["burgemeester"]["id"])
    assert _keys(west, open_task="triage") == [alderman]


@pytest.mark.parametrize(
    "params,field",
    [({"sort": "title"}, "sort"), ({"started_from": "2026-03-02"}, "started_from"), ({"q": "x" * 101}, "q")],
)
def test_a_wrong_search_parameter_is_a_400_or_422_naming_it(cases, as_user, params, field):
    answer = as_user("gemeente.westbetuwe").get("/api/v1/process-instances", query_string=params)
    assert answer.status_code in (400, 422), answer.get_json()
    assert field in str(answer.get_json())


def test_saved_searches_are_the_callers_own(app, as_user):
    west, amsterdam = as_user("gemeente.westbetuwe"), as_user("gemeente.amsterdam")
    created = west.post("/api/v1/saved-searches", json={"name": "Burgemeesters", "query": {"role": "burgemeester"}})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["url"] == "/cases?role=burgemeester" and body["query"] == {"role": "burgemeester"}
    assert [s["name"] for s in west.get("/api/v1/saved-searches").get_json()] == ["Burgemeesters"]
    assert amsterdam.get("/api/v1/saved-searches").get_json() == []
    taken = west.post("/api/v1/saved-searches", json={"name": "Burgemeesters", "query": {}})
    assert taken.status_code == 409 and taken.get_json()["reason"] == "name_taken"
    unknown = west.post("/api/v1/saved-searches", json={"name": "X", "query": {"title": "x"}})
    assert unknown.status_code == 422 and "query.title" in unknown.get_json()["errors"]
    assert amsterdam.delete(f"/api/v1/saved-searches/{body['id']}").status_code == 404
    assert west.delete(f"/api/v1/saved-searches/{body['id']}").status_code == 204
    assert west.get("/api/v1/saved-searches").get_json() == []
