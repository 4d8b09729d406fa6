"""Claiming: a claimed task leaves others' inboxes; completing someone else's claim is refused."""

from tests.support.users import create_test_user


def test_claim_unclaim_and_foreign_completion(app, deploy_fixture, as_user):
    with app.app_context():
        create_test_user("gemeente.westbetuwe2", ["gemeente"], "GM0668", password="secret")
    deploy_fixture("basic")
    first = as_user("gemeente.westbetuwe")
    second = first.__class__(first.client).login("gemeente.westbetuwe2", "secret")
    case = first.start("simple_case", {"summary": "x", "municipality_code": "GM0668"})
    task = first.task_for(case["id"])

    claimed = first.post(f"/api/v1/tasks/{task['id']}/claim")
    assert claimed.status_code == 200 and claimed.get_json()["assignee"] == "gemeente.westbetuwe"
    assert second.tasks() == []
    refused = second.complete(task["id"], {"category": "bedreiging"}, expect=409)
    assert refused["message"] == "This task is claimed by gemeente.westbetuwe."
    assert second.post(f"/api/v1/tasks/{task['id']}/claim").status_code == 409

    assert first.post(f"/api/v1/tasks/{task['id']}/unclaim").status_code == 200
    assert [t["id"] for t in second.tasks()] == [task["id"]]
    assert second.post(f"/api/v1/tasks/{task['id']}/claim").status_code == 200
    conflict = first.complete(task["id"], {"category": "bedreiging"}, expect=409)
    assert "claimed by gemeente.westbetuwe2" in conflict["message"]
    second.complete(task["id"], {"category": "bedreiging"})
    assert second.post(f"/api/v1/tasks/{task['id']}/claim").status_code == 409
    events = [e["event"] for e in first.history(case["id"])]
    assert events.count("task.claimed") == 2 and events.count("task.unclaimed") == 1


def test_who_is_told_what_when_they_may_not_work_a_task(deploy_fixture, as_user):
    # one decision (access/policy.refusal_to_work) for claim and completion: a task the caller cannot see is
    # not there (404); one they see but may not work is not there either; one they see that has ended is a
    # conflict (409) that says so
    deploy_fixture("basic")
    gemeente, amsterdam, politie = as_user("gemeente.westbetuwe"), as_user("gemeente.amsterdam"), as_user("politie")
    case = gemeente.start("simple_case", {"summary": "x", "municipality_code": "GM0668"})
    task = gemeente.task_for(case["id"])
    for caller in (amsterdam, politie):
        assert caller.post(f"/api/v1/tasks/{task['id']}/claim").status_code == 404
        caller.complete(task["id"], {"category": "bedreiging"}, expect=404)
    gemeente.complete(task["id"], {"category": "bedreiging"})
    ended = gemeente.complete(task["id"], {"category": "bedreiging"}, expect=409)
    assert ended["message"] == "This task is completed; it can no longer be changed."
    assert gemeente.post(f"/api/v1/tasks/{task['id']}/claim").status_code == 409
    assert amsterdam.post(f"/api/v1/tasks/{task['id']}/claim").status_code == 404
    amsterdam.complete(task["id"], {"category": "bedreiging"}, expect=404)
    for caller in (gemeente, amsterdam):
        assert caller.post("/api/v1/tasks/not-a-task/claim").status_code == 404
