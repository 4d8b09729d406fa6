"""The task list and a completion send tasks built without marshmallow: they must be what TaskSchema dumps."""

import sqlalchemy as sa

from engine.db.extensions import db
from engine.instances.task_rows import HumanTask
from engine.tasks.schemas import TaskSchema
from engine.api.tasks import task_json, task_summary
from tests.support.api import FIXTURES, upload


def test_task_json_is_what_the_schema_dumps(app, as_user):
    upload(as_user("procesbeheerder"), sorted((FIXTURES / "basic").iterdir()))
    user = as_user("gemeente.westbetuwe")
    assert (
        user.post(
            "/api/v1/process-instances",
            json={"process_id": "simple_case", "variables": {"summary": "x", "municipality_code": "GM0668"}},
        ).status_code
        == 201
    )
    listed = user.get("/api/v1/tasks").get_json()["items"]
    assert len(listed) == 1
    with app.app_context():
        task = db.session.scalar(sa.select(HumanTask))
        summary = task_summary(task)
        assert task_json(summary) == TaskSchema().dump(summary)
        assert listed == [TaskSchema().dump(summary)]
        task.assignee, task.due_at = None, None  # the null branches too
        summary = task_summary(task)
        assert task_json(summary) == TaskSchema().dump(summary)
        db.session.rollback()


def test_the_total_is_every_open_task_on_any_page(app, as_user):
    upload(as_user("procesbeheerder"), sorted((FIXTURES / "basic").iterdir()))
    user = as_user("gemeente.westbetuwe")
    for n in range(3):
        assert (
            user.post(
                "/api/v1/process-instances",
                json={"process_id": "simple_case", "variables": {"summary": f"x{n}", "municipality_code": "GM0668"}},
            ).status_code
            == 201
        )
    for query, items in (
        ("limit=2", 2),
        ("limit=3", 3),
        ("limit=5", 3),
        ("limit=2&offset=2", 1),
        ("limit=2&offset=4", 0),
    ):
        body = user.get(f"/api/v1/tasks?{query}").get_json()
        assert (body["total"], len(body["items"])) == (3, items), query
