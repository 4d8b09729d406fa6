"""A case from start to end through the REST API, with validation, visibility and the audit trail."""


def test_case_runs_start_to_end(deploy_fixture, as_user):
    deploy_fixture("basic")
    gemeente, politie = as_user("gemeente.westbetuwe"), as_user("politie")
    case = gemeente.start("simple_case", {"summary": "Dreigbrief", "municipality_code": "GM0668"})
    assert case["status"] == "running"
    assert case["active_elements"] == ["triage"]
    assert case["business_key"].startswith("VB-")

    triage = gemeente.task_for(case["id"], "triage")
    assert triage["candidate_groups"] == ["gemeente"]
    assert triage["due_at"] is not None
    gemeente.complete(triage["id"], {"acute_danger": True, "category": "bedreiging"})

    check = politie.task_for(case["id"], "police_check")
    result = politie.complete(check["id"], {"police_reference": "PL-2026-1"})
    assert result["instance_status"] == "completed"

    detail = gemeente.case(case["id"])
    assert detail["status"] == "completed"
    assert detail["variables"]["severity"] == "hoog"
    events = [(e["event"], e["element_id"]) for e in gemeente.history(case["id"])]
    assert events[0] == ("case.started", None)
    assert ("task.completed", "triage") in events
    assert ("element.completed", "score") in events
    assert events[-1] == ("case.completed", None)


def test_invalid_form_data_names_the_field_and_changes_nothing(deploy_fixture, as_user):
    deploy_fixture("basic")
    gemeente = as_user("gemeente.westbetuwe")
    case = gemeente.start("simple_case", {"summary": "x", "municipality_code": "GM0668"})
    task = gemeente.task_for(case["id"], "triage")
    before = gemeente.history(case["id"])

    missing = gemeente.complete(task["id"], {"acute_danger": False}, expect=422)
    assert list(missing["errors"]) == ["category"]
    wrong_type = gemeente.complete(task["id"], {"category": "bedreiging", "estimated_costs": "veel"}, expect=422)
    assert list(wrong_type["errors"]) == ["estimated_costs"]
    injected = gemeente.complete(task["id"], {"category": "bedreiging", "municipality_code": "GM0363"}, expect=422)
    assert list(injected["errors"]) == ["municipality_code"]

    assert gemeente.history(case["id"]) == before
    assert gemeente.case(case["id"])["active_elements"] == ["triage"]


def test_other_municipality_sees_nothing(deploy_fixture, as_user):
    deploy_fixture("basic")
    westbetuwe, amsterdam = as_user("gemeente.westbetuwe"), as_user("gemeente.amsterdam")
    case = westbetuwe.start("simple_case", {"summary": "x", "municipality_code": "GM0668"})
    task = westbetuwe.task_for(case["id"], "triage")

    assert amsterdam.get(f"/api/v1/process-instances/{case['id']}").status_code == 404
    assert amsterdam.get(f"/api/v1/process-instances/{case['id']}/history").status_code == 404
    assert amsterdam.get(f"/api/v1/tasks/{task['id']}").status_code == 404
    assert amsterdam.tasks() == []
    assert amsterdam.get("/api/v1/process-instances").get_json()["total"] == 0
    assert amsterdam.post(f"/api/v1/tasks/{task['id']}/claim").status_code == 404
    assert amsterdam.complete(task["id"], {"category": "bedreiging"}, expect=404)


def test_a_case_state_is_stored_compressed_and_sealed(app, deploy_fixture, as_user):
    """The state's JSON is compressed before it is sealed (engine/instances/sealed.py): sealed bytes do not
    compress, in the database (migration 0006's lz4 on PostgreSQL) or elsewhere."""
    import sqlalchemy as sa

    from engine.db.extensions import db
    from engine.instances.models import ProcessInstance
    from engine.instances.sealed import open_state

    deploy_fixture("basic")
    case = as_user("gemeente.westbetuwe").start("simple_case", {"summary": "x" * 500, "municipality_code": "GM0668"})
    with app.app_context():
        stored = db.session.scalar(sa.select(ProcessInstance.state).where(ProcessInstance.id == case["id"]))
        plain = open_state(case["id"], stored)
    assert stored[:3] == b"VB1" and b"xxxxxxxx" not in stored
    assert "x" * 500 in plain and len(stored) < len(plain) / 2


def test_a_drawn_case_number_that_is_taken_is_drawn_again(deploy_fixture, as_user, monkeypatch):
    # six characters of 32 meet among 10,000 cases with a chance of about 5 %: the second draw must not fail
    from engine.cases import service

    deploy_fixture("basic")
    gemeente = as_user("gemeente.westbetuwe")
    draws = iter("AAAAAA" + "AAAAAA" + "BBBBBB")
    monkeypatch.setattr(service.secrets, "choice", lambda alphabet: next(draws))
    first = gemeente.start("simple_case", {"summary": "x", "municipality_code": "GM0668"})
    second = gemeente.start("simple_case", {"summary": "y", "municipality_code": "GM0668"})
    year = first["business_key"].split("-")[1]
    assert (first["business_key"], second["business_key"]) == (f"VB-{year}-AAAAAA", f"VB-{year}-BBBBBB")
