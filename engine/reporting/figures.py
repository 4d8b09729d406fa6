"""The yearly report: the figures of one year beside the previous years', from SQL aggregates.

Every figure is counted, summed or ordered by the database over the `case_figures` rows (engine/reporting/
models.py), grouped by year: one pass per table over the report's years, whatever their number of cases,
and no case is opened. What leaves this module is statistical disclosure controlled (`disclose`): a count
from 1 to 4, and an amount or lead time over 1 to 4 cases, is shown as "< 5" (as CBS does); when a table
would show exactly one such cell in a year, the next smallest cell of that year is hidden too ("x"), so the
hidden one cannot be found by subtracting the others from the total.
"""

from __future__ import annotations

import json
from datetime import date
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa

from ..db.extensions import db
from ..runtime.script_helpers import LOCAL_ZONE
from ..core.timeutil import utcnow
from ..instances.task_rows import COMPLETED as TASK_COMPLETED
from ..instances.task_rows import HumanTask
from .derive import DISRUPTION, IVP, THREAT
from .models import CaseFigures as F
from .sql import days_between
from .vangnet import GRANTED, check_year

THRESHOLD = 5
SMALL, HIDDEN = "< 5", "x"
PREVIOUS_YEARS = 4
MONTHS = tuple(f"{m:02d}" for m in range(1, 13))
_HISTORY = Path(__file__).resolve().parent / "data" / "art124_history.json"


@lru_cache(maxsize=1)
def art124_history() -> dict:
    """The letter's art. 124 Sr registrations 1992 - April 2016, with their source (as published)."""
    return json.loads(_HISTORY.read_text(encoding="utf-8"))


