"""The scheduler holds jobs only for timers due soon: start-up work follows the timers due, not the cases."""

from dataclasses import replace
from datetime import timedelta

import pytest

from tests.timers.conftest import FAST, wait_for


@pytest.fixture
def timers(deploy_fixture):
    deploy_fixture("timers")


def _case_jobs(scheduler):
    return sorted(j.id for j in scheduler._aps.get_jobs() if ":" not in j.id)


def test_only_timers_due_within_the_window_are_loaded_and_later_ones_follow(
    timers, as_user, clock, start_scheduler, case_row
):
    admin = as_user("beheerder")
    soon = [
        admin.start("wait_duration_variable", {"municipality_code": "GM0668", "wait_for": "PT10M"})["id"]
        for _ in range(3)
    ]
    later = [admin.start("wait_days", {"municipality_code": "GM0668"})["id"] for _ in range(5)]
    scheduler = start_scheduler(settings=replace(FAST, horizon_seconds=900))
    assert scheduler.stats["startup_loaded"] == 3
    assert _case_jobs(scheduler) == sorted(soon)

    clock.move_to(clock.now() + timedelta(minutes=11))
    for instance_id in soon:
        wait_for(lambda i=instance_id: case_row(i).active_elements == ["after_wait_duration_variable"])
    assert _case_jobs(scheduler) == []
    clock.move_to(clock.now() + timedelta(days=2))  # the window moves on and picks up the later timers
    for instance_id in later:
        wait_for(lambda i=instance_id: case_row(i).active_elements == ["after_wait_days"], message="a later timer")


def test_a_capped_window_loads_the_rest_as_jobs_drain(timers, as_user, clock, start_scheduler, case_row):
    admin = as_user("beheerder")
    cases = [
        admin.start("wait_duration_variable", {"municipality_code": "GM0668", "wait_for": f"PT{m}M"})["id"]
        for m in (3, 4, 5, 6, 7)
    ]
    scheduler = start_scheduler(settings=replace(FAST, max_jobs=2, page_size=1))
    assert scheduler.stats["startup_loaded"] <= 3
    clock.move_to(clock.now() + timedelta(minutes=8))
    for instance_id in cases:
        wait_for(lambda i=instance_id: case_row(i).active_elements == ["after_wait_duration_variable"], timeout=30)


def test_moving_a_timer_out_of_the_window_and_back_moves_its_job(timers, as_user, clock, start_scheduler, case_row):
    admin = as_user("beheerder")
    case = admin.start("wait_duration_variable", {"municipality_code": "GM0668", "wait_for": "PT10M"})
    scheduler = start_scheduler()
    assert _case_jobs(scheduler) == [case["id"]]
    [timer] = admin.get(f"/api/v1/process-instances/{case['id']}/timers").get_json()["timers"]
    url = f"/api/v1/process-instances/{case['id']}/timers/{timer['task_id']}/move"
    assert admin.post(url, json={"due_at": (clock.now() + timedelta(days=3)).isoformat()}).status_code == 200
    wait_for(lambda: _case_jobs(scheduler) == [], message="the job to leave with its timer")
    back = clock.now() + timedelta(minutes=2)
    assert admin.post(url, json={"due_at": back.isoformat()}).status_code == 200
    wait_for(lambda: _case_jobs(scheduler) == [case["id"]], message="the job to come back")
    assert scheduler._aps.get_job(case["id"]).next_run_time == back
    clock.move_to(back + timedelta(seconds=1))
    wait_for(lambda: case_row(case["id"]).active_elements == ["after_wait_duration_variable"])
