"""The task list's filters: one statement per caller and kind of filter, the filter's values given anew on
each call (tasks/service.list_tasks), so a second call with another value answers for that value."""


def _ids(client, **params) -> list:
    return sorted(task["process_instance_id"] for task in client.tasks(**params))


def test_each_call_answers_for_its_own_filter_values(deploy_fixture, as_user):
    deploy_fixture("basic")
    gemeente, amsterdam = as_user("gemeente.westbetuwe"), as_user("gemeente.amsterdam")
    first = gemeente.start("simple_case", {"summary": "a", "municipality_code": "GM0668"})["id"]
    second = gemeente.start("simple_case", {"summary": "b", "municipality_code": "GM0668"})["id"]
    assert _ids(gemeente, process_instance_id=first) == [first]
    assert _ids(gemeente, process_instance_id=second) == [second]
    assert _ids(gemeente, process_id="simple_case") == sorted([first, second])
    assert _ids(gemeente, process_id="no_such_process") == []
    assert _ids(gemeente, candidate_group="gemeente") == sorted([first, second])
    assert _ids(gemeente, candidate_group="politie") == []

    task = gemeente.task_for(first)
    assert gemeente.post(f"/api/v1/tasks/{task['id']}/claim").status_code == 200
    assert _ids(gemeente, assigned="me") == [first]
    assert _ids(gemeente, assigned="none") == [second]
    # the same kind of call from another caller is that caller's: Amsterdam sees none of West Betuwe's tasks
    assert _ids(amsterdam, process_id="simple_case") == [] and _ids(amsterdam, assigned="none") == []
    # a page and the total beyond it
    page = gemeente.get("/api/v1/tasks", query_string={"limit": 1}).get_json()
    assert page["total"] == 2 and len(page["items"]) == 1
    page = gemeente.get("/api/v1/tasks", query_string={"limit": 1, "offset": 1}).get_json()
    assert page["total"] == 2 and len(page["items"]) == 1
