"""Due dates of user tasks in the task API, and overdue tasks listed per role."""

from datetime import datetime, timedelta

import pytest


@pytest.fixture
def cases(deploy_fixture, as_user, clock):
    deploy_fixture("timers")
    westbetuwe, amsterdam = as_user("gemeente.westbetuwe"), as_user("gemeente.amsterdam")
    return {
        "westbetuwe": westbetuwe.start("checkin_cycle", {"municipality_code": "GM0668"}),
        "amsterdam": amsterdam.start("checkin_cycle", {"municipality_code": "GM0363"}),
        "ivp": westbetuwe.start("ivp_escalation", {"municipality_code": "GM0668"}),
    }


def _ids(tasks):
    return sorted(t["process_instance_id"] for t in tasks)


def test_due_dates_from_the_diagram_are_in_the_task_api(cases, as_user, clock):
    [handle] = as_user("gemeente.westbetuwe").tasks(process_instance_id=cases["westbetuwe"]["id"])
    assert abs(datetime.fromisoformat(handle["due_at"]) - (clock.now() + timedelta(days=1))) < timedelta(seconds=5)
    assert handle["overdue"] is False
    [contact] = as_user("ivp").tasks(process_instance_id=cases["ivp"]["id"])
    assert abs(datetime.fromisoformat(contact["due_at"]) - (clock.now() + timedelta(hours=1))) < timedelta(seconds=5)


def test_overdue_tasks_per_role_for_the_people_of_that_role(cases, as_user, clock):
    westbetuwe, amsterdam, ivp = as_user("gemeente.westbetuwe"), as_user("gemeente.amsterdam"), as_user("ivp")
    clock.move_to(clock.now() + timedelta(hours=2))  # no scheduler runs: the escalation does not interrupt
    assert westbetuwe.tasks(overdue="true", candidate_group="gemeente") == []
    [late] = ivp.tasks(overdue="true", candidate_group="ivp")
    assert late["element_id"] == "first_contact" and late["overdue"] is True

    clock.move_to(clock.now() + timedelta(days=2))
    assert _ids(westbetuwe.tasks(overdue="true", candidate_group="gemeente")) == [cases["westbetuwe"]["id"]]
    assert _ids(amsterdam.tasks(overdue="true", candidate_group="gemeente")) == [cases["amsterdam"]["id"]]
    assert westbetuwe.tasks(overdue="true", candidate_group="politie") == []
    assert all(t["overdue"] for t in westbetuwe.tasks(overdue="true"))


def test_an_unknown_role_is_refused(cases, as_user):
    response = as_user("gemeente.westbetuwe").get(
        "/api/v1/tasks", query_string={"overdue": "true", "candidate_group": "gemeenten"}
    )
    assert response.status_code == 400  # a query that names what cannot be: 400 (docs/api.md)
    assert "candidate_group" in str(response.get_json()["errors"])


def test_overseers_list_all_overdue_tasks_per_role(cases, as_user, clock):
    admin = as_user("beheerder")
    clock.move_to(clock.now() + timedelta(days=2))
    body = admin.get("/api/v1/timers/overdue-tasks").get_json()
    assert body["total"] == 3 and body["by_role"] == {"gemeente": 2, "ivp": 1}
    assert body["items"][0]["element_id"] == "first_contact"  # most overdue first
    assert [t["overdue"] for t in body["items"]] == [True] * 3

    per_role = admin.get("/api/v1/timers/overdue-tasks", query_string={"candidate_group": "gemeente"}).get_json()
    assert _ids(per_role["items"]) == sorted([cases["westbetuwe"]["id"], cases["amsterdam"]["id"]])
    one_town = admin.get("/api/v1/timers/overdue-tasks", query_string={"municipality_code": "GM0363"}).get_json()
    assert _ids(one_town["items"]) == [cases["amsterdam"]["id"]] and one_town["by_role"] == {"gemeente": 1}
    paged = admin.get("/api/v1/timers/overdue-tasks", query_string={"limit": 1, "offset": 1}).get_json()
    assert paged["total"] == 3 and len(paged["items"]) == 1
    assert as_user("procesbeheerder").get("/api/v1/timers/overdue-tasks").status_code == 200


@pytest.mark.parametrize("query", [{"candidate_group": "iedereen"}, {"municipality_code": "0668"}, {"limit": 0}])
def test_overseer_list_refuses_bad_filters(cases, as_user, query):
    response = as_user("beheerder").get("/api/v1/timers/overdue-tasks", query_string=query)
    assert response.status_code == 400
    assert list(query)[0] in str(response.get_json()["errors"])


def test_overseer_list_is_not_for_case_workers(cases, as_user):
    response = as_user("gemeente.westbetuwe").get("/api/v1/timers/overdue-tasks")
    assert response.status_code == 403
    assert "/api/v1/tasks?overdue=true" in response.get_json()["message"]
