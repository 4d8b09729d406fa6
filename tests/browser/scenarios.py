"""Whole cases walked through the browser, one step per role, described as data.

A scenario names the folder to deploy, who reports, what they fill in, and then each task in order: who
does it and what they fill in (by the form's visible Dutch labels). To walk another process, add a
scenario; `test_walkthrough.py` runs every one of them. The eligible compensation path of
processes/threat_response.bpmn becomes one more entry here once that process is in processes/.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from tests.support.api import FIXTURES


@dataclass
class Step:
    user: str
    task_name: str           # as shown in the inbox (Dutch)
    values: dict             # form label (Dutch) -> value; select values by their option label
    claim_first: bool = True


@dataclass
class Scenario:
    name: str
    folders: list            # folders deployed before the walk
    process_id: str
    reporter: str
    start_values: dict
    steps: list = field(default_factory=list)
    done_elements: list = field(default_factory=list)  # marked done in the diagram at the end
    observer: str = "gemeente.westbetuwe"   # looks at the finished case
    final_status_text: str = "Afgerond"


SIMPLE_CASE = Scenario(
    name="simple_case",
    folders=[FIXTURES / "basic"],
    process_id="simple_case",
    reporter="ambtsdrager.westbetuwe",
    start_values={"Wat is er gebeurd?": "Dreigbrief in de brievenbus", "Woonadres": "Dorpsstraat 1, Geldermalsen"},
    steps=[
        Step("gemeente.westbetuwe", "Triage",
             {"Acuut gevaar": True, "Categorie": "Bedreiging", "Kosten": "1500"}),
        Step("politie", "Politie beoordeelt", {"Registratienummer": "PL0600-2026-123"}),
    ],
    done_elements=["start", "triage", "score", "gw", "police_check", "end"],
)

SCENARIOS = [SIMPLE_CASE]
