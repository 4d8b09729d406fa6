"""The state dump reuses the JSON of settled tasks and still writes exactly what the library's converter writes."""

import json

import pytest
from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.util.task import TaskState

from engine.runtime import serializer
from engine.runtime.compaction import compact_workflow
from engine.runtime.inspection import ready_user_tasks
from engine.runtime.serializer import dump_state, load_state, reference_dump
from tests.runtime.test_compaction import ENGINE, complete_user_task, workflow_for


def same_as_library(workflow) -> dict:
    text = dump_state(workflow)
    state = json.loads(text)
    assert state == json.loads(reference_dump(workflow))
    return state


@pytest.fixture(autouse=True)
def no_builtin_check(monkeypatch):
    # these tests compare themselves; the check in dump_state would hide which step differs
    monkeypatch.setattr(serializer, "VERIFY", False)


def test_every_step_of_a_compacted_loop_dumps_as_the_library_does():
    workflow, spec = workflow_for("loop.bpmn", "loop", limit=120)
    same_as_library(workflow)
    steps = 0
    while ready_user_tasks(workflow):
        complete_user_task(workflow, "work", note=f"round {steps}")
        compact_workflow(workflow, threshold=40, keep=4)  # moves parents and children of kept tasks
        same_as_library(workflow)
        if steps % 25 == 0:  # a reloaded workflow starts without kept JSON
            workflow = load_state(dump_state(workflow), spec, {}, ENGINE)
            same_as_library(workflow)
        steps += 1
    assert steps == 120 and workflow.is_completed()
    same_as_library(workflow)


def test_parallel_branches_and_a_caught_message_dump_as_the_library_does():
    workflow, spec = workflow_for("parallel_loop.bpmn", "parallel_loop", limit=5)
    for index in range(5):
        complete_user_task(workflow, "checkin", last_checkin=index)
        same_as_library(workflow)
    waiting = workflow.get_tasks(state=TaskState.WAITING)
    definition = next(t for t in waiting if t.task_spec.bpmn_id == "wait_advice").task_spec.event_definition
    workflow.catch(BpmnEvent(definition, payload={"advice": "camera"}))
    workflow.do_engine_steps()
    state = same_as_library(workflow)
    assert workflow.is_completed() and state["completed"] is True


def test_a_reset_task_is_converted_again():
    """Resetting to a completed task changes its state and drops its children: its kept JSON must not be
    reused."""
    workflow, spec = workflow_for("loop.bpmn", "loop", limit=10)
    for index in range(3):
        complete_user_task(workflow, "work", note=f"round {index}")
        same_as_library(workflow)
    first = next(t for t in workflow.get_tasks(state=TaskState.COMPLETED) if t.task_spec.bpmn_id == "work")
    workflow.reset_from_task_id(first.id)
    state = same_as_library(workflow)
    assert state["tasks"][str(first.id)]["state"] == TaskState.READY


def test_the_check_refuses_a_dump_that_differs(monkeypatch):
    """With VB_VERIFY_STATE_DUMP (on in the whole test suite) a wrong reuse is an error, not a saved case."""
    workflow, _ = workflow_for("loop.bpmn", "loop", limit=10)
    complete_user_task(workflow, "work", note="first")
    dump_state(workflow)
    task_id, (key, text) = next(iter(workflow._vb_task_json.items()))
    workflow._vb_task_json[task_id] = (key, text.replace('"state":64', '"state":16'))
    monkeypatch.setattr(serializer, "VERIFY", True)
    with pytest.raises(AssertionError, match="differs from the library"):
        dump_state(workflow)


def test_a_loaded_state_is_the_saved_state():
    """Reading ids once per load (not once per mention) restores the same workflow as the library would."""
    workflow, spec = workflow_for("parallel_loop.bpmn", "parallel_loop", limit=6)
    for index in range(6):
        complete_user_task(workflow, "checkin", last_checkin=index)
        text = dump_state(workflow)
        loaded = load_state(text, spec, {}, ENGINE)
        assert json.loads(reference_dump(loaded)) == json.loads(text)
        assert {str(t.id): t.data for t in loaded.get_tasks()} == {str(t.id): t.data for t in workflow.get_tasks()}
        workflow = loaded  # go on with the loaded one


def test_a_loaded_workflow_reuses_the_text_it_was_read_from():
    """After a load, the settled tasks' JSON comes from the text read (a save converts only what changed),
    and what is written is still what the library writes."""
    workflow, spec = workflow_for("parallel_loop.bpmn", "parallel_loop", limit=8)
    for index in range(3):
        complete_user_task(workflow, "checkin", last_checkin=index)
    text = dump_state(workflow)
    loaded = load_state(text, spec, {}, ENGINE)
    kept = loaded._vb_task_json
    assert kept and all(
        json.loads(entry[1].split(":", 1)[1]) == json.loads(text)["tasks"][str(task_id)]
        for task_id, entry in kept.items()
        if str(task_id) in json.loads(text)["tasks"]
    )
    complete_user_task(loaded, "checkin", last_checkin=3)
    same_as_library(loaded)


def test_a_state_in_another_layout_is_still_read():
    workflow, spec = workflow_for("loop.bpmn", "loop", limit=5)
    complete_user_task(workflow, "work", note="first")
    spaced = json.dumps(json.loads(dump_state(workflow)), indent=2)
    loaded = load_state(spaced, spec, {}, ENGINE)
    assert not getattr(loaded, "_vb_task_json", None)
    assert json.loads(reference_dump(loaded)) == json.loads(dump_state(workflow))


def test_each_task_is_written_byte_for_byte_as_the_library_encodes_it():
    """A task's JSON is written directly (not built as a dict and encoded): the text must be exactly the
    encoder's text of the library's conversion, for root, predicted, ready, waiting and finished tasks and
    for values the library converts itself (dates, sets), deleted keys and text that needs escapes."""
    from datetime import datetime, timezone

    workflow, _ = workflow_for("parallel_loop.bpmn", "parallel_loop", limit=4)
    checked = set()
    for index in range(3):
        complete_user_task(workflow, "checkin", last_checkin=index, note='quote " and \u00e9')
        ready = ready_user_tasks(workflow)[0]
        odd = {"started": datetime(2026, 3, 2, 9, 15, tzinfo=timezone.utc), "tags": {"a"}}
        ready.data.update(odd)
        deleted = ready.data.pop("limit")  # a deleted key: written as a deletion in the delta
        ready.internal_data["seen"] = datetime(2026, 3, 3, tzinfo=timezone.utc)
        serializer._REGISTRY._encoder_mode = True
        try:
            for task in workflow.get_tasks():
                library = serializer._ENCODER.encode(serializer._REGISTRY.convert(task))
                assert serializer._task_text(task, str(task.id)) == library
                checked.add(task.state)
        finally:
            serializer._REGISTRY._encoder_mode = False
        for key in odd:  # the sandbox refuses such values when the engine runs on
            ready.data.pop(key)
        ready.data["limit"] = deleted
        del ready.internal_data["seen"]
    assert {TaskState.COMPLETED, TaskState.READY, TaskState.WAITING} <= checked
    assert checked & {TaskState.MAYBE, TaskState.LIKELY, TaskState.FUTURE}
