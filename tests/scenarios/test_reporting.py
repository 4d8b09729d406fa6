"""The reporting functions diagram scripts may call: checked input, pseudonymised output, and the sandbox's
time limit still in force around them."""

import pytest

from engine.reporting.script_functions import vangnet_year_figures
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


def test_the_time_limit_still_holds_for_a_script_that_calls_it(app):
    engine = SandboxedScriptEngine(time_limit=0.2)
    with app.app_context(), pytest.raises(ScriptTimeout, match="time limit"):
        engine.environment.execute("n = 0\nwhile True:\n    f = vangnet_year_figures(2025)\n    n += 1", {})
    assert vangnet_year_figures.__name__ == "vangnet_year_figures"