def report(year) -> dict:
    year = check_year(year)
    years = list(range(year - PREVIOUS_YEARS, year + 1))
    build = _Builder(years)
    counted = build.counted(
        {  # one pass over the years for all of these
            "cases": (
                {"reported": sa.true(), "closed": F.closed.is_(True), "acute_danger": F.acute_danger.is_(True)},
                {},
            ),
            "aangifte": (
                {
                    "registered": F.aangifte_status == "geregistreerd",
                    "registered_in_time": sa.and_(F.aangifte_status == "geregistreerd", F.aangifte_in_time.is_(True)),
                    "report_only": F.aangifte_status == "alleen_melding",
                },
                {},
            ),
            "measures": ({"measures_advised": F.measures_advised.is_(True)}, {}),
            "costs": (
                {"cost_decisions": F.costs_borne_by.is_not(None)},
                {
                    "estimated_total": (F.estimated_costs, F.costs_borne_by.is_not(None)),
                    "estimated_total_municipality": (F.estimated_costs, F.costs_borne_by == "gemeente"),
                },
            ),
            "vangnet_checks": (
                {
                    "checked": F.compensation_eligible.is_not(None),
                    "eligible": F.compensation_eligible.is_(True),
                    "burden_judged": F.burden_judged.is_(True),
                },
                {},
            ),
        }
    )
    # referrals in the IVP's own cases, and in the threat cases of the first version, which held them
    psychosocial = build.counted(
        {
            "psychosocial": (
                {
                    "ivp_referred": F.ivp_referred.is_(True),
                    "first_contact_in_time": sa.and_(F.ivp_referred.is_(True), F.ivp_first_contact_in_time.is_(True)),
                    "escalated": sa.and_(F.ivp_referred.is_(True), F.ivp_contact_escalated.is_(True)),
                    "vertrouwenslijn_referred": F.vertrouwenslijn_referred.is_(True),
                },
                {},
            )
        },
        process=(THREAT, IVP),
    )
    # an application counts in the year it was submitted, a decision in the year BZK recorded it, whenever
    # the threat was reported: the evaluation of a year run in January counts December's decisions
    applications = build.counted(
        {
            "compensation": (
                {"requested": F.compensation_requested.is_(True)},
                {"requested_amount": (F.requested_amount, F.compensation_requested.is_(True))},
            )
        },
        day=F.applied_on,
    )
    decided, per_decision = build.decisions()
    compensation = {
        "id": "compensation",
        "rows": [
            *applications["compensation"]["rows"][:1],
            *decided[:2],
            *applications["compensation"]["rows"][1:],
            *decided[2:],
        ],
    }
    disruptions = build.counted(
        {"art124": ({"registrations": sa.true(), "art124": F.art124.is_(True)}, {})}, process=DISRUPTION
    )
    # codes of few values: one query each for the profile and for the money, counted per combination
    profile = build.grouped_together(
        {
            "by_office_holder_role": (F.office_holder_role, None),
            "by_incident_category": (F.incident_category, None),
            "by_filing_method": (F.filing_method, None),
            "threat_levels": (F.threat_level, None),
        }
    )
    money = build.grouped_together(
        {
            "costs_borne_by": (F.costs_borne_by, None),
            "first_failing_condition": (F.reason, F.compensation_eligible.is_(False)),
        }
    )
    tables = [
        counted["cases"],
        build.grouped("reports_per_month", F.month, keys=MONTHS),
        build.grouped("by_municipality", F.municipality_code),
        profile["by_office_holder_role"],
        profile["by_incident_category"],
        counted["aangifte"],
        profile["by_filing_method"],
        profile["threat_levels"],
        counted["measures"],
        build.measures("advised_measures"),
        counted["costs"],
        money["costs_borne_by"],
        counted["vangnet_checks"],
        money["first_failing_condition"],
        compensation,
        per_decision,
        psychosocial["psychosocial"],
        {
            "id": "lead_times_days",
            "rows": [
                *build.lead_times("report_to_closure", F.report_to_closure_days, F.closed.is_(True)),
                *build.lead_times("application_to_decision", F.application_to_decision_days, day=F.decided_on),
            ],
        },
        {"id": "lead_times_hours", "rows": build.triage_hours("report_to_triage")},
        disruptions["art124"],
        build.grouped("art124_om_decisions", F.om_decision, F.art124.is_(True), process=DISRUPTION),
        build.split_codes("disruptions_by_article", F.sr_articles, process=DISRUPTION),
        build.grouped("art124_by_state", F.registration_state, F.art124.is_(True), process=DISRUPTION),
    ]
    return {
        "year": year,
        "years": years,
        "computed_at": utcnow().astimezone(LOCAL_ZONE).isoformat(timespec="seconds"),
        "disclosure": {"threshold": THRESHOLD, "small": SMALL, "hidden": HIDDEN},
        "tables": tables,
        "art124_history": {
            **art124_history(),
            "from_registrations": [
                {
                    "period": period,
                    "registrations": disclose(sum(states.values())),
                    "states": {state: disclose(n) for state, n in sorted(states.items())},
                }
                for period, states in art124_recount().items()
            ],
        },
    }


def disruption_counts(article: str | None = None) -> dict:
    """Exact counts of the disruption registrations over all years: {article: {year: {state: count}}}, the
    year being that of the OM's registration (`om_registered_on`; the year of the report while the OM has not
    registered it). For the administrator's command line (`flask reports disruptions`), not for the API,
    which shows these counts only under disclosure control."""
    year = sa.func.coalesce(sa.extract("year", F.om_registered_on), F.year)
    counts: dict[str, dict[str, dict[str, int]]] = {}
    for articles, found_year, state, count in db.session.execute(
        sa.select(F.sr_articles, year, F.registration_state, sa.func.count())
        .where(F.process_id == DISRUPTION, F.sr_articles.is_not(None))
        .group_by(F.sr_articles, year, F.registration_state)
    ):
        for code in articles.strip("|").split("|"):
            if article is not None and code != article:
                continue
            per_state = counts.setdefault(code, {}).setdefault(str(int(found_year)), {})
            per_state[state] = per_state.get(state, 0) + count
    return counts


