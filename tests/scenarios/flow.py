"""Helpers for driving the real processes through the REST API as the demo users of each role."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import time_machine

from engine.identity.actor import Actor
from engine.cases.service import fire_timers

MUNICIPALITY = "GM0668"


def report(**overrides) -> dict:
    """A valid start form of threat_response (a threatened wethouder of West Betuwe)."""
    data = {
        "case_title": "Dreigbrief aan wethouder",
        "municipality_code": MUNICIPALITY,
        "office_holder_role": "wethouder",
        "reporter_is_office_holder": False,
        "incident_category": "bedreiging",
        "incident_date": "2026-11-20",
        "channel": "brief",
        "incident_location": "werk",
        "incident_description": "Brief met een doodsbedreiging.",
        "acute_danger": False,
        "suspect_known": False,
        "family_involved": False,
    }
    data.update(overrides)
    return data


SUPPORT_OFFERED = {"support_numbers_given": True, "support_information_by": "gemeente"}
# The office holder refers themselves to the IVP (the start form of ivp_support)
REFERRAL = {
    "referred_person": "ambtsdrager",
    "office_holder_role": "wethouder",
    "acute_danger": False,
    "contact_phone": "06 12345678",
    "referral_source": "zelf",
}

TRIAGE = {
    "first_contact_at": "2026-11-23T10:00",
    "severity": "hoog",
    "case_handler_name": "J. Jansen",
    "driehoek_informed": True,
}


def assessment(threat_level="concreet", measures=("alarm_opvolging", "camera")) -> dict:
    data = {
        "threat_product": "dreigingsinschatting",
        "threat_level": threat_level,
        "assessment_date": "2026-11-25",
        "advice_reference": "ADV-2026-17",
        "measures_advised": bool(measures),
    }
    if measures:
        data.update(advised_measures=list(measures), advice_authority="burgemeester")
    return data


def cost_decision(costs_borne_by="gemeente", estimated_costs=48_000, municipal_budget=120_000_000) -> dict:
    return {
        "costs_borne_by": costs_borne_by,
        "estimated_costs": estimated_costs,
        "municipal_budget": municipal_budget,
        "cost_decision_date": "2026-11-27",
    }


DRIEHOEK = {"driehoek_held_at": "2026-11-23T16:00", "driehoek_agreements": "Cameratoezicht bij het gemeentehuis."}
APPLY = {"vangnet_follow_up": "aanvragen"}
NOT_APPLY = {"vangnet_follow_up": "niet_aanvragen", "vangnet_follow_up_note": "De gemeente draagt de kosten zelf."}


class Team:
    """The demo users of every role."""

    USERS = {
        "gemeente": "gemeente.westbetuwe",
        "ambtsdrager": "ambtsdrager.westbetuwe",
        "politie": "politie",
        "om": "om",
        "bzk": "bzk",
        "ivp": "ivp",
        "admin": "beheerder",
    }

    def __init__(self, as_user):
        self.as_user = as_user

    def __getattr__(self, role):
        # Logging in costs a password hash check: only the users a scenario needs log in (once).
        if role not in self.USERS:
            raise AttributeError(role)
        return self.as_user(self.USERS[role])

    def login(self, *roles):
        """Log in before travelling in time: a token issued in the past has expired by now."""
        for role in roles or self.USERS:
            getattr(self, role)
        return self

    def do(self, user, case_id, element_id, variables=None, expect=200):
        task = user.task_for(case_id, element_id)
        return user.complete(task["id"], variables or {}, expect=expect)

    def open_elements(self, case_id) -> list:
        return sorted(t["element_id"] for t in self.admin.case(case_id)["open_tasks"])

    def variables(self, case_id) -> dict:
        return self.admin.case(case_id)["variables"]

    def message(self, name, business_key, variables, user, expect=200):
        """Send a message as `user`: only the party a message stands for may send it."""
        response = user.post(
            "/api/v1/messages", json={"name": name, "business_key": business_key, "variables": variables}
        )
        assert response.status_code == expect, response.get_json()
        return response.get_json()

    # --- the common stretch of threat_response ---------------------------------------------------

    def start_threat(self, starter=None, **overrides) -> dict:
        return (starter or self.gemeente).start("threat_response", report(**overrides))

    def through_triage(self, case_id):
        self.do(self.gemeente, case_id, "triage", TRIAGE)
        if "consult_driehoek" in self.open_elements(case_id):  # case_routing: a burgemeester, or acute danger
            self.do(self.gemeente, case_id, "consult_driehoek", DRIEHOEK)

    def no_aangifte(self, case_id):
        self.do(
            self.gemeente,
            case_id,
            "choose_filing_method",
            {"filing_method": "alleen_melding", "no_aangifte_reason": "geen_strafbaar_feit"},
        )

    def no_support(self, case_id):
        """The threat case's offer of support: the numbers given, nothing about whether anyone called."""
        self.do(self.gemeente, case_id, "ask_support_consent", SUPPORT_OFFERED)

    def with_support(self, case_id):
        """The offer, and the office holder reaching the IVP directly: the IVP's own case (ivp_support)."""
        self.no_support(case_id)
        return self.ambtsdrager.start("ivp_support", REFERRAL)

    def to_threat_assessment(self, case_id):
        """Triaged, no aangifte and the support offered: the police's threat assessment is what is left."""
        self.through_triage(case_id)
        self.no_aangifte(case_id)
        self.no_support(case_id)

    def to_application(self, case_id):
        """On to the municipality's compensation application: a concrete threat with measures advised, the
        municipality bears the costs (BZK judges the burden in its decision on the application)."""
        self.to_threat_assessment(case_id)
        self.do(self.politie, case_id, "threat_assessment", assessment())
        self.do(self.gemeente, case_id, "cost_decision", cost_decision())
        self.apply(case_id)

    def apply(self, case_id):
        """The gemeente, told the outcome of the vangnet check, applies to BZK."""
        self.do(self.gemeente, case_id, "decide_vangnet_follow_up", APPLY)


def fire_due_timers(app, case_id, at: datetime):
    """Travel to `at` and let the engine fire what is due there (what the scheduler does)."""
    with time_machine.travel(at, tick=False):
        with app.app_context():
            return fire_timers(case_id, Actor.system("scheduler"))


def after(value: str, **delta) -> datetime:
    return datetime.fromisoformat(value).astimezone(timezone.utc) + timedelta(**delta)


def to_threat_assessment_with_support(team, case_id):
    """Triaged, no aangifte, the office holder referred to the IVP: the police's threat assessment open in the
    threat case, the IVP's first contact in the IVP's own case (returned)."""
    team.through_triage(case_id)
    team.no_aangifte(case_id)
    return team.with_support(case_id)
