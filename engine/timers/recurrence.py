"""ISO-8601 durations and repeating intervals with calendar arithmetic, in Dutch local time.

SpiffWorkflow turns a cycle's duration into a fixed number of seconds (P1Y = 365 days), so a yearly cycle
drifts by a day after a leap year and an hourly wall-clock time moves by an hour across daylight saving.
Here the k-th occurrence is computed from the start as start + k x duration: years, months, weeks and days
on the local calendar (clamped to the end of a shorter month, never accumulated), hours, minutes and
seconds as elapsed time.
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from ..runtime.script_helpers import LOCAL_ZONE

_DURATION = re.compile(
    r"^P(?!$)(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+(?:\.\d+)?)H)?(?:(?P<minutes>\d+(?:\.\d+)?)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)


@dataclass(frozen=True)
class Duration:
    years: int = 0
    months: int = 0
    days: int = 0  # weeks included
    seconds: float = 0.0  # hours, minutes and seconds: elapsed time

    @classmethod
    def parse(cls, text: str) -> Duration:
        match = _DURATION.match(text.strip().upper())
        if not match:
            raise ValueError(
                f"'{text}' is not an ISO-8601 duration with whole years, months, weeks and days "
                "(e.g. P1Y, P2W, PT1H30M)."
            )
        part = {k: v for k, v in match.groupdict().items() if v is not None}
        duration = cls(
            years=int(part.get("years", 0)),
            months=int(part.get("months", 0)),
            days=int(part.get("weeks", 0)) * 7 + int(part.get("days", 0)),
            seconds=float(part.get("hours", 0)) * 3600
            + float(part.get("minutes", 0)) * 60
            + float(part.get("seconds", 0)),
        )
        if duration.approx_seconds <= 0:
            raise ValueError(f"'{text}' is an empty duration.")
        return duration

    @property
    def approx_seconds(self) -> float:
        return (self.years * 365.2425 + self.months * 30.436875 + self.days) * 86400 + self.seconds

    def times(self, start: datetime, k: int) -> datetime:
        """start + k x self, as an aware UTC datetime."""
        local = start.astimezone(LOCAL_ZONE).replace(tzinfo=None)
        carry, month_index = divmod(local.month - 1 + k * (12 * self.years + self.months), 12)
        year, month = local.year + carry, month_index + 1
        wall = local.replace(year=year, month=month, day=min(local.day, monthrange(year, month)[1]))
        wall += timedelta(days=k * self.days)
        moment = wall.replace(tzinfo=LOCAL_ZONE).astimezone(timezone.utc)
        return moment + timedelta(seconds=k * self.seconds)


def parse_moment(text: str) -> datetime:
    """An ISO date or date-time; without an offset it is Dutch local time. Returns aware UTC."""
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL_ZONE)
    return moment.astimezone(timezone.utc)


@dataclass(frozen=True)
class Cycle:
    """`R[n]/start/duration`, `R[n]/duration` (from an anchor) or `R[n]/duration/end`."""

    start: datetime
    duration: Duration
    repetitions: int | None  # None: without end

    @classmethod
    def parse(cls, text: str, anchor: datetime) -> Cycle:
        parts = text.strip().split("/")
        if len(parts) not in (2, 3) or not parts[0].upper().startswith("R"):
            raise ValueError(f"'{text}' is not an ISO-8601 repeating interval (e.g. R/2026-12-31T09:00:00/P1Y).")
        count = parts[0][1:]
        if count and not count.isdigit():
            raise ValueError(f"'{parts[0]}' must be R or R<number>.")
        repetitions = int(count) if count else None
        if len(parts) == 2:
            duration = Duration.parse(parts[1])
            start = duration.times(anchor, 1)
        elif parts[1].upper().startswith("P"):
            duration = Duration.parse(parts[1])
            start = duration.times(parse_moment(parts[2]), -1)
        else:
            start, duration = parse_moment(parts[1]), Duration.parse(parts[2])
        return cls(start, duration, repetitions)

    def occurrence(self, k: int) -> datetime | None:
        if k < 0 or (self.repetitions is not None and k >= self.repetitions):
            return None
        return self.duration.times(self.start, k)

    def first_index_after(self, moment: datetime) -> int | None:
        """The smallest k whose occurrence is later than `moment`, or None when the cycle has ended."""
        if self.start > moment:
            return 0 if self.occurrence(0) is not None else None
        # Estimate, then correct: calendar arithmetic is monotonic in k.
        k = max(0, int((moment - self.start).total_seconds() // self.duration.approx_seconds) - 2)
        while self.duration.times(self.start, k) <= moment:
            k += 1
        while k > 0 and self.duration.times(self.start, k - 1) > moment:
            k -= 1
        if self.repetitions is not None and k >= self.repetitions:
            return None
        return k


def occurrences(value: str, kind: str, anchor: datetime) -> Occurrences:
    """The schedule of a timer start event from its evaluated value."""
    if kind == "timeDate":
        return Occurrences(single=parse_moment(value))
    if kind == "timeDuration":
        return Occurrences(single=Duration.parse(value).times(anchor, 1))
    if kind == "timeCycle":
        return Occurrences(cycle=Cycle.parse(value, anchor))
    raise ValueError(f"Unknown timer kind {kind!r}.")


@dataclass(frozen=True)
class Occurrences:
    single: datetime | None = None
    cycle: Cycle | None = None

    def next_after(self, moment: datetime) -> datetime | None:
        if self.cycle is None:
            return self.single if self.single > moment else None
        k = self.cycle.first_index_after(moment)
        return None if k is None else self.cycle.occurrence(k)

    def latest_between(self, after: datetime, until: datetime) -> tuple[datetime | None, int]:
        """The latest occurrence in (after, until] and how many earlier ones in that range it stands for."""
        if self.cycle is None:
            return (self.single, 0) if after < self.single <= until else (None, 0)
        first = self.cycle.first_index_after(after)
        if first is None:
            return None, 0
        beyond = self.cycle.first_index_after(until)
        last = (beyond - 1) if beyond is not None else (self.cycle.repetitions - 1)
        if last < first:
            return None, 0
        return self.cycle.occurrence(last), last - first
