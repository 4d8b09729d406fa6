"""The one reporting function diagram scripts may call: checked input, pseudonymised output, and the
sandbox's time limit still in force around it."""
import sys

import pytest

from engine.reporting.script_functions import untraced, vangnet_year_figures
from engine.reporting.vangnet import check_year, year_bounds
from engine.runtime.sandbox import SandboxedScriptEngine, ScriptTimeout


@pytest.mark.parametrize("year", [1999, 2101, "2025", True, 2025.5, None])
def test_only_a_plausible_whole_year_is_accepted(year):
    with pytest.raises(ValueError):
        check_year(year)


def test_a_year_is_a_dutch_calendar_year():
    start, end = year_bounds(2025)
    assert start.isoformat() == "2024-12-31T23:00:00+00:00"
    assert end.isoformat() == "2025-12-31T23:00:00+00:00"


def test_scripts_can_call_it_and_its_errors_name_the_problem(app, deploy_real):
    engine = SandboxedScriptEngine(time_limit=1)
    with app.app_context():
        figures = engine.environment.evaluate("vangnet_year_figures(2025)", {})
        assert figures["cases_total"] == 0 and figures["year"] == 2025
        with pytest.raises(ValueError, match="between 2000 and 2100"):
            engine.environment.evaluate("vangnet_year_figures(1850)", {})


def test_host_code_runs_untraced_and_the_tracer_comes_back():
    seen = []

    def tracer(frame, event, arg):
        seen.append(frame.f_code.co_name)
        return tracer

    @untraced
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


def test_the_time_limit_still_holds_for_a_script_that_calls_it(app):
    engine = SandboxedScriptEngine(time_limit=0.2)
    with app.app_context(), pytest.raises(ScriptTimeout, match="time limit"):
        engine.environment.execute("n = 0\nwhile True:\n    f = vangnet_year_figures(2025)\n    n += 1", {})
    assert vangnet_year_figures.__name__ == "vangnet_year_figures"


def test_the_host_time_of_a_call_is_not_the_scripts_up_to_its_allowance(app):
    import time

    from engine.reporting.script_functions import HOST_TIME_FACTOR

    @untraced
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
