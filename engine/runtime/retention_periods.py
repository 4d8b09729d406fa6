"""Retention periods: the process's `retention` extension property or its `camunda:historyTimeToLive`
(days, or an ISO 8601 duration), else the setting VB_DEFAULT_RETENTION."""

from __future__ import annotations

from datetime import datetime, timedelta

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition


class BadPeriod(ValueError):
    pass


def parse_period(text: str) -> dict:
    """An ISO 8601 duration ("P5Y", "P3650D") or a number of days ("3650"), as SpiffWorkflow's parts."""
    text = (text or "").strip()
    if text.isdigit():
        text = f"P{text}D"
    try:
        parsed = TimerEventDefinition.parse_iso_duration(text)
    except Exception:
        raise BadPeriod(
            f"'{text}' is not a retention period: give an ISO 8601 duration such as P5Y or P3650D, or a number of days."
        ) from None
    if not any(parsed.values()):
        raise BadPeriod(f"'{text}' is an empty retention period; give at least one day.")
    return parsed


def ends_at(closed_at: datetime, period: str) -> datetime:
    """When the retention of a case closed at `closed_at` ends."""
    parsed = parse_period(period)
    return closed_at + TimerEventDefinition.get_timedelta_from_start(parsed, closed_at)


def shortest(period: str) -> timedelta:
    """The least time a period can last (a year of 365 days, a month of 28): cases closed longer ago than
    this are the candidates whose retention may have ended; `ends_at` decides for each."""
    p = parse_period(period)
    days = p.get("years", 0) * 365 + p.get("months", 0) * 28 + p.get("weeks", 0) * 7 + p.get("days", 0)
    return timedelta(days=days, hours=p.get("hours", 0), minutes=p.get("minutes", 0), seconds=p.get("seconds", 0))
