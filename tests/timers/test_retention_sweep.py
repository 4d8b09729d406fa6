"""The acting scheduler purges closed cases past their retention on its own (engine/retention)."""

from __future__ import annotations

from engine.db.extensions import db
from engine.instances.models import ProcessInstance
from tests.timers.conftest import wait_for


def test_the_acting_scheduler_sweeps_closed_cases_past_their_retention(app, deploy_fixture, as_user, start_scheduler):
    deploy_fixture("basic")
    app.config.update(VB_DEFAULT_RETENTION="PT1S", VB_RETENTION_SWEEP_MINUTES=0.02)
    admin = as_user("beheerder")
    closed = admin.start("simple_case", {"summary": "Dreigbrief", "municipality_code": "GM0668"})
    open_case = admin.start("simple_case", {"summary": "Dreigbrief", "municipality_code": "GM0668"})
    assert admin.post(f"/api/v1/operations/cases/{closed['id']}/cancel", json={"reason": "Test"}).status_code == 200
    scheduler = start_scheduler()

    def purged(instance_id):
        with app.app_context():
            row = db.session.get(ProcessInstance, instance_id)
            result = row.purged_at is not None
            db.session.remove()
            return result

    # the scheduler counts a sweep once it has committed it: wait for both, the row first
    wait_for(lambda: purged(closed["id"]) and scheduler.stats["purged"] >= 1, timeout=20, message="the sweep")
    assert not purged(open_case["id"])
    assert admin.get(f"/api/v1/process-instances/{closed['id']}").status_code == 410
