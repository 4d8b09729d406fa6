"""The figures row of a case, derived from its variables: only codes, flags, amounts and whole-case dates.

A value that is not of the expected kind (a code longer than a code, text where a flag belongs) is left out
rather than kept: what lands in these plain columns can never be a name or a sentence.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from ..runtime.script_helpers import LOCAL_ZONE
from ..core.timeutil import as_utc
from .models import CODE

THREAT, DISRUPTION, IVP = "threat_response", "democratic_disruption_registration", "ivp_support"
# An IVP case (confidential: no municipality, its data for the IVP and the office holder) writes a row of three
# flags and its month, no more than its case row already says: that a referral exists, counted nationally.
PROCESSES = (THREAT, DISRUPTION, IVP)
_CODE = re.compile(rf"^[a-z0-9_]{{1,{CODE}}}$")
CODES = {
    THREAT: (
        "office_holder_role",
        "incident_category",
        "aangifte_status",
        "filing_method",
        "threat_level",
        "costs_borne_by",
        "reason",
        "compensation_decision",
    ),
    DISRUPTION: ("om_decision", "case_outcome"),
    IVP: (),
}
FLAGS = {
    THREAT: (
        "acute_danger",
        "aangifte_in_time",
        "measures_advised",
        "compensation_eligible",
        "burden_judged",
        "compensation_requested",
        "ivp_referred",
        "ivp_first_contact_in_time",
        "ivp_contact_escalated",
        "vertrouwenslijn_referred",
    ),
    DISRUPTION: ("art124",),
    IVP: ("ivp_referred", "ivp_first_contact_in_time", "ivp_contact_escalated"),
}
# The states of a registration as the letter of 20 April 2016 reports them ("voorwaardelijk geseponeerd",
# "gedagvaard, maar ... nog niet onder de rechter", "gedagvaard, maar zijn de vonnissen nog niet bij mij
# bekend", "nog geen beslissing door het OM geregistreerd"), with the OM's other decisions and the verdicts.
REGISTRATION_STATES = (
    "gemeld",
    "geen_beslissing",
    "technisch_sepot",
    "beleidssepot",
    "voorwaardelijk_sepot",
    "strafbeschikking",
    "gedagvaard",
    "vonnis_onbekend",
    "vrijspraak",
    "ontslag_van_rechtsvervolging",
    "veroordeling",
)
_SEPOT = ("technisch_sepot", "beleidssepot", "voorwaardelijk_sepot")
_VERDICTS = ("vrijspraak", "ontslag_van_rechtsvervolging", "veroordeling")
ARTICLE = re.compile(r"^\d{2,3}[a-z]?$|^overig$")
AMOUNTS = {THREAT: ("estimated_costs", "requested_amount", "granted_amount", "paid_amount"), DISRUPTION: (), IVP: ()}
# every column a step may change (the others are set once, when the case is reported)
COLUMNS = tuple(
    sorted(
        {name for table in (CODES, FLAGS, AMOUNTS) for names in table.values() for name in names}
        | {
            "advised_measures",
            "application_to_decision_days",
            "applied_on",
            "decided_on",
            "closed",
            "completed_at",
            "sr_articles",
            "registration_state",
            "om_registered_on",
            "threat_case_linked",
        }
    )
)


def _code(value):
    return value if isinstance(value, str) and _CODE.match(value) else None


def _flag(value):
    return value if isinstance(value, bool) else None


def _amount(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        return None
    return float(value)


def _moment(value) -> datetime | None:
    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=LOCAL_ZONE)


def _days_between(start, end) -> float | None:
    if not start or not end:
        return None
    first, last = _moment(start), _moment(end)
    if first is None or last is None:
        return None
    return round((last - first).total_seconds() / 86400, 4)


def changing_values(process_id: str, variables: dict, closed: bool, completed_at) -> dict:
    """The columns a step writes: every column of `COLUMNS`, None where the case has no such value."""
    values = dict.fromkeys(COLUMNS)
    for name in CODES[process_id]:
        values[name] = _code(variables.get(name))
    for name in FLAGS[process_id]:
        values[name] = _flag(variables.get(name))
    for name in AMOUNTS[process_id]:
        values[name] = _amount(variables.get(name))
    if process_id == THREAT:
        measures = (
            [m for m in (variables.get("advised_measures") or []) if _code(m)]
            if isinstance(variables.get("advised_measures"), list)
            else []
        )
        values["advised_measures"] = ("|" + "|".join(sorted(set(measures))) + "|")[:1000] if measures else None
        values["application_to_decision_days"] = _days_between(
            variables.get("application_submitted_at"), variables.get("compensation_decided_at")
        )
        values["applied_on"] = _local_day(variables.get("application_submitted_at"))
        values["decided_on"] = _local_day(variables.get("compensation_decided_at"))
    if process_id == DISRUPTION:
        articles = (
            [a for a in variables.get("sr_articles") or [] if isinstance(a, str) and ARTICLE.match(a)]
            if isinstance(variables.get("sr_articles"), list)
            else []
        )
        values["sr_articles"] = ("|" + "|".join(sorted(set(articles))) + "|")[:200] if articles else None
        values["registration_state"] = registration_state(variables)
        values["om_registered_on"] = _date(variables.get("om_registered_on"))
        values["threat_case_linked"] = bool(variables.get("threat_case_key"))
    if process_id == IVP:  # the IVP sent the person on to the Vertrouwenslijn instead
        values["vertrouwenslijn_referred"] = variables.get("support_status") == "vertrouwenslijn"
    values["closed"], values["completed_at"] = closed, completed_at
    return values


def registration_state(variables: dict) -> str:
    """Where a disruption registration stands, from the OM's decision and the verdict it has recorded.

    A dismissal that the court of appeal overturned (art. 12 Sv, complaint well-founded) goes on to the summons,
    so it counts as summoned until the verdict is known."""
    verdict = variables.get("verdict")
    if verdict in _VERDICTS:
        return verdict
    if verdict == "onbekend":
        return "vonnis_onbekend"
    decision = variables.get("om_decision")
    if decision == "dagvaarding" or (decision in _SEPOT and variables.get("art12_ruling") == "gegrond_vervolging"):
        return "gedagvaard"
    if decision in _SEPOT or decision == "strafbeschikking":
        return decision
    return "geen_beslissing" if variables.get("om_registered_on") else "gemeld"


def _local_day(value) -> date | None:
    """The Dutch calendar day of a recorded moment (a step's `now()`)."""
    moment = _moment(value) if value else None
    return moment.astimezone(LOCAL_ZONE).date() if moment is not None else None


def _date(value) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def first_values(instance_id: str, process_id: str, municipality_code, started_at: datetime) -> dict:
    """The columns set once, when the case is reported."""
    local = as_utc(started_at).astimezone(LOCAL_ZONE)
    return {
        "instance_id": instance_id,
        "process_id": process_id,
        "year": local.year,
        "month": local.month,
        "municipality_code": municipality_code,
        "started_at": as_utc(started_at),
    }


def closure_days(started_at, completed_at) -> float | None:
    """Report to closure in days (the database counts it for a case that closes in a later step)."""
    if completed_at is None:
        return None
    return (as_utc(completed_at) - as_utc(started_at)).total_seconds() / 86400
