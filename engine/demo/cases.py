"""A few realistic cases for the embedded demo (`make run`), so every demo user finds work in their inbox.

Driven through the same services as the API (start a case, complete tasks as the user of the right role),
never written into the tables directly. Idempotent: a demo case whose business key exists is skipped.
"""

from __future__ import annotations

import sqlalchemy as sa

from ..definitions.models import ProcessVersion
from ..db.extensions import db
from ..identity.actor import Actor
from ..identity.models import User
from ..instances.models import ProcessInstance
from ..instances.task_rows import OPEN, HumanTask
from ..cases.service import start_case
from ..tasks.service import complete

REPORT = {
    "reporter_is_office_holder": False,
    "acute_danger": False,
    "suspect_known": False,
    "family_involved": False,
    "incident_location": "werk",
}
TRIAGE = {"first_contact_at": "2026-03-14T10:00", "severity": "hoog", "case_handler_name": "Team OOV"}


def _actor(username: str) -> Actor:
    user = db.session.scalar(sa.select(User).where(User.username == username))
    return Actor.for_user(user)


def _start(process_id: str, business_key: str, starter: str, variables: dict):
    return start_case(process_id, variables, _actor(starter), business_key=business_key)


def _do(instance_id: str, element_id: str, username: str, variables: dict) -> None:
    task_id = db.session.scalar(
        sa.select(HumanTask.id).where(
            HumanTask.instance_id == instance_id, HumanTask.element_id == element_id, HumanTask.status == OPEN
        )
    )
    if task_id is None:
        raise RuntimeError(f"Demo case {instance_id}: no open task {element_id}.")
    complete(task_id, variables, _actor(username))


def _threatened_alderman():
    """A wethouder reports a threatening letter herself: she chose aangifte onder nummer and referred herself to
    the IVP (its own case, which the gemeente does not see); the police still has to register the aangifte and
    deliver the threat assessment; the IVP must call her."""
    case = _start(
        "threat_response",
        "VB-DEMO-0001",
        "ambtsdrager.westbetuwe",
        {
            **REPORT,
            "case_title": "Dreigbrief aan wethouder",
            "municipality_code": "GM0668",
            "office_holder_role": "wethouder",
            "reporter_is_office_holder": True,
            "incident_category": "bedreiging",
            "incident_date": "2026-03-12",
            "channel": "brief",
            "incident_description": "Anonieme brief in de bus van het gemeentehuis met een doodsbedreiging.",
        },
    )
    _do(case.id, "triage", "gemeente.westbetuwe", TRIAGE)
    _do(case.id, "choose_filing_method", "ambtsdrager.westbetuwe", {"filing_method": "onder_nummer"})
    _do(
        case.id,
        "ask_support_consent",
        "ambtsdrager.westbetuwe",
        {"support_numbers_given": True, "support_information_by": "ambtsdrager"},
    )


def _ivp_self_referral():
    """The same wethouder referred herself to the IVP: its own case, which the gemeente does not see."""
    _start(
        "ivp_support",
        "VB-DEMO-0006",
        "ambtsdrager.westbetuwe",
        {
            "referred_person": "ambtsdrager",
            "office_holder_role": "wethouder",
            "acute_danger": False,
            "contact_phone": "06 12345678",
            "referral_source": "zelf",
        },
    )


def _mayor_in_acute_danger():
    """A burgemeester of Amsterdam is followed home: the police must act within the hour."""
    _start(
        "threat_response",
        "VB-DEMO-0002",
        "gemeente.amsterdam",
        {
            **REPORT,
            "case_title": "Burgemeester achtervolgd",
            "municipality_code": "GM0363",
            "office_holder_role": "burgemeester",
            "incident_category": "belaging",
            "incident_date": "2026-03-14",
            "channel": "bij_woning",
            "incident_location": "woning",
            "acute_danger": True,
            "emergency_number_called": True,
            "incident_description": "Onbekende man wacht 's avonds bij de woning.",
        },
    )


def _councillor_awaiting_bzk():
    """A raadslid of West Betuwe needs an alarm and cameras at home; the gemeente has applied, BZK must decide
    (with its judgement of the burden on the budget)."""
    case = _start(
        "threat_response",
        "VB-DEMO-0003",
        "gemeente.westbetuwe",
        {
            **REPORT,
            "case_title": "Online bedreiging raadslid",
            "municipality_code": "GM0668",
            "office_holder_role": "raadslid",
            "incident_category": "online_haat",
            "incident_date": "2026-02-20",
            "channel": "sociale_media",
            "incident_location": "online",
            "incident_description": "Reeks berichten met bedreigingen na een raadsdebat.",
        },
    )
    _do(case.id, "triage", "griffie.westbetuwe", TRIAGE)  # case_routing: the griffie handles a raadslid's case
    _do(case.id, "choose_filing_method", "gemeente.westbetuwe", {"filing_method": "werkgever"})
    _do(
        case.id,
        "ask_support_consent",
        "gemeente.westbetuwe",
        {"support_numbers_given": True, "support_information_by": "gemeente"},
    )
    _do(
        case.id,
        "register_aangifte",
        "politie",
        {"police_registration_number": "PL0600-2026-000318", "vpt_ela_marked": True, "registered_on": "2026-02-23"},
    )
    _do(
        case.id,
        "threat_assessment",
        "politie",
        {
            "threat_product": "dreigingsinschatting",
            "threat_level": "concreet",
            "measures_advised": True,
            "advised_measures": ["pkvw_basis", "alarm_opvolging", "camera"],
            "advice_authority": "burgemeester",
            "advice_reference": "OOV-2026-044",
            "assessment_date": "2026-02-27",
        },
    )
    _do(
        case.id,
        "cost_decision",
        "gemeente.westbetuwe",
        {
            "costs_borne_by": "gemeente",
            "estimated_costs": 38500,
            "municipal_budget": 96_000_000,
            "cost_decision_date": "2026-03-04",
        },
    )
    _do(case.id, "decide_vangnet_follow_up", "griffie.westbetuwe", {"vangnet_follow_up": "aanvragen"})
    _do(
        case.id,
        "submit_application",
        "gemeente.westbetuwe",
        {
            "requested_measures": [
                {"measure": "alarm_opvolging", "amount": 26_000},
                {"measure": "camera", "amount": 12_500},
            ],
            "advice_reference": "OOV-2026-044",
            "application_date": "2026-03-05",
        },
    )


