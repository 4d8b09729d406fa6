"""Functions that diagram scripts and expressions may call.

Case data holds only JSON values, so dates travel as ISO-8601 text. These helpers do the date arithmetic
that deadlines in the threat response need (working days, durations), in the Dutch time zone.
"""

from __future__ import annotations

import functools
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

LOCAL_ZONE = ZoneInfo("Europe/Amsterdam")


def _as_datetime(value) -> datetime:
    if isinstance(value, datetime):
        result = value
    elif isinstance(value, date):
        result = datetime(value.year, value.month, value.day)
    else:
        result = datetime.fromisoformat(str(value))
    if result.tzinfo is None:
        result = result.replace(tzinfo=LOCAL_ZONE)
    return result


def now() -> str:
    """The current moment, as ISO text with the Dutch offset."""
    return datetime.now(timezone.utc).astimezone(LOCAL_ZONE).isoformat(timespec="seconds")


def today() -> str:
    """Today's date in the Netherlands, as YYYY-MM-DD."""
    return datetime.now(timezone.utc).astimezone(LOCAL_ZONE).date().isoformat()


def current_year() -> int:
    return datetime.now(timezone.utc).astimezone(LOCAL_ZONE).year


def local_datetime(value) -> str:
    """A date or date-time as ISO text with an offset; without one it is Dutch local time. Timer dates
    computed from case data pass through this, so they never depend on the server's time zone."""
    return _as_datetime(value).isoformat()


def add_duration(start, duration: str) -> str:
    """`start` plus an ISO-8601 duration such as "P3M" or "PT1H", as ISO text."""
    begin = _as_datetime(start)
    parsed = TimerEventDefinition.parse_iso_duration(duration)
    return (begin + TimerEventDefinition.get_timedelta_from_start(parsed, begin)).isoformat(timespec="seconds")


def _easter(year: int) -> date:
    # Anonymous Gregorian computus.
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    weekday_shift = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday_shift) // 451
    month = (h + weekday_shift - 7 * m + 114) // 31
    day = ((h + weekday_shift - 7 * m + 114) % 31) + 1
    return date(year, month, day)


@functools.lru_cache(maxsize=64)
def public_holidays(year: int) -> frozenset:
    """Dutch public holidays on which municipal offices are closed."""
    easter = _easter(year)
    kings_day = date(year, 4, 27)
    if kings_day.weekday() == 6:
        kings_day = date(year, 4, 26)
    days = {
        date(year, 1, 1),
        easter + timedelta(days=1),
        kings_day,
        easter + timedelta(days=39),
        easter + timedelta(days=50),
        date(year, 12, 25),
        date(year, 12, 26),
    }
    if year % 5 == 0:
        days.add(date(year, 5, 5))
    return frozenset(days)


def is_working_day(value) -> bool:
    day = _as_datetime(value).date()
    return day.weekday() < 5 and day not in public_holidays(day.year)


def add_working_days(start, days: int) -> str:
    """`start` plus `days` working days (no weekends, no Dutch public holidays), same time of day."""
    moment = _as_datetime(start)
    remaining = int(days)
    if remaining < 0 or remaining > 3660:
        raise ValueError("add_working_days takes between 0 and 3660 days")
    while remaining:
        moment += timedelta(days=1)
        if is_working_day(moment):
            remaining -= 1
    return moment.isoformat(timespec="seconds")


def days_between(start, end) -> int:
    """Whole calendar days from `start` to `end`."""
    return (_as_datetime(end).date() - _as_datetime(start).date()).days


def hours_between(start, end) -> float:
    return round((_as_datetime(end) - _as_datetime(start)).total_seconds() / 3600, 2)


def year_of(value) -> int:
    return _as_datetime(value).year


class Helper:
    """A helper as scripts see it: called like the function, but written without its brackets it names
    itself instead of showing where the function lives in the host's memory."""

    def __init__(self, function):
        functools.update_wrapper(self, function)

    def __call__(self, *args, **kwargs):
        return self.__wrapped__(*args, **kwargs)

    def __repr__(self):
        return f"<function {self.__name__}>"


class Reading(Helper):
    """A helper without arguments (`now`, `today`): `str(now)` and f"{now}" read as its value, as a person
    forgetting the brackets means; arithmetic and comparisons on it get an error that says what to write."""

    def __str__(self):
        return str(self())

    def __repr__(self):
        return repr(self())

    def __format__(self, spec):
        return format(self(), spec)

    def _misused(self, *other):
        raise TypeError(f"'{self.__name__}' is a function: write {self.__name__}() for its value")

    __add__ = __radd__ = __sub__ = __rsub__ = __lt__ = __le__ = __gt__ = __ge__ = _misused


HELPERS = {
    "now": Reading(now),
    "today": Reading(today),
    "current_year": Reading(current_year),
    "add_duration": Helper(add_duration),
    "local_datetime": Helper(local_datetime),
    "add_working_days": Helper(add_working_days),
    "is_working_day": Helper(is_working_day),
    "days_between": Helper(days_between),
    "hours_between": Helper(hours_between),
    "year_of": Helper(year_of),
}
