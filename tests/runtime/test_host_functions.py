"""Host functions that scripts may call (engine/runtime/sandbox.py `host_function`): they run untraced, and
their time moves the script's deadline on, within an allowance, so an endless loop of calls still ends."""

import sys
import time

import pytest

from engine.runtime.sandbox import HOST_TIME_FACTOR, SandboxedScriptEngine, ScriptTimeout, host_function


def test_host_code_runs_untraced_and_the_tracer_comes_back():
    seen = []

    def tracer(frame, event, arg):
        seen.append(frame.f_code.co_name)
        return tracer

    @host_function
    def host_work():
        return inner()

    def inner():
        return sys.gettrace()

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        inside = host_work()
        after = sys.gettrace()
    finally:
        sys.settrace(previous)
    assert inside is None and after is tracer
    assert "inner" not in seen


def test_the_host_time_of_a_call_is_not_the_scripts_up_to_its_allowance():
    @host_function
    def slow_host_work(seconds):
        time.sleep(seconds)
        return seconds

    engine = SandboxedScriptEngine(time_limit=0.2)
    namespace = {"slow": slow_host_work}
    # 0.5 s of host work in a script with a limit of 0.2 s: the host's time moves the deadline on
    assert engine.environment.evaluate("slow(0.25) + slow(0.25)", namespace) == 0.5
    # but not without end: past ten times the limit (2 s) the script's own time counts again
    started = time.monotonic()
    with pytest.raises(ScriptTimeout, match="time limit"):
        engine.environment.execute("while True:\n    slow(0.1)", namespace)
    assert HOST_TIME_FACTOR * 0.2 <= time.monotonic() - started < HOST_TIME_FACTOR * 0.2 + 1.5
