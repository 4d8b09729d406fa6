"""Whole cases walked through the browser, one step per role, described as data.

A scenario names the folders to deploy, who reports, what they fill in, and then each task in order: who
does it and what they fill in (by the form's visible Dutch labels; see `WebSession.fill` in browser.py for the
kinds of field), and what the finished case shows. To walk another process, add a scenario;
`tests/web/test_walkthrough_browser.py` runs every one of them:

- `simple_case`: the small fixture process of tests/fixtures/basic (report, triage, police check);
- `threat_response_eligible_compensation`: the real processes/ and forms/, along the eligible compensation
  path of threat_response from the report to BZK's grant and the closed case, as five roles.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.support.api import FIXTURES, PROJECT


@dataclass
class Step:
    user: str
    task_name: str  # as shown in the inbox (Dutch)
    values: dict  # form label (Dutch) -> value; select values by their option label
    claim_first: bool = True


@dataclass
class Scenario:
    name: str
    folders: list  # folders deployed before the walk
    process_id: str
    reporter: str
    start_values: dict
    steps: list = field(default_factory=list)
    done_elements: list = field(default_factory=list)  # marked done in the diagram at the end
    not_done_elements: list = field(default_factory=list)  # paths not taken: not marked done
    final_data: dict = field(default_factory=dict)  # the case data at the end: label (Dutch) -> shown value
    observer: str = "gemeente.westbetuwe"  # looks at the finished case
    final_status_text: str = "Afgerond"
    docs_screenshots: bool = False  # the walk whose pictures `make screenshots` copies into docs/img


SIMPLE_CASE = Scenario(
    name="simple_case",
    folders=[FIXTURES / "basic"],
    process_id="simple_case",
    reporter="ambtsdrager.westbetuwe",
    start_values={"Wat is er gebeurd?": "Dreigbrief in de brievenbus", "Woonadres": "Dorpsstraat 1, Geldermalsen"},
    steps=[
        Step("gemeente.westbetuwe", "Triage", {"Acuut gevaar": True, "Categorie": "Bedreiging", "Kosten": "1500"}),
        Step("politie", "Politie beoordeelt", {"Registratienummer": "PL0600-2026-123"}),
    ],
    done_elements=["start", "triage", "score", "gw", "police_check", "end"],
    final_data={"Categorie": "Bedreiging", "Registratienummer": "PL0600-2026-123"},
    docs_screenshots=True,
)

# The eligible compensation path of processes/threat_response.bpmn (the scenario test
# tests/scenarios/test_vangnet_compensation.py::test_eligible_compensation_ends_granted, in the browser).
# The office holder reports for themself, so the personal tasks of the call activities (aangifte, support)
# are theirs: assigned, not claimed.
ELIGIBLE_COMPENSATION = Scenario(
    name="threat_response_eligible_compensation",
    folders=[PROJECT / "processes", PROJECT / "forms"],
    process_id="threat_response",
    reporter="ambtsdrager.westbetuwe",
    start_values={
        "Korte titel": "Dreigbrief aan wethouder",
        "Gemeente (CBS-code)": "GM0668",
        "Functie van de bedreigde ambtsdrager": "Wethouder",
        "Ik ben zelf de bedreigde ambtsdrager": True,
        "Soort incident": "Bedreiging",
        "Datum van het incident": "2026-11-20",
        "Hoe kwam de dreiging binnen?": "Brief",
        "Plaats": "Werkplek of gemeentehuis",
        "Wat is er gebeurd?": "Brief met een doodsbedreiging.",
    },
    steps=[
        Step(
            "gemeente.westbetuwe",
            "Triage en eerste contact",
            {
                "Eerste contact met de ambtsdrager": "2026-11-23T10:00",
                "Ernst": "Hoog",
                "Naam behandelaar gemeente": "J. Jansen",
                "Driehoek (burgemeester, OM, politie) geïnformeerd": True,
            },
        ),
        Step(
            "ambtsdrager.westbetuwe",
            "Wijze van aangifte kiezen",
            {"Wijze van aangifte": "Alleen een melding, geen aangifte", "Waarom geen aangifte?": "Geen strafbaar feit"},
            claim_first=False,
        ),
        Step(
            "ambtsdrager.westbetuwe",
            "IVP en Vertrouwenslijn aanbieden",
            {
                "De nummers van het IVP en de Vertrouwenslijn zijn gegeven": True,
                "Vastgelegd door": "De ambtsdrager zelf",
            },
            claim_first=False,
        ),
        Step(
            "politie",
            "Dreiging inschatten, beveiliging adviseren",
            {
                "Dreigingsproduct": "Dreigingsinschatting",
                "Dreiging": "Concrete dreiging",
                "Aanvullende beveiligingsmaatregelen geadviseerd": True,
                "Geadviseerde maatregelen": ["Alarminstallatie met opvolging", "Camerabewaking"],
                "Advies van": "Burgemeester (openbare orde)",
                "Kenmerk advies": "ADV-2026-17",
                "Datum": "2026-11-25",
            },
        ),
        Step(
            "gemeente.westbetuwe",
            "Kostenbesluit gemeente (werkgever)",
            {
                "Wie draagt de kosten?": "Gemeente als werkgever",
                "Geraamde kosten (EUR)": "48000",
                "Totale begroting gemeente (lasten, EUR)": "120000000",
                "Datum besluit": "2026-11-27",
            },
        ),
        Step(
            "gemeente.westbetuwe",
            "Uitkomst vangnet: aanvragen bij BZK of niet",
            {"Wat doet de gemeente?": "Een tegemoetkoming aanvragen bij BZK"},
        ),
        Step(
            "gemeente.westbetuwe",
            "Aanvraag tegemoetkoming indienen",
            {
                "Maatregelen en bedragen": [
                    {"Maatregel": "Alarminstallatie met opvolging", "Bedrag (EUR)": "30000"},
                    {"Maatregel": "Camerabewaking", "Bedrag (EUR)": "18000"},
                ],
                "Toelichting op de maatregelen": "Alarm met opvolging en camera's bij de woning.",
                "Kenmerk beveiligingsadvies": "ADV-2026-17",
                "Datum aanvraag": "2026-12-01",
            },
        ),
        Step(
            "bzk",
            "Besluiten op aanvraag",
            {
                "Komen de gevraagde maatregelen overeen met het advies?": "Ja, alle gevraagde maatregelen zijn geadviseerd",
                "Acute en ernstige dreiging?": "Ja",
                "Beslag op de gemeentelijke begroting": "Onevenredig",
                "Besluit": "Toegekend",
                "Toegekend bedrag (EUR)": "48000",
                "Datum besluit": "2026-12-10",
                "Kenmerk besluit": "BZK-2026-0042",
                "Motivering": "Alle voorwaarden vervuld.",
            },
        ),
        Step("gemeente.westbetuwe", "Besluit ontvangen", {"Ontvangen op": "2026-12-11"}),
        Step(
            "gemeente.westbetuwe",
            "Werkelijke kosten declareren",
            {"Kosten tot en met": "2026-12-20", "Gedeclareerd bedrag (EUR)": "48000"},
        ),
        Step(
            "bzk",
            "Declaratie betalen",
            {"Betaald op": "2027-01-08", "Betaald bedrag (EUR)": "48000", "Betalingskenmerk": "BZK-BET-1"},
        ),
        Step(
            "gemeente.westbetuwe",
            "Zaak afsluiten",
            {"Samenvatting": "Maatregelen getroffen.", "Datum afsluiting": "2026-12-12"},
        ),
    ],
    done_elements=[
        "report_received",
        "register_report",
        "set_deadlines",
        "route_case",
        "acute_gateway",
        "acute_merge",
        "triage",
        "split_response",
        "support_aangifte",
        "offer_psychosocial_support",
        "assessment_merge",
        "driehoek_gateway",
        "driehoek_merge",
        "threat_assessment",
        "assessment_done",
        "derive_vangnet_facts",
        "protection_gateway",
        "protection_merge",
        "measures_gateway",
        "cost_decision",
        "compute_cost_facts",
        "cost_merge",
        "check_vangnet",
        "vangnet_gateway",
        "decide_vangnet_follow_up",
        "follow_up_gateway",
        "request_compensation",
        "vangnet_done",
        "join_response",
        "close_case",
        "register_closure",
        "case_closed",
    ],
    not_done_elements=[
        "acute_police_response",
        "read_threat_assessment_message",
        "record_no_compensation",
        "consult_driehoek",
        "decide_personal_protection",
    ],
    final_data={
        "Dreiging": "Concrete dreiging",
        "Wie draagt de kosten?": "Gemeente als werkgever",
        "Beslag op de gemeentelijke begroting": "Onevenredig",
        "Besluit": "Toegekend",
        "Toegekend bedrag (EUR)": "€\xa048.000",
        "Ontvangen op": "11 december 2026",
        "Datum afsluiting": "12 december 2026",
    },
)

SCENARIOS = [SIMPLE_CASE, ELIGIBLE_COMPENSATION]
