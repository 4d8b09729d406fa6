"""What the studio's acceptance tests edit, in one place (see conftest.py)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Target:
    folder: Path
    bpmn_file: str
    process_id: str
    test_file: str
    dmn_file: str
    form_file: str
    user_task: str            # a user task with a due date and a label to change
    user_task_label: str
    conditional_flow: str     # a sequence flow with a condition to break
    starter: str              # who starts a case
    start_variables: dict
    task_role_user: str       # who works on `user_task`
    required_field_label: str  # a field of `form_file` (Dutch label) that is made required
    required_field_key: str


TARGET = Target(
    folder=HERE / "fixtures" / "studio_case",
    bpmn_file="studio_case.bpmn",
    process_id="studio_case",
    test_file="studio_case.test.json",
    dmn_file="studio_compensation.dmn",
    form_file="studio_triage.form",
    user_task="triage",
    user_task_label="Triage",
    conditional_flow="flow_compensation",
    starter="gemeente.westbetuwe",
    start_variables={"summary": "Dreigbrief in de bus", "municipality_code": "GM0668"},
    task_role_user="gemeente.westbetuwe",
    required_field_label="Kosten",
    required_field_key="estimated_costs",
)
