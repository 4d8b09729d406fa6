"""A completion answers its next tasks from the rows the step wrote, not by reading them back: they must be
what the task list gives the same caller, and the policy's Python test of an open task (`works_open_task`)
must select exactly the rows its SQL clause (`task_clause`) selects."""

from pathlib import Path

import sqlalchemy as sa

from engine.db.extensions import db
from engine.access import policy
from engine.identity.actor import Actor
from engine.instances.task_rows import OPEN, HumanTask
from tests.support.api import FIXTURES, upload

BENCH_MODELS = Path(__file__).resolve().parents[2] / "benchmarks" / "models"
STEP = {"note": "Contact gehad", "amount": 10}


def _start(user, process_id, **variables):
    response = user.post("/api/v1/process-instances", json={"process_id": process_id, "variables": variables})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_next_tasks_are_what_the_task_list_gives(as_user):
    upload(as_user("procesbeheerder"), sorted(BENCH_MODELS.iterdir()))
    user = as_user("gemeente.westbetuwe")
    case = _start(user, "bench_ten_steps", municipality_code="GM0668")
    task_id, steps = case["open_tasks"][0]["id"], 0
    while task_id:
        answer = user.post(f"/api/v1/tasks/{task_id}/complete", json={"variables": STEP})
        assert answer.status_code == 200, answer.get_json()
        body = answer.get_json()
        listed = user.get(f"/api/v1/tasks?process_instance_id={case['id']}").get_json()["items"]
        assert body["next_tasks"] == listed
        steps += 1
        task_id = body["next_tasks"][0]["id"] if body["next_tasks"] else None
    assert steps >= 3 and body["instance_status"] == "completed"


def test_next_tasks_leave_out_a_task_for_another_role(as_user):
    upload(as_user("procesbeheerder"), sorted((FIXTURES / "basic").iterdir()))
    gemeente, politie = as_user("gemeente.westbetuwe"), as_user("politie")
    case = _start(gemeente, "simple_case", summary="x", municipality_code="GM0668")
    body = gemeente.post(
        f"/api/v1/tasks/{case['open_tasks'][0]['id']}/complete",
        json={"variables": {"acute_danger": True, "category": "bedreiging"}},
    ).get_json()
    assert body["next_tasks"] == []
    police = politie.get(f"/api/v1/tasks?process_instance_id={case['id']}").get_json()["items"]
    assert [t["element_id"] for t in police] == ["police_check"]


def test_works_open_task_selects_what_task_clause_selects(app, as_user):
    upload(as_user("procesbeheerder"), sorted((FIXTURES / "basic").iterdir()))
    west, amsterdam = as_user("gemeente.westbetuwe"), as_user("gemeente.amsterdam")
    for user, code, danger in (
        (west, "GM0668", True),
        (west, "GM0668", False),
        (amsterdam, "GM0363", True),
        (amsterdam, "GM0363", False),
    ):
        case = _start(user, "simple_case", summary="x", municipality_code=code)
        if danger:  # a police task of this municipality
            assert (
                user.post(
                    f"/api/v1/tasks/{case['open_tasks'][0]['id']}/complete",
                    json={"variables": {"acute_danger": True, "category": "bedreiging"}},
                ).status_code
                == 200
            )
    open_for_west = west.get("/api/v1/tasks").get_json()["items"]
    assert west.post(f"/api/v1/tasks/{open_for_west[0]['id']}/claim").status_code == 200
    actors = [
        Actor("gemeente.westbetuwe", frozenset({"gemeente", "gemeente.oov"}), "GM0668"),
        Actor("someone.else", frozenset({"gemeente"}), "GM0668"),
        Actor("gemeente.amsterdam", frozenset({"gemeente"}), "GM0363"),
        Actor("gemeente.nowhere", frozenset({"gemeente"}), None),
        Actor("politie", frozenset({"politie"}), None),
        Actor("politie.oost", frozenset({"politie"}), None, police_unit="Oost-Nederland"),
        Actor("politie.amsterdam", frozenset({"politie", "om"}), None, police_unit="Amsterdam"),
        Actor("om", frozenset({"om"}), None),
        Actor("nobody", frozenset(), None),
        Actor.system("scheduler"),
    ]
    with app.app_context():
        tasks = db.session.scalars(sa.select(HumanTask).where(HumanTask.status == OPEN)).all()
        assert {t.element_id for t in tasks} == {"triage", "police_check"} and any(t.assignee for t in tasks)
        for actor in actors:
            by_sql = set(
                db.session.scalars(sa.select(HumanTask.id).where(HumanTask.status == OPEN, policy.task_clause(actor)))
            )
            by_python = {
                t.id
                for t in tasks
                if policy.works_open_task(actor, t.assignee, t.candidate_groups, t.municipality_code)
            }
            assert by_python == by_sql, actor.username
        assert any(
            policy.works_open_task(a, t.assignee, t.candidate_groups, t.municipality_code)
            for a in actors[4:6]
            for t in tasks
        )
