"""Need to know (docs/privacy.md, "Who reads what"): IVP, BZK and the OM never receive a field outside their
readers, through any channel. A case is walked with a unique marker in fields those roles may not read; every
answer they can get is searched for it: the API (case lists, the case, its history, tasks, every GET route
with a case or task in its path), the web pages (inbox, case list, case page, task pages, inbox updates),
the outgoing webhooks (the outbox bodies of every subscription) and the exports open to them.

tests/scenarios/test_data_at_rest.py checks the same kind of markers in what is stored (sealed at rest);
this test checks what is shown."""

from __future__ import annotations

import json
import uuid

import sqlalchemy as sa

from engine.db.extensions import db
from engine.webhooks.models import OutboundDelivery
from engine.webhooks.outbox import open_body
from tests.scenarios.flow import Team, assessment, cost_decision
from tests.web.conftest import WebClient

ROLES = ("ivp", "bzk", "om")
# the markers a role does read: the cost decision is part of BZK's compensation file
READS = {"bzk": {"cost_notes"}}


def _markers() -> dict:
    tag = uuid.uuid4().hex[:10]
    return {
        # the report, the triage and the closing are the gemeente's and the police's, not IVP's, BZK's or OM's
        "incident_description": f"Dreigbrief need-to-know-{tag}-a",
        "triage_notes": f"Aantekening need-to-know-{tag}-b",
        "case_handler_name": f"Behandelaar {tag}-c",
        "home_address": f"Kenmerkstraat {tag}-d",
        "family_details": f"Gezin {tag}-e",
        # the costs are BZK's to read, not the IVP's
        "cost_notes": f"Kostennotitie {tag}-f",
    }


def _walk(team, markers) -> dict:
    case = team.start_threat(
        family_involved=True,
        family_details=markers["family_details"],
        incident_location="woning",
        home_address=markers["home_address"],
        incident_description=markers["incident_description"],
    )
    case_id = case["id"]
    team.do(
        team.gemeente,
        case_id,
        "triage",
        {
            "first_contact_at": "2026-11-23T10:00",
            "severity": "hoog",
            "case_handler_name": markers["case_handler_name"],
            "driehoek_informed": True,
            "triage_notes": markers["triage_notes"],
        },
    )
    team.no_aangifte(case_id)
    team.no_support(case_id)
    team.do(team.politie, case_id, "threat_assessment", assessment())
    team.do(team.gemeente, case_id, "cost_decision", {**cost_decision(), "cost_notes": markers["cost_notes"]})
    return case


def _subscribe_to_everything(admin) -> None:
    types = [t["event_type"] for t in admin.get("/api/v1/webhooks/event-types").get_json()]
    answer = admin.post(
        "/api/v1/webhooks/subscriptions",
        json={"url": "https://ontvanger.example/hooks", "event_types": types, "description": "need to know"},
    )
    assert answer.status_code == 201, answer.get_json()


def _api_answers(app, user, case_id) -> dict:
    """Every API answer the user can get about the case: lists, the case, its history, its tasks, and
    every GET route with a case or task in its path."""
    answers = {"cases": user.get("/api/v1/process-instances"), "tasks": user.get("/api/v1/tasks")}
    task_ids = [t["id"] for t in user.tasks(process_instance_id=case_id)]
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or not rule.rule.startswith("/api/"):
            continue
        if {"process_instance_id"} & set(rule.arguments):
            answers[rule.rule] = user.get(rule.rule.replace("<process_instance_id>", case_id))
        elif {"task_id"} & set(rule.arguments):
            for task_id in task_ids:
                answers[f"{rule.rule}:{task_id}"] = user.get(rule.rule.replace("<task_id>", task_id))
    return answers


def _page_answers(app, username, case_id, task_ids) -> dict:
    web = WebClient(app).sign_in(username)
    pages = {
        "/": web.get("/"),
        "/cases": web.get("/cases"),
        "/inbox/updates.json": web.get("/inbox/updates.json"),
        f"/cases/{case_id}": web.get(f"/cases/{case_id}"),
    }
    for task_id in task_ids:
        pages[f"/tasks/{task_id}"] = web.get(f"/tasks/{task_id}")
    return pages


