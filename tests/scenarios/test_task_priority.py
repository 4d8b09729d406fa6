"""Urgent work first: `camunda:priority` on the user tasks of a report of acute danger."""

from __future__ import annotations

import re

from tests.scenarios.flow import Team


def _task(user, case_id, element_id):
    return user.task_for(case_id, element_id)


def test_a_report_of_acute_danger_makes_its_tasks_urgent(as_user, deploy_real):
    team = Team(as_user).login("gemeente", "politie")
    calm = team.start_threat()
    acute = team.start_threat(acute_danger=True)
    police_task = _task(team.politie, acute["id"], "acute_police_response")
    assert (police_task["priority"], police_task["urgent"]) == (100, True)
    assert team.politie.get(f"/api/v1/tasks/{police_task['id']}").get_json()["urgent"] is True
    _act_on_acute_danger(team, acute["id"])
    triage = _task(team.gemeente, acute["id"], "triage")
    assert (triage["priority"], triage["urgent"]) == (90, True)
    calm_triage = _task(team.gemeente, calm["id"], "triage")
    assert (calm_triage["priority"], calm_triage["urgent"]) == (50, False)


def _act_on_acute_danger(team, case_id):
    team.do(
        team.politie,
        case_id,
        "acute_police_response",
        {"acute_contact_at": "2026-11-28T15:00", "acute_measures": ["geen"]},
    )


def test_the_inbox_shows_urgent_tasks_first_and_marked(app, as_user, deploy_real):
    from tests.web.conftest import WebClient

    team = Team(as_user).login("gemeente", "politie")
    acute = team.start_threat(acute_danger=True)
    calm = team.start_threat()
    _act_on_acute_danger(team, acute["id"])  # the acute triage is due after the calm one: by due date it is second
    page = WebClient(app).sign_in("gemeente.westbetuwe")
    html = page.get("/").get_data(as_text=True)
    rows = re.findall(r'<tr class="([^"]*)" data-task-id="[^"]*">(.*?)</tr>', html, re.S)
    keys = [acute["business_key"], calm["business_key"]]
    order = [next(k for k in keys if k in body) for _, body in rows if any(k in body for k in keys)]
    assert order[0] == acute["business_key"]
    urgent_row = next((cls, body) for cls, body in rows if acute["business_key"] in body and "Triage" in body)
    assert "is-urgent" in urgent_row[0] and "badge--urgent" in urgent_row[1] and "spoed" in urgent_row[1]
    calm_row = next(body for _, body in rows if calm["business_key"] in body)
    assert "badge--urgent" not in calm_row
    assert 'data-count="urgent">1<' in html
    # the latest due first still puts urgent work on top; oldest first is a plain date order
    assert page.get("/?sort=-due").get_data(as_text=True).index(acute["business_key"]) < page.get(
        "/?sort=-due"
    ).get_data(as_text=True).index(calm["business_key"])
    oldest = page.get("/?sort=oldest").get_data(as_text=True)
    assert oldest.index(calm["business_key"]) < oldest.index(acute["business_key"])
