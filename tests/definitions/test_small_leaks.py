"""Decision tables are checked at deploy as scripts are, and a helper written without its brackets reads as
its value instead of a memory address."""

from __future__ import annotations

import re

import pytest

from tests.api.test_failures_leave_a_trace import BPMN, _deploy

DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="probe_defs" name="Probe"
    namespace="http://camunda.org/schema/1.0/dmn">
  <decision id="probe_decision" name="Probe besluit">
    <decisionTable id="probe_table" hitPolicy="UNIQUE">
      <input id="in_1" label="Bedrag">
        <inputExpression id="in_1_expr" typeRef="number"><text>{input}</text></inputExpression>
      </input>
      <output id="out_1" label="Uitkomst" name="outcome" typeRef="string" />
      <rule id="rule_1">
        <inputEntry id="rule_1_in"><text>&gt; 5000</text></inputEntry>
        <outputEntry id="rule_1_out"><text>"hoog"</text></outputEntry>
      </rule>
      <rule id="rule_2">
        <inputEntry id="rule_2_in"><text>{entry}</text></inputEntry>
        <outputEntry id="rule_2_out"><text>{output}</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
</definitions>"""
GOOD = {"input": "amount", "entry": "? in (1, 2)", "output": '"laag"'}


def _dmn(**cells):
    return DMN.format(**{**GOOD, **cells})


@pytest.mark.parametrize(
    "cells, where, what, cell_id",
    [
        ({"input": "amount.__class__"}, "input 1 ('Bedrag')", "input expression 'amount.__class__'", "in_1_expr"),
        ({"entry": "amount.__class__.__mro__"}, "rule 2, input 1 ('Bedrag')", "input entry", "rule_2_in"),
        ({"entry": "? == ().__class__"}, "rule 2, input 1 ('Bedrag')", "input entry '? == ().__class__'", "rule_2_in"),
        ({"output": "[].__class__.__base__"}, "rule 2, output 1 ('Uitkomst')", "output entry", "rule_2_out"),
    ],
)
def test_a_dunder_in_a_decision_table_is_refused_at_deploy(as_user, cells, where, what, cell_id):
    owner = as_user("procesbeheerder")
    text = _dmn(**cells)
    line = next(n for n, row in enumerate(text.splitlines(), 1) if f'id="{cell_id}"' in row)
    refused = _deploy(owner, "probe.dmn", text)
    assert refused.status_code == 422, refused.get_json()
    (problem,) = refused.get_json()["errors"]
    assert problem["element_id"] == "probe_decision" and problem["line"] == line, problem
    message = problem["message"]
    assert message.startswith(f"Decision 'Probe besluit', {where}: the {what}"), message
    assert 'starts with "_"' in message and "without names that start with an underscore" in message


def test_a_sound_decision_table_deploys(as_user):
    assert _deploy(as_user("procesbeheerder"), "probe.dmn", _dmn()).status_code == 201


def test_the_project_decision_tables_pass_the_check():
    from lxml import etree

    from engine.definitions.decision_checks import decision_problems
    from tests.support.api import PROJECT

    for path in sorted((PROJECT / "processes").glob("*.dmn")):
        assert decision_problems(etree.parse(str(path)).getroot()) == [], path.name


def test_now_without_brackets_reads_as_the_moment_not_an_address(as_user):
    owner, admin = as_user("procesbeheerder"), as_user("beheerder")
    script = "shown = str(now)\nday = f'{today}'\nhelper = str(add_working_days)"
    assert _deploy(owner, "probe.bpmn", BPMN.format(script=script)).status_code == 201
    case = admin.start("probe", {})
    assert case["status"] == "completed", case
    data = admin.case(case["id"])["variables"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0[12]:00", data["shown"]), data
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", data["day"]) and data["helper"] == "<function add_working_days>"
    assert "0x" not in str(data)


def test_now_compared_without_brackets_is_an_incident_that_says_what_to_write(as_user):
    owner, admin = as_user("procesbeheerder"), as_user("beheerder")
    assert _deploy(owner, "probe.bpmn", BPMN.format(script="late = now &gt; '2026-01-01'")).status_code == 201
    case = admin.start("probe", {})
    assert case["status"] == "error" and case["incident"]["element_id"] == "t"
    assert "'now' is a function: write now() for its value" in case["incident"]["message"]


def test_a_read_only_helper_still_works_when_called():
    from engine.runtime.sandbox import SandboxedEnvironment

    context = {}
    SandboxedEnvironment().execute("a = now()\nb = add_working_days('2026-12-04', 1)", context)
    assert context["b"] == "2026-12-07T00:00:00+01:00" and isinstance(context["a"], str)