def _leaks(answers: dict, markers: dict, allowed=()) -> list:
    found = []
    for channel, response in answers.items():
        text = response.get_data(as_text=True)
        found += [(channel, key) for key, marker in markers.items() if key not in allowed and marker in text]
    return found


def test_ivp_bzk_and_om_never_receive_a_field_outside_their_readers(app, as_user, deploy_real):
    team = Team(as_user)
    markers = _markers()
    _subscribe_to_everything(team.admin)
    case = _walk(team, markers)
    case_id = case["id"]
    # BZK now has its part in the case: an application it must decide on. The IVP has none: the office holder
    # reaches it directly, in the IVP's own case (tests/scenarios/test_ivp_support.py)
    team.apply(case_id)
    team.do(
        team.gemeente,
        case_id,
        "submit_application",
        {
            "requested_measures": [{"measure": "camera", "amount": 18_000}],
            "advice_reference": "ADV-2026-17",
            "application_date": "2026-12-01",
        },
    )

    # the markers are in the case, for the roles that read them (else the search below proves nothing)
    gemeente_view = team.gemeente.case(case_id)["variables"]
    assert all(gemeente_view[key] == marker for key, marker in markers.items())
    assert markers["incident_description"] in WebClient(app).sign_in("gemeente.westbetuwe").get(
        f"/cases/{case_id}"
    ).get_data(as_text=True)

    for role in ROLES:
        user = getattr(team, role)
        answers = _api_answers(app, user, case_id)
        if role in ("om", "ivp"):  # no part in this case: it does not exist for them
            assert answers["/api/v1/process-instances/<process_instance_id>"].status_code == 404
        else:
            assert answers["/api/v1/process-instances/<process_instance_id>"].status_code == 200, role
            shown = answers["/api/v1/process-instances/<process_instance_id>"].get_json()["variables"]
            assert all(shown[key] == "***" for key in markers if key in shown and key not in READS.get(role, ())), role
            if role == "bzk":
                assert shown["cost_notes"] == markers["cost_notes"]
            assert answers["/api/v1/process-instances/<process_instance_id>/history"].status_code == 200
        assert _leaks(answers, markers, READS.get(role, ())) == [], role
        task_ids = [t["id"] for t in user.tasks(process_instance_id=case_id)]
        pages = _page_answers(app, Team.USERS[role], case_id, task_ids)
        assert _leaks(pages, markers, READS.get(role, ())) == [], role

    # outgoing webhooks: no body of any subscription carries a marker (facts are declared, never free text)
    with app.app_context():
        rows = db.session.scalars(sa.select(OutboundDelivery).options(sa.orm.undefer(OutboundDelivery.body))).all()
        bodies = [open_body(r.body, r.instance_id) for r in rows]
        db.session.remove()
    assert len(bodies) >= 5 and any(case_id in body for body in bodies)
    # the outbox: every subscriber's body, whichever role's system receives it
    assert [(json.loads(b)["type"], k) for b in bodies for k, m in markers.items() if m in b] == []

    # exports: the read log's CSV and the studio's export are not theirs; BZK's yearly vangnet figures (the
    # report an evaluation keeps) are counts and sums only
    for role in ROLES:
        user = getattr(team, role)
        assert user.get("/api/v1/access-log", query_string={"format": "csv"}).status_code in (403, 404)
        assert user.get("/api/v1/studio/export.zip").status_code in (401, 403)
    evaluation = team.bzk.start("vangnet_evaluation", {"evaluation_year": 2026, "evaluation_note": "Jaarlijks"})
    figures = team.bzk.get(f"/api/v1/process-instances/{evaluation['id']}")
    assert figures.status_code == 200 and "vangnet_report" in figures.get_json()["variables"]
    assert _leaks({"vangnet_report": figures}, markers) == []
