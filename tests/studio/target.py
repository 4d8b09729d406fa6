"""What the studio's tests edit, in one place (see conftest.py).

`TARGET` is the process of the acceptance tests (tests/studio/test_studio_browser.py): the real
threat response, `processes/threat_response.bpmn` with its decision tables, forms and scenario test.
`FIXTURE` is a small diagram written with Camunda 7 attributes (tests/studio/fixtures/studio_case), for the
API and operations tests that need a process they can drive in one step (incidents, timers, heatmaps).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent.parent


@dataclass(frozen=True)
class DecisionEdit:
    """A decision table cell to change, and what that changes in a case and in the scenario test."""

    rule: str  # rule id (the row)
    column: str  # input or output id (the column)
    text: str  # the cell's new text
    variable: str  # the case variable the decision sets
    before: object  # its value for `start_variables` before the change ...
    after: object  # ... and after it
    test_before: str  # the scenario test's expectation before the change (text in the test file) ...
    test_after: str  # ... and as the process owner updates it


@dataclass(frozen=True)
class Target:
    folders: tuple  # what is deployed (with the scenario tests next to the diagram)
    bpmn_file: str
    process_id: str
    test_file: str
    dmn_file: str
    form_file: str
    user_task: str  # a user task with a due date and a label to change
    user_task_label: str
    user_task_due: str  # its due date today (camunda:dueDate)
    user_task_values: dict  # what its form accepts today
    conditional_flow: str  # a sequence flow with a condition to break
    condition: str  # its condition today
    starter: str  # who starts a case
    start_variables: dict
    task_role_user: str  # who works on `user_task`
    required_field_label: str  # a field of `form_file` (its label on the task) that is optional today, made required
    required_field_key: str
    required_field_type: str  # its form-js type (the editor's palette entry)
    required_field_value: str  # a value that satisfies it
    decision: DecisionEdit
    scenarios: int  # how many scenarios the test files hold
    extra: dict = field(default_factory=dict)

    @property
    def folder(self) -> Path:
        return self.folders[0]


THREAT_RESPONSE = Target(
    folders=(PROJECT / "processes", PROJECT / "forms"),
    bpmn_file="threat_response.bpmn",
    process_id="threat_response",
    test_file="threat_response.test.json",
    dmn_file="case_routing.dmn",
    form_file="triage.form",
    user_task="triage",
    user_task_label="Triage en eerste contact",
    user_task_due="P1D",
    user_task_values={
        "first_contact_at": "2026-11-23T10:00",
        "severity": "hoog",
        "case_handler_name": "J. Jansen",
        "driehoek_informed": True,
    },
    conditional_flow="flow_acute_gateway_to_acute_police_response",
    condition="${acute_danger}",
    starter="gemeente.westbetuwe",
    # tests/scenarios/flow.py report(): a threatened wethouder of West Betuwe, no acute danger
    start_variables={
        "case_title": "Dreigbrief aan wethouder",
        "municipality_code": "GM0668",
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
    },
    task_role_user="gemeente.westbetuwe",
    required_field_label="Aantekeningen",  # as the case handler sees it (Dutch; the form says "Aantekeningen / Notes")
    required_field_key="triage_notes",
    required_field_type="textarea",
    required_field_value="Dreiging serieus; politie ingeschakeld.",
    # A wethouder's case: the triangle (mayor, chief prosecutor, police chief) always, not only in acute danger.
    decision=DecisionEdit(
        rule="case_routing_rule_2",
        column="output_driehoek_consultation",
        text="True",
        variable="driehoek_consultation",
        before=False,
        after=True,
        test_before='"driehoek_consultation": false',
        test_after='"driehoek_consultation": true',
    ),
    scenarios=1,
    extra={
        "after_user_task": {"choose_filing_method", "ask_support_consent", "threat_assessment"},
        # the triage form shows the decision: "Driehoek betrekken: {{driehoek_consultation}}"
        "decision_shown": {False: "Driehoek betrekken: false", True: "Driehoek betrekken: true"},
    },
)

FIXTURE = Target(
    folders=(HERE / "fixtures" / "studio_case",),
    bpmn_file="studio_case.bpmn",
    process_id="studio_case",
    test_file="studio_case.test.json",
    dmn_file="studio_compensation.dmn",
    form_file="studio_triage.form",
    user_task="triage",
    user_task_label="Triage",
    user_task_due="P2D",
    user_task_values={"category": "bedreiging", "estimated_costs": 300},
    conditional_flow="flow_compensation",
    condition='${compensation == "ja"}',
    starter="gemeente.westbetuwe",
    start_variables={"summary": "Dreigbrief in de bus", "municipality_code": "GM0668"},
    task_role_user="gemeente.westbetuwe",
    required_field_label="Kosten",
    required_field_key="estimated_costs",
    required_field_type="number",
    required_field_value="300",
    decision=DecisionEdit(
        rule="rule_high",
        column="input_costs",
        text=">= 5000",
        variable="compensation",
        before="ja",
        after="nee",
        test_before='"estimated_costs": 2500',
        test_after='"estimated_costs": 7500',
    ),
    scenarios=2,
)

TARGET = THREAT_RESPONSE
