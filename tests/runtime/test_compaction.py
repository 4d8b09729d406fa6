"""History compaction keeps long-running cases correct and their steps cheap."""

from pathlib import Path

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.runtime.bpmn_parser import HostParser
from engine.runtime.compaction import compact_workflow
from engine.runtime.inspection import ready_user_tasks, waiting_messages
from engine.runtime.sandbox import SandboxedScriptEngine
from engine.runtime.serializer import dump_state, load_state

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "runtime"
ENGINE = SandboxedScriptEngine()


def workflow_for(name, process_id, **data):
    parser = HostParser()
    parser.add_bpmn_file(str(FIXTURES / name))
    spec = parser.get_spec(process_id)
    workflow = BpmnWorkflow(spec, script_engine=ENGINE)
    workflow.task_tree.data.update(data)
    workflow.do_engine_steps()
    return workflow, spec


def complete_user_task(workflow, element_id, **data):
    task = next(t for t in ready_user_tasks(workflow) if t.task_spec.bpmn_id == element_id)
    task.data.update(data)
    task.run()
    workflow.refresh_timers()
    workflow.do_engine_steps()


def test_library_loses_long_loops_without_compaction():
    """SpiffWorkflow's tree iterator stops at depth 1,000: a loop of 300 rounds is reported complete early.
    This documents why compaction exists; if the library fixes it, this test tells us."""
    workflow, _ = workflow_for("loop.bpmn", "loop", limit=300)
    rounds = 0
    while ready_user_tasks(workflow):
        complete_user_task(workflow, "work")
        rounds += 1
    assert workflow.is_completed()
    assert rounds < 300


def test_loop_of_600_rounds_runs_to_the_end_with_compaction():
    workflow, spec = workflow_for("loop.bpmn", "loop", limit=600)
    rounds, sizes = 0, []
    while ready_user_tasks(workflow):
        complete_user_task(workflow, "work", note=f"round {rounds}")
        compact_workflow(workflow, threshold=150, keep=8)
        if rounds % 50 == 0:  # and the compacted state survives a save/load round trip
            workflow = load_state(dump_state(workflow), spec, {}, ENGINE)
        sizes.append(len(workflow.tasks))
        rounds += 1
    assert rounds == 600
    assert workflow.is_completed()
    assert workflow.data["count"] == 600 and workflow.data["note"] == "round 599"
    assert max(sizes) <= 160


def test_parallel_branch_loop_and_join_keep_both_branches_data():
    workflow, spec = workflow_for("parallel_loop.bpmn", "parallel_loop", limit=400)
    for index in range(400):
        complete_user_task(workflow, "checkin", last_checkin=index)
        compact_workflow(workflow, threshold=120, keep=6)
        assert [w.message_name for w in waiting_messages(workflow)] == ["advice_ready"]
    assert not ready_user_tasks(workflow)
    workflow = load_state(dump_state(workflow), spec, {}, ENGINE)
    waiting = workflow.get_tasks(state=TaskState.WAITING)
    definition = next(t for t in waiting if t.task_spec.bpmn_id == "wait_advice").task_spec.event_definition
    workflow.catch(BpmnEvent(definition, payload={"advice": "camera"}))
    workflow.do_engine_steps()
    assert workflow.is_completed()
    assert workflow.data["checkins"] == 400
    assert workflow.data["last_checkin"] == 399
    assert workflow.data["advice"] == "camera"


def test_compaction_below_threshold_changes_nothing():
    workflow, _ = workflow_for("loop.bpmn", "loop", limit=5)
    complete_user_task(workflow, "work")
    before = dump_state(workflow)
    removed = compact_workflow(workflow, threshold=10_000, keep=8)
    assert removed == 0 and dump_state(workflow) == before
