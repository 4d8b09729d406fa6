"""Under a real HTTP server: concurrent completions of one task, and SIGKILL in the middle of completions."""

import threading

import pytest

from engine.db.extensions import db
from engine.operations.consistency import check_all
from engine.instances.models import AuditEvent, ProcessInstance
from engine.instances.task_rows import HumanTask
from tests.support.server import LiveServer

pytestmark = pytest.mark.e2e  # against a real gunicorn server


@pytest.fixture
def live(app, database_url, deploy_fixture):
    deploy_fixture("basic")
    server = LiveServer(database_url, workers=2, threads=4).start()
    yield server
    server.stop()


def _start_cases(user, count):
    cases = []
    for index in range(count):
        response = user.post(
            "/api/v1/process-instances",
            json={
                "process_id": "simple_case",
                "variables": {"summary": f"melding {index}", "municipality_code": "GM0668"},
            },
        )
        assert response.status_code == 201, response.text
        cases.append(response.json())
    return cases


def test_two_concurrent_completions_one_wins(app, live):
    user = live.login("gemeente.westbetuwe")
    other = live.login("gemeente.westbetuwe")
    outcomes = []
    for case in _start_cases(user, 8):
        task_id = case["open_tasks"][0]["id"]
        barrier = threading.Barrier(2)
        codes = []

        def complete(client):
            barrier.wait()
            response = client.post(f"/api/v1/tasks/{task_id}/complete", json={"variables": {"category": "bedreiging"}})
            codes.append(response.status_code)

        threads = [threading.Thread(target=complete, args=(c,)) for c in (user, other)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        outcomes.append(sorted(codes))
        with app.app_context():
            completed = db.session.query(AuditEvent).filter_by(task_id=task_id, event="task.completed").count()
        assert completed == 1
    assert outcomes == [[200, 409]] * 8
    with app.app_context():
        assert check_all() == {}


def test_sigkill_during_completions_loses_no_committed_case(app, database_url, live):
    gemeente = live.login("gemeente.westbetuwe")
    cases = _start_cases(gemeente, 40)
    confirmed = []
    stop = threading.Event()

    def complete_all():
        for case in cases:
            if stop.is_set():
                return
            task_id = case["open_tasks"][0]["id"]
            try:
                response = gemeente.post(
                    f"/api/v1/tasks/{task_id}/complete", json={"variables": {"category": "intimidatie"}}, timeout=10
                )
            except Exception:
                return  # the server died under us
            if response.status_code == 200:
                confirmed.append(case["id"])

    worker = threading.Thread(target=complete_all)
    worker.start()
    while len(confirmed) < 10 and worker.is_alive():
        threading.Event().wait(0.01)
    live.kill()
    stop.set()
    worker.join(timeout=30)
    assert 10 <= len(confirmed) < len(cases)

    restarted = LiveServer(database_url, workers=1).start()
    try:
        with app.app_context():
            db.session.expire_all()
            assert db.session.query(ProcessInstance).count() == len(cases)
            for instance_id in confirmed:
                assert (
                    db.session.query(HumanTask)
                    .filter_by(instance_id=instance_id, element_id="triage", status="completed")
                    .count()
                    == 1
                )
            assert check_all() == {}
        # The restarted server serves the unfinished cases normally.
        again = restarted.login("gemeente.westbetuwe")
        pending = [c for c in cases if c["id"] not in confirmed]
        for case in pending:
            task_id = case["open_tasks"][0]["id"]
            response = again.post(f"/api/v1/tasks/{task_id}/complete", json={"variables": {"category": "intimidatie"}})
            assert response.status_code in (200, 409), response.text
        with app.app_context():
            db.session.expire_all()
            assert check_all() == {}
            assert db.session.query(HumanTask).filter_by(element_id="triage", status="open").count() == 0
    finally:
        restarted.stop()
