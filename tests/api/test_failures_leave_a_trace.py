"""Every failure of authored code is a clear answer or an incident, never a 500 with nothing recorded."""

from __future__ import annotations

import io
import json
import logging

from engine import create_app
from engine.instances.engine_runner import describe

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="x">
  <bpmn:process id="probe" name="Probe" isExecutable="true" camunda:candidateStarterGroups="beheerder">
    <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t"/>
    <bpmn:scriptTask id="t" name="Script" scriptFormat="python"><bpmn:script>{script}</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="e"/><bpmn:endEvent id="e"/>
  </bpmn:process>
</bpmn:definitions>"""


def _deploy(owner, name, content):
    return owner.post(
        "/api/v1/deployments", data={"files": (io.BytesIO(content.encode()), name)}, content_type="multipart/form-data"
    )


def test_a_class_in_a_script_is_refused_at_deploy_with_its_line(as_user):
    refused = _deploy(as_user("procesbeheerder"), "probe.bpmn", BPMN.format(script="x = 1\nclass A: pass"))
    assert refused.status_code == 422
    problem = refused.get_json()["errors"][0]
    assert "Class definitions are not allowed" in problem["message"] and problem["element_id"] == "t"


def test_a_form_rule_nested_3000_deep_is_refused_at_deploy(as_user, app):
    form = {
        "id": "deep",
        "type": "default",
        "components": [
            {
                "type": "textfield",
                "key": "a",
                "label": "A",
                "conditional": {"hide": "=" + "(" * 3000 + "a" + ")" * 3000},
            }
        ],
    }
    refused = _deploy(as_user("procesbeheerder"), "deep.form", json.dumps(form))
    assert refused.status_code == 422
    message = refused.get_json()["errors"][0]["message"]
    assert ("3000 deep" in message or "longer than" in message) and len(message) < 300


def test_a_ten_million_item_list_is_an_incident_and_the_case_is_kept(as_user):
    owner, admin = as_user("procesbeheerder"), as_user("beheerder")
    assert _deploy(owner, "probe.bpmn", BPMN.format(script="x = list(range(10000000))")).status_code == 201
    case = admin.start("probe", {})
    assert case["status"] == "error" and case["incident"]["element_id"] == "t"
    assert admin.case(case["id"])["status"] == "error"


def test_an_exception_whose_text_fails_still_describes_itself():
    class Broken(Exception):
        def __str__(self):
            raise TypeError("sequence item 0: expected str instance, NoneType found")

    err = Broken("NameError: __build_class__ not found")
    err.notes = [None, "line 2"]
    assert describe(err) == "NameError: __build_class__ not found. line 2"


def test_migrations_leave_the_app_loggers_enabled(database_url):
    create_app({"SQLALCHEMY_DATABASE_URI": database_url, "VB_AUTO_MIGRATE": True, "VB_DEMO": True})
    assert not logging.getLogger("engine.core.errors").disabled


def test_feel_refuses_deep_nesting_within_the_length_limit():
    import pytest

    from engine.forms.feel import FeelError, compile_feel

    with pytest.raises(FeelError, match="60 deep"):
        compile_feel("=" + "(" * 60 + "a" + ")" * 60)
    assert compile_feel("=" + "(" * 10 + "a = 1" + ")" * 10)
