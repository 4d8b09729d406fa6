"""Calendar arithmetic for cycles and timer start schedules (no database)."""

from datetime import datetime, timedelta, timezone

import pytest
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from engine.runtime.bpmn_parser import timer_expression
from engine.runtime.script_helpers import LOCAL_ZONE
from engine.timers.recurrence import Cycle, Duration, Occurrences, occurrences

ANCHOR = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)


def _local(*args):
    return datetime(*args, tzinfo=LOCAL_ZONE)


def _cycle(text):
    return Cycle.parse(eval(timer_expression(text, "timeCycle")), ANCHOR)  # the literal the engine would get


def test_yearly_on_31_december_stays_on_31_december_through_leap_years():
    cycle = _cycle("R/2026-12-31T09:00:00/P1Y")
    assert [cycle.occurrence(k) for k in range(4)] == [_local(y, 12, 31, 9, 0) for y in (2026, 2027, 2028, 2029)]
    # The engine's own cycle adds 365 days: after the leap year 2028 it falls on 30 December.
    _, start, duration = TimerEventDefinition.parse_iso_recurring_interval("R/2026-12-31T09:00:00+01:00/P1Y")
    assert (start + 2 * duration).astimezone(LOCAL_ZONE).date().isoformat() == "2028-12-30"


def test_months_clamp_to_the_month_end_without_drifting():
    cycle = _cycle("R/2027-01-31T08:00:00/P1M")
    days = [cycle.occurrence(k).astimezone(LOCAL_ZONE).date().isoformat() for k in range(5)]
    assert days == ["2027-01-31", "2027-02-28", "2027-03-31", "2027-04-30", "2027-05-31"]


def test_daily_wall_clock_time_survives_daylight_saving_and_hours_are_elapsed_time():
    daily = _cycle("R/2027-03-27T09:00:00/P1D")
    assert [daily.occurrence(k).astimezone(LOCAL_ZONE).hour for k in range(3)] == [9, 9, 9]
    assert daily.occurrence(1) - daily.occurrence(0) == timedelta(hours=23)  # the night the clocks go forward
    hourly = _cycle("R/2027-03-28T01:00:00/PT1H")
    assert hourly.occurrence(2) - hourly.occurrence(0) == timedelta(hours=2)


def test_bounded_cycles_end_and_unbounded_ones_do_not():
    cycle = _cycle("R3/PT1H")
    assert cycle.occurrence(0) == ANCHOR + timedelta(hours=1)
    assert cycle.occurrence(2) == ANCHOR + timedelta(hours=3)
    assert cycle.occurrence(3) is None
    assert cycle.first_index_after(ANCHOR + timedelta(hours=5)) is None
    assert _cycle("R/2026-12-31T09:00:00/P1Y").occurrence(500).year == 2526


def test_a_duration_before_an_end_date():
    cycle = Cycle.parse("R2/P1D/2027-01-10T09:00:00", ANCHOR)
    assert cycle.occurrence(0) == _local(2027, 1, 9, 9, 0)


def test_next_after_and_coalescing_missed_occurrences():
    schedule = Occurrences(cycle=_cycle("R/2026-12-31T09:00:00/P1Y"))
    assert schedule.next_after(ANCHOR) == _local(2026, 12, 31, 9, 0)
    assert schedule.next_after(_local(2026, 12, 31, 9, 0)) == _local(2027, 12, 31, 9, 0)
    latest, skipped = schedule.latest_between(ANCHOR, _local(2029, 1, 2))
    assert latest == _local(2028, 12, 31, 9, 0) and skipped == 2
    assert schedule.latest_between(_local(2028, 12, 31, 9, 0), _local(2029, 1, 2)) == (None, 0)
    minutely = Occurrences(cycle=_cycle("R/2020-01-01T00:00:00/PT1M"))
    assert minutely.next_after(_local(2026, 6, 1, 12, 0, 30)) == _local(2026, 6, 1, 12, 1)  # no walk from 2020


def test_single_occurrences():
    assert occurrences("2027-01-04", "timeDate", ANCHOR).next_after(ANCHOR) == _local(2027, 1, 4)
    once = occurrences("P2D", "timeDuration", ANCHOR)
    assert once.next_after(ANCHOR) == ANCHOR + timedelta(days=2)
    assert once.next_after(ANCHOR + timedelta(days=3)) is None


@pytest.mark.parametrize("text", ["P", "PT", "P1.5Y", "P0D", "1D", "R/P1Y/P1M", "RX/P1D", "R/2026-13-01/P1D"])
def test_malformed_schedules_are_refused_with_a_message(text):
    with pytest.raises(ValueError):
        if text.startswith("R"):
            Cycle.parse(text, ANCHOR)
        else:
            Duration.parse(text)
