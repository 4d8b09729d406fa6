"""Query parameters: every list filters by each parameter it documents, and a parameter an operation does not
declare is refused (400, naming it and the accepted ones) on every route of the API, so that a misspelt filter
never answers a list that is not what the client asked for (docs/api.md, *Names and parameters*)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from engine.db.extensions import db
from engine.core.timeutil import utcnow
from tests.support.api import FIXTURES
from tests.support.openapi import openapi_path

UNKNOWN = "zz_not_a_parameter"


@pytest.fixture
def document(client):
    return client.get("/api/v1/openapi.json").get_json()


def _api_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(("/api/v1/", "/webhooks/")):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule, method


def _url(rule) -> str:
    """The rule with a value for each path parameter (the check comes before any lookup)."""

    def value(match):
        return "1" if match.group(1) in ("int", "row_id") else "x"

    return re.sub(r"<(?:([^:<>]+):)?[^<>]+>", value, rule.rule)


def test_an_unknown_query_parameter_is_refused_on_every_route(app, as_user, document):
    """Every rule of the app under /api/v1 and /webhooks, every method: a new route cannot forget it. `accepted`
    is what the document lists for the operation."""
    admin = as_user("beheerder")  # past every role gate of the API (studio and operations included)
    checked = 0
    for rule, method in _api_rules(app):
        url = _url(rule)
        response = admin.client.open(f"{url}?{UNKNOWN}=1", method=method, headers=admin._headers())
        where = f"{method} {rule.rule}"
        assert response.status_code == 400, (where, response.status_code, response.get_data(as_text=True)[:200])
        body = response.get_json()
        assert body["code"] == "bad_request" and UNKNOWN in body["message"], where
        assert list(body["errors"]["query"]) == [UNKNOWN], where
        operation = document["paths"].get(openapi_path(rule.rule), {}).get(method.lower())
        if operation is not None:
            documented = {p["name"] for p in operation.get("parameters", ()) if p["in"] == "query"}
            assert set(body["accepted"]) == documented, where
            assert "400" in operation["responses"], where
        checked += 1
    assert checked > 60


def test_an_unknown_parameter_is_refused_before_anything_is_read_or_changed(app, deploy_fixture, as_user):
    deploy_fixture("basic")
    gemeente = as_user("gemeente.westbetuwe")
    case = gemeente.start("simple_case", {"summary": "x", "municipality_code": "GM0668"})
    task = gemeente.task_for(case["id"], "triage")
    history = gemeente.history(case["id"])
    # the integrator's mistake: a filter name that does not exist
    refused = gemeente.get("/api/v1/tasks", query_string={"case": case["id"]})
    assert refused.status_code == 400
    assert "'case'" in refused.get_json()["message"] and "process_instance_id" in refused.get_json()["accepted"]
    answer = gemeente.post(
        f"/api/v1/tasks/{task['id']}/complete?dry_run=1", json={"variables": {"category": "bedreiging"}}
    )
    assert answer.status_code == 400 and answer.get_json()["errors"] == {
        "query": {"dry_run": ["Unknown parameter; accepted: none."]}
    }
    assert gemeente.history(case["id"]) == history and gemeente.case(case["id"])["active_elements"] == ["triage"]
    # without a token the answer is 401 whatever the query says
    assert app.test_client().get(f"/api/v1/tasks?{UNKNOWN}=1").status_code == 401


def test_an_unknown_body_field_names_the_accepted_fields(deploy_fixture, as_user):
    deploy_fixture("basic")
    gemeente = as_user("gemeente.westbetuwe")
    response = gemeente.post(
        "/api/v1/process-instances",
        json={
            "process_id": "simple_case",
            "variables": {"summary": "x", "municipality_code": "GM0668"},
            "instance_id": "mine",
        },
    )
    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == "validation_failed" and "'instance_id'" in body["message"]
    assert body["accepted"] == ["business_key", "process_id", "variables"]
    assert body["errors"] == {"instance_id": ["Unknown field; accepted: business_key, process_id, variables."]}
    assert gemeente.get("/api/v1/process-instances").get_json()["total"] == 0


def test_the_old_names_are_deprecated_aliases(deploy_fixture, as_user, document):
    deploy_fixture("basic")
    gemeente = as_user("gemeente.westbetuwe")
    first = gemeente.start("simple_case", {"summary": "x", "municipality_code": "GM0668"})
    gemeente.start("simple_case", {"summary": "y", "municipality_code": "GM0668"})
    by_new = gemeente.tasks(process_instance_id=first["id"])
    assert [t["process_instance_id"] for t in by_new] == [first["id"]]
    assert gemeente.tasks(instance_id=first["id"]) == by_new
    both = gemeente.get("/api/v1/tasks", query_string={"instance_id": first["id"], "process_instance_id": "other"})
    assert both.status_code == 400 and "instance_id" in both.get_json()["errors"]["query"]
    parameters = {p["name"]: p for p in document["paths"]["/api/v1/tasks"]["get"]["parameters"]}
    assert parameters["instance_id"].get("deprecated") is True and "deprecated" not in parameters["process_instance_id"]
    entry = document["components"]["schemas"]["AccessLogEntry"]["properties"]
    assert entry["instance_id"]["deprecated"] is True and "process_instance_id" in entry
    case = document["components"]["schemas"]["Case"]["properties"]
    assert case["parent_instance_id"]["deprecated"] is True and "parent_process_instance_id" in case
    assert gemeente.case(first["id"])["parent_process_instance_id"] is None


# -- every list filters by each parameter it documents ------------------------------------------------------


@pytest.fixture
def world(app, deploy_fixture, as_user, tmp_path):
    """Cases of three processes in two municipalities, one cancelled and one started ten days ago, a claimed
    task and overdue tasks of two roles and two municipalities, read-log entries of two users, inbound deliveries of two sources and outcomes, outbound
    deliveries in two states, deployment approvals in two states."""
    from engine.accesslog.models import AccessLogEntry
    from engine.app.cli import deploy_folders
    from engine.definitions.models import DeploymentApproval
    from engine.instances.models import ProcessInstance
    from engine.instances.task_rows import HumanTask
    from engine.webhooks.models import InboundDelivery, OutboundDelivery

    from engine.identity.service import create_user, get_user
    from engine.notifications.models import GAVE_UP, MailMessage

    deploy_fixture("basic")
    deploy_fixture("timers")
    with app.app_context():  # one person in two roles: the candidate group filter picks one of them
        create_user(TWO_ROLES, TWO_ROLES_PASSWORD, ["gemeente", "ivp"], municipality_code="GM0668")
        db.session.commit()
    westbetuwe, amsterdam, admin = as_user("gemeente.westbetuwe"), as_user("gemeente.amsterdam"), as_user("beheerder")
    subscription = admin.post(
        "/api/v1/webhooks/subscriptions", json={"url": "http://127.0.0.1:9/hook", "event_types": ["case.started"]}
    ).get_json()
    cases = {
        "simple_wb": westbetuwe.start("simple_case", {"summary": "a", "municipality_code": "GM0668"}),
        "simple_ams": amsterdam.start("simple_case", {"summary": "b", "municipality_code": "GM0363"}),
        "checkin_wb": westbetuwe.start("checkin_cycle", {"municipality_code": "GM0668"}),
        "ivp_wb": westbetuwe.start("ivp_escalation", {"municipality_code": "GM0668"}),
        "cancelled": amsterdam.start("simple_case", {"summary": "c", "municipality_code": "GM0363"}),
    }
    second = tmp_path / "second_version"
    second.mkdir()
    (second / "simple_case.bpmn").write_text(
        (FIXTURES / "basic" / "simple_case.bpmn")
        .read_text()
        .replace('name="Eenvoudige zaak"', 'name="Eenvoudige zaak (2)"')
    )
    with app.app_context():
        deploy_folders([second], actor="test")
    cases["version_2"] = westbetuwe.start("simple_case", {"summary": "d", "municipality_code": "GM0668"})
    assert cases["version_2"]["version"] == 2
    assert (
        admin.post(f"/api/v1/operations/cases/{cases['cancelled']['id']}/cancel", json={"reason": "test"}).status_code
        == 200
    )
    claimed = westbetuwe.task_for(cases["simple_wb"]["id"], "triage")
    assert westbetuwe.post(f"/api/v1/tasks/{claimed['id']}/claim").status_code == 200
    westbetuwe.case(cases["simple_wb"]["id"])
    as_user("ambtsdrager.westbetuwe")  # signs in; reads nothing
    admin.case(cases["checkin_wb"]["id"])
    with app.app_context():
        long_ago = utcnow() - timedelta(days=10)
        db.session.execute(
            sa.update(ProcessInstance)
            .where(ProcessInstance.id == cases["checkin_wb"]["id"])
            .values(started_at=long_ago)
        )
        overdue = [cases[name]["id"] for name in ("checkin_wb", "ivp_wb", "simple_ams")]
        db.session.execute(sa.update(HumanTask).where(HumanTask.instance_id.in_(overdue)).values(due_at=long_ago))
        db.session.execute(sa.update(AccessLogEntry).where(AccessLogEntry.username == "beheerder").values(at=long_ago))
        for n, (source, event_type, outcome) in enumerate(
            [("politie", "melding.geregistreerd", "started"), ("bzk", "tegemoetkoming.besloten", "buffered")]
        ):
            db.session.add(
                InboundDelivery(
                    source=source, webhook_id=f"msg_{n}", event_type=event_type, body_sha256="0" * 64, outcome=outcome
                )
            )
        for n in range(2):  # mails given up on, for the beheerder's list
            db.session.add(
                MailMessage(
                    user_id=get_user("gemeente.westbetuwe").id,
                    kind="new_task",
                    business_key=f"VB-MAIL-{n}",
                    status=GAVE_UP,
                    attempts=3,
                )
            )
        first_outbound = db.session.scalars(sa.select(OutboundDelivery).order_by(OutboundDelivery.id)).first()
        first_outbound.status = "delivered"
        for status in ("pending", "refused"):
            db.session.add(
                DeploymentApproval(
                    change_key=status,
                    processes=["simple_case"],
                    changes={},
                    status=status,
                    requested_by="procesbeheerder",
                )
            )
        db.session.commit()
        db.session.remove()
    return {"cases": cases, "subscription": subscription, "claimed": claimed, "long_ago": long_ago}


def _rows(world):
    """(who, path, parameter, value, what every item of the answer must be)."""
    cases = world["cases"]
    simple_wb, checkin = cases["simple_wb"]["id"], cases["checkin_wb"]["id"]
    recent = (world["long_ago"] + timedelta(days=1)).isoformat()
    outbound = f"/api/v1/webhooks/subscriptions/{world['subscription']['id']}/deliveries"
    return [
        (
            "beheerder",
            "/api/v1/process-instances",
            "process_id",
            "simple_case",
            lambda i: i["process_id"] == "simple_case",
        ),
        ("beheerder", "/api/v1/process-instances", "status", "cancelled", lambda i: i["status"] == "cancelled"),
        (
            "beheerder",
            "/api/v1/process-instances",
            "municipality_code",
            "GM0363",
            lambda i: i["municipality_code"] == "GM0363",
        ),
        (
            "beheerder",
            "/api/v1/process-instances",
            "business_key",
            cases["ivp_wb"]["business_key"],
            lambda i: i["id"] == cases["ivp_wb"]["id"],
        ),
        (
            "beheerder",
            "/api/v1/process-instances",
            "q",
            cases["ivp_wb"]["business_key"][-5:].lower(),
            lambda i: i["id"] == cases["ivp_wb"]["id"],
        ),
        ("beheerder", "/api/v1/process-instances", "started_from", recent, lambda i: i["id"] != checkin),
        ("beheerder", "/api/v1/process-instances", "started_before", recent, lambda i: i["id"] == checkin),
        ("beheerder", "/api/v1/process-instances", "open_task", "triage", lambda i: "triage" in i["active_elements"]),
        (
            "gemeente.westbetuwe",
            "/api/v1/tasks",
            "process_id",
            "simple_case",
            lambda i: i["process_id"] == "simple_case",
        ),
        (
            "gemeente.westbetuwe",
            "/api/v1/tasks",
            "process_instance_id",
            checkin,
            lambda i: i["process_instance_id"] == checkin,
        ),
        ("gemeente.westbetuwe", "/api/v1/tasks", "instance_id", checkin, lambda i: i["process_instance_id"] == checkin),
        ("gemeente.westbetuwe", "/api/v1/tasks", "overdue", "true", lambda i: i["overdue"] is True),
        ("gemeente.westbetuwe", "/api/v1/tasks", "assigned", "me", lambda i: i["assignee"] == "gemeente.westbetuwe"),
        ("gemeente.westbetuwe", "/api/v1/tasks", "assigned", "none", lambda i: i["assignee"] is None),
        (TWO_ROLES, "/api/v1/tasks", "candidate_group", "ivp", lambda i: "ivp" in i["candidate_groups"]),
        (
            "beheerder",
            "/api/v1/timers/overdue-tasks",
            "candidate_group",
            "gemeente",
            lambda i: "gemeente" in i["candidate_groups"],
        ),
        (
            "beheerder",
            "/api/v1/timers/overdue-tasks",
            "municipality_code",
            "GM0668",
            lambda i: i["municipality_code"] == "GM0668",
        ),
        (
            "beheerder",
            "/api/v1/operations/cases",
            "process_id",
            "checkin_cycle",
            lambda i: i["process_id"] == "checkin_cycle",
        ),
        ("beheerder", "/api/v1/operations/cases", "version", "2", lambda i: i["version"] == 2),
        ("beheerder", "/api/v1/operations/cases", "status", "running", lambda i: i["status"] == "running"),
        (
            "beheerder",
            "/api/v1/operations/cases",
            "municipality_code",
            "GM0363",
            lambda i: i["municipality_code"] == "GM0363",
        ),
        ("beheerder", "/api/v1/operations/cases", "min_age_days", "5", lambda i: i["id"] == checkin),
        ("beheerder", "/api/v1/operations/cases", "max_age_days", "5", lambda i: i["id"] != checkin),
        ("privacy", "/api/v1/access-log", "username", "beheerder", lambda i: i["username"] == "beheerder"),
        ("privacy", "/api/v1/access-log", "since", recent, lambda i: i["username"] != "beheerder"),
        ("privacy", "/api/v1/access-log", "until", recent, lambda i: i["username"] == "beheerder"),
        (
            "privacy",
            "/api/v1/access-log",
            "process_instance_id",
            simple_wb,
            lambda i: i["process_instance_id"] == simple_wb,
        ),
        ("privacy", "/api/v1/access-log", "instance_id", simple_wb, lambda i: i["instance_id"] == simple_wb),
        (
            "privacy",
            f"/api/v1/process-instances/{simple_wb}/access-log",
            None,
            None,
            lambda i: i["process_instance_id"] == simple_wb,
        ),
        ("beheerder", "/api/v1/webhooks/deliveries", "source", "bzk", lambda i: i["source"] == "bzk"),
        (
            "beheerder",
            "/api/v1/webhooks/deliveries",
            "event_type",
            "melding.geregistreerd",
            lambda i: i["event_type"] == "melding.geregistreerd",
        ),
        ("beheerder", "/api/v1/webhooks/deliveries", "outcome", "buffered", lambda i: i["outcome"] == "buffered"),
        ("beheerder", outbound, "status", "delivered", lambda i: i["status"] == "delivered"),
        ("procesbeheerder", "/api/v1/deployments/approvals", "status", "refused", lambda i: i["status"] == "refused"),
        ("beheerder", "/api/v1/notifications/failed-mails", None, None, lambda i: i["status"] == "gave_up"),
    ]


# Parameters a row of their own checks (the page, the answer's format, the order) or that are not filters of a
# list; and filters whose data this world has not (tested where it has).
SPECIAL = {"limit", "offset", "format", "sort"}
ELSEWHERE = {("/api/v1/process-instances", "office_holder_role")}  # threat cases: tests/search/test_case_search.py
NOT_LISTS = {
    "/api/v1/operations/heatmap/{process_id}",
    "/api/v1/reports/vangnet/{year}",
}  # one report; its format is tested in tests/reporting/test_reports.py


TWO_ROLES, TWO_ROLES_PASSWORD = "gemeente.ivp", "Twee-rollen-wachtwoord-2026"


def _user(api, as_user, who):
    return api.login(who, TWO_ROLES_PASSWORD) if who == TWO_ROLES else as_user(who)


def _items(body):
    return body["items"] if isinstance(body, dict) else body


def test_every_list_filters_by_each_documented_parameter(world, api, as_user, document):
    rows = _rows(world)
    for who, path, name, value, wanted in rows:
        user = _user(api, as_user, who)
        everything = user.get(path)
        assert everything.status_code == 200, (path, everything.get_json())
        everything = _items(everything.get_json())
        if name is None:  # a list of one case: its path is the filter
            assert everything and all(wanted(i) for i in everything), path
            continue
        answer = user.get(path, query_string={name: value})
        assert answer.status_code == 200, (path, name, answer.get_json())
        items = _items(answer.get_json())
        where = f"{path}?{name}={value}"
        assert items, f"{where}: nothing matched"
        assert all(wanted(i) for i in items), f"{where}: an item that does not match"
        assert any(not wanted(i) for i in everything), f"{where}: the data does not show the filter at work"
        if isinstance(answer.get_json(), dict) and "total" in answer.get_json():
            assert answer.get_json()["total"] == len(items), where

    # every page: limit and offset
    paged = {path for _, path, *_ in rows} - {"/api/v1/deployments/approvals"}
    for path in paged:
        who = next(w for w, p, *_ in rows if p == path)
        user = _user(api, as_user, who)
        full = user.get(path).get_json()
        assert full["total"] >= 2, path
        first = user.get(path, query_string={"limit": 1}).get_json()
        assert first["total"] == full["total"] and first["items"] == full["items"][:1], path
        rest = user.get(path, query_string={"offset": 1}).get_json()
        assert rest["items"] == full["items"][1:], path
    # the order: ascending is the default's exact reverse (ties are broken by id, the other way round)
    admin = as_user("beheerder")
    newest = admin.get("/api/v1/process-instances").get_json()["items"]
    oldest = admin.get("/api/v1/process-instances", query_string={"sort": "started_at"}).get_json()["items"]
    assert oldest == newest[::-1] and len(newest) >= 3
    keys = [
        i["business_key"]
        for i in admin.get("/api/v1/process-instances", query_string={"sort": "-business_key"}).get_json()["items"]
    ]
    assert keys == sorted(keys, reverse=True)
    csv = as_user("privacy").get("/api/v1/access-log", query_string={"format": "csv", "username": "beheerder"})
    assert csv.mimetype == "text/csv"
    header, *lines = csv.get_data(as_text=True).strip().splitlines()
    assert header.split(",")[4] == "process_instance_id" and lines and all(",beheerder," in line for line in lines)

    # the table covers every query parameter every list of the document declares
    covered = {(path, name) for _, path, name, *_ in rows}
    covered_paths = {
        re.sub(
            r"/process-instances/[^/]+/",
            "/process-instances/{process_instance_id}/",
            re.sub(r"/subscriptions/\d+/", "/subscriptions/{subscription_id}/", path),
        )
        for path in paged | {p for _, p, *_ in rows}
    }
    covered |= {(p, n) for p in covered_paths for n in SPECIAL} | ELSEWHERE
    covered |= {(re.sub(r"/subscriptions/\d+/", "/subscriptions/{subscription_id}/", p), n) for p, n in covered}
    for path, item in document["paths"].items():
        operation = item.get("get")
        if operation is None or path in NOT_LISTS:
            continue
        for parameter in operation.get("parameters", ()):
            if parameter["in"] == "query":
                assert (path, parameter["name"]) in covered, f"GET {path}?{parameter['name']} is not tested"
