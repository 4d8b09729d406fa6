"""Rules between fields of a form (`notBefore`, `notAfter`): checked on the server with a message in Dutch and
English that says what is expected, comparing with the case's own value for a read-only field, and refused at
deploy when they name a field the form does not have. The IVP's first contact in tests/scenarios/test_ivp_support.py."""

from __future__ import annotations

import json

import pytest

from engine.app.cli import deploy_folders
from engine.core.errors import Unprocessable
from engine.forms.formjs import FormDefinition, FormDefinitionError


def _form(rule: dict, other_type="datetime", readonly=False):
    return {
        "id": "f",
        "components": [
            {
                "type": other_type,
                "key": "referred_at",
                "dateLabel": "Aangemeld op / Referred at",
                "label": "Aangemeld op / Referred at",
                "subtype": "datetime",
                "readonly": readonly,
            },
            {
                "type": "datetime",
                "key": "contact_at",
                "subtype": "datetime",
                "dateLabel": "Eerste contact / First contact",
                "properties": rule,
            },
        ],
    }


def test_a_moment_before_the_other_field_is_refused_with_what_is_expected():
    form = FormDefinition.from_schema(_form({"notBefore": "referred_at"}))
    clean, errors = form.validate({"referred_at": "2026-12-07T10:00+01:00", "contact_at": "2026-12-07T09:59+01:00"})
    assert errors == {}
    assert form.order_errors(clean) == {
        "contact_at": [
            "'Eerste contact' kan niet vóór 'Aangemeld op' liggen: vul een moment op of na 'Aangemeld op' in. / "
            "'First contact' cannot be before 'Referred at': enter a moment at or after 'Referred at'."
        ]
    }
    # the same moment, a later one, an offset that makes it later, or a missing value: accepted
    for contact in ("2026-12-07T10:00+01:00", "2026-12-07T10:30", "2026-12-07T09:30Z"):
        clean, _ = form.validate({"referred_at": "2026-12-07T10:00+01:00", "contact_at": contact})
        assert form.order_errors(clean) == {}, contact
    assert form.order_errors({"contact_at": "2026-12-07T09:00"}) == {}


def test_a_read_only_field_is_compared_with_the_case_value_not_what_the_client_sends():
    form = FormDefinition.from_schema(_form({"notBefore": "referred_at"}, readonly=True))
    clean, errors = form.validate({"referred_at": "2020-01-01T00:00", "contact_at": "2026-12-07T09:00+01:00"})
    assert errors == {} and "referred_at" not in clean
    assert form.order_errors(clean, {"referred_at": "2026-12-07T10:00:00+01:00"})["contact_at"]
    assert form.order_errors(clean, {"referred_at": "2026-12-07T08:00:00+01:00"}) == {}


def test_not_after_and_a_message_of_the_process_owner():
    form = FormDefinition.from_schema(
        _form({"notAfter": "referred_at", "notAfterMessage": "Vul een eerder moment in. / Enter an earlier moment."})
    )
    clean, _ = form.validate({"referred_at": "2026-12-07T10:00+01:00", "contact_at": "2026-12-07T11:00+01:00"})
    assert form.order_errors(clean) == {"contact_at": ["Vul een eerder moment in. / Enter an earlier moment."]}


@pytest.mark.parametrize(
    "rule,other_type,expected",
    [
        ({"notBefore": "referal_at"}, "datetime", "names 'referal_at', which is not another top-level field"),
        ({"notBefore": "contact_at"}, "datetime", "names 'contact_at', which is not another top-level field"),
        ({"notBefore": "referred_at"}, "number", "not of the same kind"),
    ],
)
def test_a_rule_that_names_no_comparable_field_is_refused(rule, other_type, expected):
    with pytest.raises(FormDefinitionError, match=expected):
        FormDefinition.from_schema(_form(rule, other_type))


def test_the_deployment_refuses_such_a_form_naming_file_and_line(app, tmp_path):
    (tmp_path / "rule.form").write_text(json.dumps(_form({"notBefore": "referal_at"}), indent=2))
    with app.app_context(), pytest.raises(Unprocessable) as refused:
        deploy_folders([tmp_path], actor="test")
    [problem] = refused.value.errors
    assert problem["file"] == "rule.form" and "referal_at" in problem["message"] and problem["line"]
