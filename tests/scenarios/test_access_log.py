"""The read log (engine/accesslog): every read of a case's data leaves exactly one entry; the office holder
and the privacy officer read it, nobody else."""

from __future__ import annotations

import re
import csv
import io

import sqlalchemy as sa

from engine.accesslog.models import AccessLogEntry
from engine.db.extensions import db
from tests.scenarios.flow import Team
from tests.web.conftest import WebClient

# GET routes with a case or task in their path that show no case data, and why
NO_CASE_DATA = {
    "timers.CaseTimers": "element ids and due times of the case's timers",
    "access_log.CaseAccessLog": "the read log itself",
    "web.case_access_log": "the read log itself",
    "web.case_diagram": "the process definition (BPMN), not the case",
}


def _entries(app, **where) -> list:
    with app.app_context():
        rows = db.session.scalars(sa.select(AccessLogEntry).filter_by(**where).order_by(AccessLogEntry.id)).all()
        result = [(r.username, r.channel, r.activity, r.instance_id, r.categories, r.purpose) for r in rows]
        db.session.remove()
        return result


def _case_routes(app):
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and {"process_instance_id", "case_id", "task_id"} & set(rule.arguments):
            yield rule


def test_every_read_of_a_case_writes_exactly_one_entry(app, as_user, deploy_real):
    team = Team(as_user)
    case = team.start_threat(home_address="Dorpsstraat 1", incident_location="woning")
    task = team.gemeente.task_for(case["id"], "triage")
    before = len(_entries(app))
    gemeente_web = WebClient(app).sign_in("gemeente.westbetuwe")
    admin_web = WebClient(app).sign_in("beheerder")
    checked = []
    for rule in _case_routes(app):
        url = (
            rule.rule.replace("<process_instance_id>", case["id"])
            .replace("<case_id>", case["id"])
            .replace("<task_id>", task["id"])
        )
        if rule.rule.startswith("/api/"):
            answer = (team.admin if rule.endpoint == "timers.CaseTimers" else team.gemeente).get(url)
        else:
            answer = (admin_web if rule.endpoint.startswith("studio_pages.") else gemeente_web).get(url)
        count = len(_entries(app))
        expected = 0 if rule.endpoint in NO_CASE_DATA else 1
        if answer.status_code == 200 or expected:
            assert answer.status_code == 200, (rule.rule, answer.status_code)
        assert count - before == expected, f"{rule.rule} wrote {count - before} read log entries, not {expected}"
        before = count
        checked.append(rule.endpoint)
    assert {
        "instances.Case",
        "instances.CaseHistory",
        "tasks.Task",
        "web.case_page",
        "web.task_page",
        "studio_pages.operations_case",
    } <= set(checked)
    entries = _entries(app, instance_id=case["id"])
    assert ("gemeente.westbetuwe", "api", "case.read", case["id"], ["ordinary", "sensitive"]) == entries[0][:5]
    assert any(e[2] == "task.read" and e[5] == "Taak / task triage" for e in entries)
    assert any(e[2] == "case.history" and e[4] == ["audit_trail"] for e in entries)
    # a reader who may not see the sensitive fields: the entry says ordinary data only
    team.do(
        team.gemeente,
        case["id"],
        "triage",
        {
            "first_contact_at": "2026-11-23T10:00",
            "severity": "hoog",
            "case_handler_name": "J. Jansen",
            "driehoek_informed": True,
        },
    )
    team.admin.get(f"/api/v1/process-instances/{case['id']}")
    assert _entries(app, username="beheerder")[-1][4] == ["ordinary"]


def test_the_office_holder_and_the_privacy_officer_read_the_log_and_nobody_else(app, as_user, deploy_real):
    team = Team(as_user)
    case = team.start_threat(starter=team.ambtsdrager, reporter_is_office_holder=True)
    team.gemeente.get(f"/api/v1/process-instances/{case['id']}")
    own = team.ambtsdrager.get(f"/api/v1/process-instances/{case['id']}/access-log")
    assert own.status_code == 200
    readers = [(e["username"], e["activity"]) for e in own.get_json()["items"]]
    assert ("gemeente.westbetuwe", "case.read") in readers
    privacy = as_user("privacy")
    assert privacy.get(f"/api/v1/process-instances/{case['id']}/access-log").status_code == 200
    for user in ("gemeente.amsterdam", "bzk", "ivp", "gemeente.westbetuwe", "beheerder"):
        assert as_user(user).get(f"/api/v1/process-instances/{case['id']}/access-log").status_code == 404, user
    assert privacy.get(f"/api/v1/process-instances/{case['id']}").status_code == 404  # no case data for privacy
    page = WebClient(app).sign_in("ambtsdrager.westbetuwe").get(f"/cases/{case['id']}/access-log")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and len(re.findall(r"<tr[ >]", body)) == 1 + own.get_json()["total"]
    assert WebClient(app).sign_in("bzk").get(f"/cases/{case['id']}/access-log").status_code == 404


def test_the_privacy_officer_searches_by_user_and_exports_csv(app, as_user, deploy_real):
    team = Team(as_user)
    first, second = team.start_threat(), team.start_threat()
    for case in (first, second):
        team.gemeente.get(f"/api/v1/process-instances/{case['id']}")
    team.politie.get(f"/api/v1/process-instances/{first['id']}")
    privacy = as_user("privacy")
    found = privacy.get("/api/v1/access-log", query_string={"username": "gemeente.westbetuwe"}).get_json()
    assert found["total"] >= 2 and {e["username"] for e in found["items"]} == {"gemeente.westbetuwe"}
    assert {first["id"], second["id"]} <= {e["instance_id"] for e in found["items"]}
    exported = privacy.get("/api/v1/access-log", query_string={"username": "gemeente.westbetuwe", "format": "csv"})
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert len(rows) == found["total"] and rows[0]["username"] == "gemeente.westbetuwe"
    assert as_user("beheerder").get("/api/v1/access-log").status_code == 403
    assert privacy.get("/api/v1/access-log", query_string={"since": "gisteren"}).status_code == 400
    web = WebClient(app).sign_in("privacy")
    assert web.get("/access-log?username=gemeente.westbetuwe").status_code == 200
    assert web.get("/access-log?format=csv").mimetype == "text/csv"