def _threatened_mayor():
    """The burgemeester of West Betuwe reports a threat at home herself. The gemeentesecretaris triaged it; the
    driehoek meets with the locoburgemeester for the gemeente, since the burgemeester does not decide about her
    own protection; her own choices (aangifte, support) wait for her."""
    case = _start(
        "threat_response",
        "VB-DEMO-0007",
        "burgemeester.westbetuwe",
        {
            **REPORT,
            "case_title": "Dreiging bij woning burgemeester",
            "municipality_code": "GM0668",
            "office_holder_role": "burgemeester",
            "reporter_is_office_holder": True,
            "incident_category": "bedreiging",
            "incident_date": "2026-03-16",
            "channel": "bij_woning",
            "incident_location": "woning",
            "home_address": "Voorstraat 1, Geldermalsen",
            "incident_description": "Leus op de gevel en een brief met een bedreiging in de brievenbus.",
        },
    )
    _do(case.id, "triage", "secretaris.westbetuwe", TRIAGE)


def _councillor_personal_protection():
    """A raadslid under concrete threat: the police advise personal protection, which the hoofdofficier van
    justitie decides on."""
    case = _start(
        "threat_response",
        "VB-DEMO-0008",
        "gemeente.westbetuwe",
        {
            **REPORT,
            "case_title": "Ernstige bedreiging raadslid",
            "municipality_code": "GM0668",
            "office_holder_role": "raadslid",
            "incident_category": "bedreiging",
            "incident_date": "2026-03-10",
            "channel": "telefoon",
            "incident_description": "Herhaalde telefonische doodsbedreigingen.",
        },
    )
    _do(case.id, "triage", "griffie.westbetuwe", TRIAGE)
    _do(case.id, "choose_filing_method", "griffie.westbetuwe", {"filing_method": "domiciliekeuze"})
    _do(
        case.id,
        "ask_support_consent",
        "griffie.westbetuwe",
        {"support_numbers_given": True, "support_information_by": "gemeente"},
    )
    _do(
        case.id,
        "threat_assessment",
        "politie",
        {
            "threat_product": "dreigingsanalyse",
            "threat_level": "concreet",
            "measures_advised": True,
            "advised_measures": ["alarm_opvolging", "persoonsbeveiliging"],
            "advice_authority": "hoofdofficier",
            "advice_reference": "OM-2026-017",
            "assessment_date": "2026-03-13",
        },
    )


def _disrupted_council_meeting():
    """A council meeting was broken up (art. 124 Sr); the OM has registered it and must decide."""
    case = _start(
        "democratic_disruption_registration",
        "VB-DEMO-0004",
        "politie",
        {
            "case_title": "Raadsvergadering over opvang verstoord",
            "municipality_code": "GM0668",
            "incident_date": "2026-01-15",
            "meeting_type": "gemeenteraad",
            "sr_articles": ["124", "141"],
            "description": "Vergadering met vuurwerk en geweld uiteengejaagd; raadsleden moesten het pand verlaten.",
        },
    )
    _do(
        case.id,
        "om_register",
        "om",
        {"parket_number": "05/780112-26", "suspects_count": 4, "om_registered_on": "2026-01-20"},
    )


def _toolkit_rollout():
    """BZK informs the burgemeesters of the Instrumentenkoffer Veilig Bestuur; both must still confirm."""
    _start(
        "toolkit_rollout",
        "VB-DEMO-0005",
        "bzk",
        {
            "rollout_title": "Instrumentenkoffer Veilig Bestuur",
            "letter_sent_on": "2026-03-15",
            "letter_reference": "BZK-2026-0315",
            "municipality_scope": "selectie",
            "municipality_codes": ["GM0668", "GM0363"],
        },
    )


DEMO_CASES = [
    ("VB-DEMO-0001", "threat_response", _threatened_alderman),
    ("VB-DEMO-0002", "threat_response", _mayor_in_acute_danger),
    ("VB-DEMO-0003", "threat_response", _councillor_awaiting_bzk),
    ("VB-DEMO-0004", "democratic_disruption_registration", _disrupted_council_meeting),
    ("VB-DEMO-0005", "toolkit_rollout", _toolkit_rollout),
    ("VB-DEMO-0006", "ivp_support", _ivp_self_referral),
    ("VB-DEMO-0007", "threat_response", _threatened_mayor),
    ("VB-DEMO-0008", "threat_response", _councillor_personal_protection),
]


def seed_demo_cases() -> int:
    """Create the demo cases that do not exist yet. Returns how many were created; 0 when the processes are not
    deployed (deploy first)."""
    deployed = set(db.session.scalars(sa.select(ProcessVersion.process_id).distinct()))
    existing = set(
        db.session.scalars(
            sa.select(ProcessInstance.business_key).where(
                ProcessInstance.business_key.in_([key for key, _, _ in DEMO_CASES])
            )
        )
    )
    created = 0
    for business_key, process_id, make in DEMO_CASES:
        if business_key in existing or process_id not in deployed:
            continue
        make()
        created += 1
    return created