def art124_recount() -> dict:
    """The periods of the letter's art. 124 Sr table (`art124_history.json`) counted again from the
    registrations in this system, by the OM's registration date: {period: {state: count}}."""
    periods = art124_history()["periods"]
    period = sa.case(
        *(
            (F.om_registered_on.between(date.fromisoformat(p["from"]), date.fromisoformat(p["to"])), at)
            for at, p in enumerate(periods)
        ),
        else_=None,
    )
    recount = {p["period"]: {} for p in periods}
    for at, state, count in db.session.execute(  # one pass over the disruption rows for all periods
        sa.select(period, F.registration_state, sa.func.count())
        .where(F.process_id == DISRUPTION, F.art124.is_(True), period.is_not(None))
        .group_by(period, F.registration_state)
    ):
        recount[periods[at]["period"]][state] = count
    return recount


class _Builder:
    def __init__(self, years: list[int]):
        self.years = years

    def _where(self, process: str, *conditions, day=None):
        """The rows of the report's years: by the year the case was reported (the key's range), or by the year
        of one of its days (`day`: a date column, through its own index)."""
        if day is None:
            span = F.year.between(self.years[0], self.years[-1])
        else:
            span = day.between(date(self.years[0], 1, 1), date(self.years[-1], 12, 31))
        which = F.process_id.in_(process) if isinstance(process, tuple) else F.process_id == process
        return sa.and_(which, span, *conditions)

    @staticmethod
    def _year(day=None):
        return F.year if day is None else sa.cast(sa.extract("year", day), sa.Integer)

    def counted(self, tables: dict, process: str = THREAT, day=None) -> dict:
        """Tables of counts (and of sums of amounts over the cases their conditions select), per year, all in
        one query: {table id: ({figure: condition}, {figure: (amount, condition)})}."""
        columns, layout = [], []
        for table_id, (counts, sums) in tables.items():
            for key, condition in counts.items():
                layout.append((table_id, key, "count", len(columns)))
                columns.append(sa.func.sum(sa.case((condition, 1), else_=0)))
            for key, (value, condition) in sums.items():
                layout.append((table_id, key, "amount", len(columns)))
                columns += [
                    sa.func.sum(sa.case((condition, value), else_=0)),
                    sa.func.sum(sa.case((sa.and_(condition, value.is_not(None)), 1), else_=0)),
                ]
        year = self._year(day)
        found = {
            row[0]: row[1:]
            for row in db.session.execute(sa.select(year, *columns).where(self._where(process, day=day)).group_by(year))
        }
        result = {table_id: {"id": table_id, "rows": []} for table_id in tables}
        for table_id, key, kind, at in layout:
            values = {}
            for year in self.years:
                cells = found.get(year) or (0,) * len(columns)
                if kind == "count":
                    values[str(year)] = disclose(int(cells[at] or 0))
                else:
                    values[str(year)] = disclose(round(float(cells[at] or 0), 2), int(cells[at + 1] or 0))
            result[table_id]["rows"].append({"key": key, "kind": kind, "values": values})
        return result

    def grouped(self, table_id: str, column, condition=None, keys=(), process: str = THREAT) -> dict:
        """One row per code of `column` (cases without one are not counted), per year."""
        if column is F.month:
            code = (
                sa.func.printf("%02d", F.month)
                if db.engine.dialect.name == "sqlite"
                else sa.func.lpad(sa.cast(F.month, sa.String), 2, "0")
            )
        else:
            code = column
        where = self._where(process, column.is_not(None), *(() if condition is None else (condition,)))
        counts: dict[str, dict[int, int]] = {key: {} for key in keys}
        for year, value, count in db.session.execute(
            sa.select(F.year, code, sa.func.count()).where(where).group_by(F.year, code)
        ):
            counts.setdefault(value, {})[year] = count
        return _breakdown(table_id, counts, self.years)

    def grouped_together(self, tables: dict, process: str = THREAT, day=None) -> dict:
        """Several tables of codes in one query: the database counts the cases per year and combination of
        codes (and of the tables' conditions), each table adds up the combinations by its own code.
        {table id: (column, condition or None)}."""
        selected = []
        for column, condition in tables.values():
            selected.append(column)
            if condition is not None:
                selected.append(sa.case((condition, 1), else_=0))
        counts = {table_id: {} for table_id in tables}
        year_of = self._year(day)
        for year, *values, count in db.session.execute(
            sa.select(year_of, *selected, sa.func.count())
            .where(self._where(process, day=day))
            .group_by(year_of, *selected)
        ):
            at = 0
            for table_id, (_column, condition) in tables.items():
                value = values[at]
                holds = True
                if condition is not None:
                    at += 1
                    holds = values[at] == 1
                at += 1
                if value is not None and holds:
                    per_year = counts[table_id].setdefault(value, {})
                    per_year[year] = per_year.get(year, 0) + count
        return {table_id: _breakdown(table_id, found, self.years) for table_id, found in counts.items()}

    def decisions(self) -> tuple[list[dict], dict]:
        """BZK's decisions by the year it recorded them, in one query: the rows `decided`, `granted`,
        `granted_amount` and `paid_amount` (paid so far on that year's grants) of the compensation table, and
        the table of decisions per code."""
        year = self._year(F.decided_on)
        counts, found = {}, {}
        for at, code, count, amount, amounts, paid, payments in db.session.execute(
            sa.select(
                year,
                F.compensation_decision,
                sa.func.count(),
                sa.func.sum(F.granted_amount),
                sa.func.count(F.granted_amount),
                sa.func.sum(F.paid_amount),
                sa.func.count(F.paid_amount),
            )
            .where(self._where(THREAT, F.compensation_decision.is_not(None), day=F.decided_on))
            .group_by(year, F.compensation_decision)
        ):
            counts.setdefault(code, {})[at] = count
            totals = found.setdefault(at, [0, 0, 0.0, 0, 0.0, 0])
            totals[0] += count
            if code in GRANTED:
                totals[1] += count
                totals[2] += float(amount or 0)
                totals[3] += amounts
                totals[4] += float(paid or 0)
                totals[5] += payments
        rows = [
            {"key": key, "kind": kind, "values": {}}
            for key, kind in (
                ("decided", "count"),
                ("granted", "count"),
                ("granted_amount", "amount"),
                ("paid_amount", "amount"),
            )
        ]
        for at in self.years:
            decided, granted, amount, amounts, paid, payments = found.get(at, (0, 0, 0.0, 0, 0.0, 0))
            rows[0]["values"][str(at)] = disclose(decided)
            rows[1]["values"][str(at)] = disclose(granted)
            rows[2]["values"][str(at)] = disclose(round(amount, 2), amounts)
            rows[3]["values"][str(at)] = disclose(round(paid, 2), payments)
        return rows, _breakdown("compensation_decisions", counts, self.years)

    def measures(self, table_id: str) -> dict:
        """The advised measures: the database groups the cases by their set of measures, each set is split."""
        counts: dict[str, dict[int, int]] = {}
        for year, measures, count in db.session.execute(
            sa.select(F.year, F.advised_measures, sa.func.count())
            .where(self._where(THREAT, F.measures_advised.is_(True), F.advised_measures.is_not(None)))
            .group_by(F.year, F.advised_measures)
        ):
            for measure in measures.strip("|").split("|"):
                per_year = counts.setdefault(measure, {})
                per_year[year] = per_year.get(year, 0) + count
        return _breakdown(table_id, counts, self.years, partition=False)  # a case may have several

    def split_codes(self, table_id: str, column, process: str = THREAT) -> dict:
        """A column of "|code|code|" sets: the database groups the cases by their set, each set is split."""
        counts: dict[str, dict[int, int]] = {}
        for year, codes, count in db.session.execute(
            sa.select(F.year, column, sa.func.count())
            .where(self._where(process, column.is_not(None)))
            .group_by(F.year, column)
        ):
            for code in codes.strip("|").split("|"):
                per_year = counts.setdefault(code, {})
                per_year[year] = per_year.get(year, 0) + count
        return _breakdown(table_id, counts, self.years, partition=False)  # a case may have several

    def lead_times(self, key: str, duration, condition=None, day=None) -> list[dict]:
        """Median and 90th percentile of a duration column per year (of the report, or of `day`)."""
        durations = sa.select(self._year(day).label("year"), duration.label("value")).where(
            self._where(THREAT, duration.is_not(None), *(() if condition is None else (condition,)), day=day)
        )
        return self._percentiles(key, "days", durations)

    def triage_hours(self, key: str) -> list[dict]:
        """Hours from the report to the first completed triage (the inbox's task rows; a triage done again
        after a repair counts once, the first time), per year of the report: the year's figures rows, each
        looked up in the task rows by element, status and case (an index)."""
        done = sa.func.min(HumanTask.completed_at)
        durations = (
            sa.select(F.year.label("year"), (days_between(F.started_at, done) * 24).label("value"))
            .join(
                HumanTask,
                sa.and_(
                    HumanTask.instance_id == F.instance_id,
                    HumanTask.element_id == "triage",
                    HumanTask.status == TASK_COMPLETED,
                ),
            )
            .where(self._where(THREAT), HumanTask.process_id == THREAT)
            .group_by(F.year, F.instance_id, F.started_at)
        )
        return self._percentiles(key, "hours", durations)

    def _percentiles(self, key: str, kind: str, durations) -> list[dict]:
        """Median and 90th percentile per year (interpolated, as `statistics.quantiles(method="inclusive")`):
        the database numbers the durations of each year in order and returns only the ones at those places.
        `durations`: a select of (year, value)."""
        measured = durations.subquery()
        ranked = sa.select(
            measured.c.year,
            measured.c.value,
            (sa.func.row_number().over(partition_by=measured.c.year, order_by=measured.c.value) - 1).label("k"),
            sa.func.count().over(partition_by=measured.c.year).label("n"),
        ).subquery()
        n, k = ranked.c.n, ranked.c.k
        places = ((n - 1) // 2, n // 2, (9 * (n - 1)) // 10, (9 * (n - 1) + 9) // 10)
        found: dict[int, tuple[int, dict]] = {}
        for year, value, place, count in db.session.execute(
            sa.select(ranked.c.year, ranked.c.value, k, n).where(sa.or_(*(k == p for p in places)))
        ):
            found.setdefault(int(year), (count, {}))[1][place] = float(value)
        rows = []
        for statistic, share in (("median", 0.5), ("p90", 0.9)):
            values = {}
            for year in self.years:
                count, at = found.get(year, (0, {}))
                values[str(year)] = disclose(_interpolated(at, count, share), count)
            rows.append({"key": f"{key}_{statistic}", "kind": kind, "values": values})
        return rows


def _interpolated(at: dict, count: int, share: float) -> float | None:
    if not count:
        return None
    position = share * (count - 1)
    low = int(position)
    if position == low:
        return round(at[low], 1)
    return round(at[low] + (position - low) * (at[low + 1] - at[low]), 1)


def disclose(value, cases: int | None = None):
    """A count from 1 to 4 (or a value over 1 to 4 cases) as "< 5"; zero and larger ones as they are."""
    basis = value if cases is None else cases
    if basis is not None and 0 < basis < THRESHOLD:
        return SMALL
    return value


def _breakdown(table_id: str, counts: dict, years: list[int], partition: bool = True) -> dict:
    """A table of counts per code and year, with the cells of 1 to 4 shown as "< 5"; when its rows partition
    the cases and one cell of a year is small, the next smallest one of that year is hidden as well."""
    rows = [
        {"key": key, "kind": "count", "values": {str(y): disclose(per_year.get(y, 0)) for y in years}}
        for key, per_year in sorted(counts.items())
    ]
    if partition:
        for year in years:
            column = str(year)
            small = [row for row in rows if row["values"][column] == SMALL]
            others = sorted(
                (row for row in rows if isinstance(row["values"][column], int) and row["values"][column] > 0),
                key=lambda row: row["values"][column],
            )
            if len(small) == 1 and others:
                others[0]["values"][column] = HIDDEN
    return {"id": table_id, "rows": rows}
