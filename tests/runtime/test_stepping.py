"""The host's engine loop (engine.runtime.stepping) runs exactly what SpiffWorkflow's `do_engine_steps` runs,
in the same order: it only skips walks of the task tree that cannot find a ready engine task."""

from __future__ import annotations

import re

import pytest

from SpiffWorkflow.util.task import TaskState

from engine.instances import engine_runner
from engine.runtime import stepping
from engine.studio.cli import folder_workspace
from engine.studio.scenarios import run_workspace_tests
from tests.runtime.test_compaction import workflow_for
from tests.studio.target import TARGET


def _library_steps(workflow, will_complete_task=None, did_complete_task=None):
    workflow.do_engine_steps(will_complete_task, did_complete_task)


_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def _without_moments(value):
    """The data with the moments the scripts stamp (now()) blanked: they differ between two runs."""
    if isinstance(value, dict):
        return {k: _without_moments(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_moments(v) for v in value]
    return "<moment>" if isinstance(value, str) and _MOMENT.match(value) else value


def _scenario_runs():
    results = run_workspace_tests(folder_workspace(TARGET.folders))
    return [(r.name, r.passed, r.path, r.end, r.waiting_at, _without_moments(r.variables)) for r in results]


def test_the_threat_response_scenarios_take_the_same_paths_as_with_the_library_loop(app, monkeypatch):
    """Every scenario of processes/threat_response.test.json (call activities, gateways, decisions, events):
    the elements in the order they ran, the end, what it waits at and the data are the same."""
    with app.app_context():
        assert stepping.VERIFY  # every walk below is also made by the library and compared
        ours = _scenario_runs()
        monkeypatch.setattr(engine_runner, "do_engine_steps", _library_steps)
        library = _scenario_runs()
    assert len(ours) == TARGET.scenarios
    assert ours == library


def test_parallel_branches_run_in_the_library_order_and_idle_walks_are_skipped(monkeypatch):
    order = {}
    walks = {"ours": 0, "library": 0}
    for name in ("ours", "library"):
        workflow, _ = workflow_for("parallel_loop.bpmn", "parallel_loop", limit=3)
        ran = order[name] = []
        steps = stepping.do_engine_steps if name == "ours" else _library_steps
        real_get_tasks = type(workflow).get_tasks

        def counting(self, *args, _name=name, **kwargs):
            if kwargs.get("state") == TaskState.READY:
                walks[_name] += 1
            return real_get_tasks(self, *args, **kwargs)

        monkeypatch.setattr(type(workflow), "get_tasks", counting)
        for index in range(3):
            task = next(
                t for t in workflow.tasks.values() if t.state == TaskState.READY and t.task_spec.bpmn_id == "checkin"
            )
            task.data["last_checkin"] = index
            task.run()
            steps(workflow, did_complete_task=lambda t, _ran=ran: _ran.append(t.task_spec.name))
        monkeypatch.undo()
    assert order["ours"] == order["library"] and order["ours"]
    assert walks["ours"] < walks["library"]


def test_a_tree_deep_enough_for_the_library_depth_limit_behaves_as_with_the_library(monkeypatch):
    """Without compaction a loop of 300 rounds outgrows the library iterator's depth limit (see
    test_compaction): the host's loop must show the same behaviour there, not a different one."""
    from engine.runtime.inspection import ready_user_tasks

    monkeypatch.setattr(stepping, "VERIFY", True)
    outcomes = {}
    for name, steps in (("ours", stepping.do_engine_steps), ("library", _library_steps)):
        workflow, _ = workflow_for("loop.bpmn", "loop", limit=300)
        rounds = 0
        while ready_user_tasks(workflow):
            task = ready_user_tasks(workflow)[0]
            task.run()
            steps(workflow)
            rounds += 1
        outcomes[name] = (rounds, workflow.is_completed(), len(workflow.tasks))
    assert outcomes["ours"] == outcomes["library"]
    assert outcomes["ours"][0] < 300  # the library's quirk, kept


def test_the_check_refuses_a_walk_that_differs_from_the_library(monkeypatch):
    """With VB_VERIFY_ENGINE_WALKS (on in the whole test suite) a walk that finds other tasks than the
    library's iterator is an error."""
    workflow, _ = workflow_for("parallel_loop.bpmn", "parallel_loop", limit=3)
    assert [t.task_spec.bpmn_id for t in stepping.ready_tasks(workflow, workflow)] == ["checkin"]
    monkeypatch.setattr(type(workflow), "get_tasks", lambda self, *args, **kwargs: [])
    monkeypatch.setattr(stepping, "VERIFY", True)
    with pytest.raises(AssertionError, match="differs from the library"):
        stepping.ready_tasks(workflow, workflow)
