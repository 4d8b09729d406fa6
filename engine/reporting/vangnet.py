"""The figures of one calendar year of threat cases, for the evaluation of the vangnet.

Only counts, sums and medians leave this module: no names, addresses, business keys, municipalities or free
text. They are computed from the figures of the year's `threat_response` cases
(reported in that year, Dutch time), as kept in their figures rows (`case_figures`, engine/reporting/models.py),
and from `human_task` rows: no case is opened.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone
from statistics import mean, median

import sqlalchemy as sa

from ..db.extensions import db
from ..instances.models import COMPLETED
from ..runtime.script_helpers import LOCAL_ZONE
from ..instances.task_rows import COMPLETED as TASK_COMPLETED
from ..instances.task_rows import HumanTask
from ..core.timeutil import as_utc, utcnow
from .models import CaseFigures as F

PROCESS_ID = "threat_response"
FIRST_YEAR, LAST_YEAR = 2000, 2100
GRANTED = ("toegekend", "gedeeltelijk")
TRIAGE_SLACK = timedelta(days=90)
# The variables these figures read: what a purged case keeps in its tombstone (engine/retention), so the
# evaluation of a year does not change when its cases pass their retention. Codes, flags, amounts and dates;
# no names, addresses or free text.
TOMBSTONE_FIELDS = (
    "aangifte_in_time",
    "aangifte_status",
    "acute_danger",
    "advised_measures",
    "application_submitted_at",
    "burden_judged",
    "compensation_decided_at",
    "compensation_decision",
    "compensation_eligible",
    "compensation_requested",
    "costs_borne_by",
    "estimated_costs",
    "filing_method",
    "granted_amount",
    "incident_category",
    "ivp_contact_escalated",
    "ivp_first_contact_in_time",
    "ivp_referred",
    "measures_advised",
    "office_holder_role",
    "paid_amount",
    "reason",
    "requested_amount",
    "threat_level",
    "vertrouwenslijn_referred",
    # a disruption registration: its articles and the facts its state is derived from (derive.py)
    "art124",
    "art12_ruling",
    "om_decision",
    "om_registered_on",
    "sr_articles",
    "verdict",
)  # a case reported late in December may be triaged in the new year


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """Start (inclusive) and end (exclusive) of a calendar year in Dutch time, as UTC."""
    start = datetime(year, 1, 1, tzinfo=LOCAL_ZONE).astimezone(timezone.utc)
    end = datetime(year + 1, 1, 1, tzinfo=LOCAL_ZONE).astimezone(timezone.utc)
    return start, end


def check_year(year) -> int:
    if isinstance(year, bool) or not isinstance(year, (int, float)) or int(year) != year:
        raise ValueError("The evaluation year must be a whole number such as 2025.")
    year = int(year)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"The evaluation year must lie between {FIRST_YEAR} and {LAST_YEAR}.")
    return year


def year_figures(year) -> dict:
    year = check_year(year)
    start, end = year_bounds(year)
    rows = db.session.execute(sa.select(F).where(F.process_id == PROCESS_ID, F.year == year)).scalars().all()
    # a case's figures row keeps its values after a purge, as the tombstone does (engine/retention)
    cases = [
        (
            row.instance_id,
            COMPLETED if row.closed else None,
            as_utc(row.started_at),
            as_utc(row.completed_at),
            _as_variables(row),
        )
        for row in rows
    ]
    return {
        "year": year,
        "computed_at": utcnow().astimezone(LOCAL_ZONE).isoformat(timespec="seconds"),
        "cases_total": len(cases),
        "cases_closed": sum(1 for c in cases if c[1] == COMPLETED),
        **_profile([c[4] for c in cases]),
        "lead_times": _lead_times(cases, start, end),
    }


def _as_variables(row) -> dict:
    """A figures row as the variables these figures were first written for (absent values left out)."""
    values = {name: getattr(row, name) for name in TOMBSTONE_FIELDS if hasattr(row, name)}
    values["advised_measures"] = row.advised_measures.strip("|").split("|") if row.advised_measures else []
    values["application_to_decision_days"] = row.application_to_decision_days
    return {name: value for name, value in values.items() if value is not None}


def _counts(values) -> dict:
    return dict(sorted(Counter(v for v in values if isinstance(v, str)).items()))


def _amount(value) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


def _profile(data: list[dict]) -> dict:
    filed = [d for d in data if d.get("aangifte_status") == "geregistreerd"]
    advised = [d for d in data if d.get("measures_advised") is True]
    with_costs = [d for d in data if "costs_borne_by" in d]
    checked = [d for d in data if "compensation_eligible" in d]
    requested = [d for d in data if d.get("compensation_requested") is True]
    decided = [d for d in requested if d.get("compensation_decision")]
    referred = [d for d in data if d.get("ivp_referred") is True]
    return {
        "by_office_holder_role": _counts(d.get("office_holder_role") for d in data),
        "by_incident_category": _counts(d.get("incident_category") for d in data),
        "acute_danger": sum(1 for d in data if d.get("acute_danger") is True),
        "aangifte": {
            "registered": len(filed),
            "registered_in_time": sum(1 for d in filed if d.get("aangifte_in_time") is True),
            "report_only": sum(1 for d in data if d.get("aangifte_status") == "alleen_melding"),
            "by_filing_method": _counts(d.get("filing_method") for d in data),
        },
        "threat_levels": _counts(d.get("threat_level") for d in data),
        "measures_advised": len(advised),
        "measures": _counts(m for d in advised for m in (d.get("advised_measures") or [])),
        "costs": {
            "cost_decisions": len(with_costs),
            "borne_by": _counts(d.get("costs_borne_by") for d in with_costs),
            "estimated_total": round(sum(_amount(d.get("estimated_costs")) for d in with_costs), 2),
            "estimated_total_municipality": round(
                sum(_amount(d.get("estimated_costs")) for d in with_costs if d.get("costs_borne_by") == "gemeente"), 2
            ),
        },
        "vangnet": {
            "checked": len(checked),
            "eligible": sum(1 for d in checked if d.get("compensation_eligible") is True),
            "not_eligible_by_reason": _counts(
                d.get("reason") for d in checked if d.get("compensation_eligible") is False
            ),
            "burden_judged": sum(1 for d in data if d.get("burden_judged") is True),
        },
        "compensation": {
            "requested": len(requested),
            "requested_amount": round(sum(_amount(d.get("requested_amount")) for d in requested), 2),
            "decided": len(decided),
            "by_decision": _counts(d.get("compensation_decision") for d in decided),
            "granted": sum(1 for d in decided if d.get("compensation_decision") in GRANTED),
            "granted_amount": round(
                sum(_amount(d.get("granted_amount")) for d in decided if d.get("compensation_decision") in GRANTED), 2
            ),
            "paid_amount": round(
                sum(_amount(d.get("paid_amount")) for d in decided if d.get("compensation_decision") in GRANTED), 2
            ),
        },
        "psychosocial": {
            "ivp_referred": len(referred),
            "first_contact_in_time": sum(1 for d in referred if d.get("ivp_first_contact_in_time") is True),
            "escalated": sum(1 for d in referred if d.get("ivp_contact_escalated") is True),
            "vertrouwenslijn_referred": sum(1 for d in data if d.get("vertrouwenslijn_referred") is True),
        },
    }


def _days(start, end) -> float | None:
    try:
        first = start if isinstance(start, datetime) else datetime.fromisoformat(str(start))
        last = end if isinstance(end, datetime) else datetime.fromisoformat(str(end))
    except ValueError:
        return None
    if first.tzinfo is None:
        first = first.replace(tzinfo=LOCAL_ZONE)
    if last.tzinfo is None:
        last = last.replace(tzinfo=LOCAL_ZONE)
    return (last - first).total_seconds() / 86400


def _summary(values: list, unit: str) -> dict:
    values = [v for v in values if v is not None]
    if not values:
        return {f"{unit}_median": None, f"{unit}_mean": None, "cases": 0}
    return {f"{unit}_median": round(median(values), 1), f"{unit}_mean": round(mean(values), 1), "cases": len(values)}


def _lead_times(cases, start, end) -> dict:
    closed = [_days(c[2], c[3]) for c in cases if c[1] == COMPLETED and c[3] is not None]
    decisions = [c[4]["application_to_decision_days"] for c in cases if "application_to_decision_days" in c[4]]
    # A plain range query, filtered here by the year's case ids: its cost does not depend on the planner's
    # statistics, as a join or a long IN list would.
    ids = {c[0] for c in cases}
    triage_hours = [
        (as_utc(completed) - as_utc(created)).total_seconds() / 3600
        for instance_id, created, completed in db.session.execute(
            sa.select(HumanTask.instance_id, HumanTask.created_at, HumanTask.completed_at).where(
                HumanTask.process_id == PROCESS_ID,
                HumanTask.element_id == "triage",
                HumanTask.status == TASK_COMPLETED,
                HumanTask.created_at >= start,
                HumanTask.created_at < end + TRIAGE_SLACK,
            )
        )
        if instance_id in ids
    ]
    report_to_closure = _summary(closed, "days")
    return {
        "report_to_closure_days_median": report_to_closure["days_median"],
        "report_to_closure_days_mean": report_to_closure["days_mean"],
        "application_to_decision_days_median": _summary(decisions, "days")["days_median"],
        "triage_hours_median": _summary(triage_hours, "hours")["hours_median"],
    }
