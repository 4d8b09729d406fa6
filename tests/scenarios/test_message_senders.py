"""Messages come only from the party they stand for: every message of every process, sent by every role.

The walk brings cases of the real processes to each message they wait for, then every demo user sends it:
those who may not see the case get 404, those who see it but do not stand for the message's sender get 403,
an undeclared variable gets 422; each refusal leaves the case exactly as it was and is audited. The party
the message stands for then delivers it."""

import random

import sqlalchemy as sa

from engine.definitions.service import latest_process_versions, message_senders_of
from engine.db.extensions import db
from engine.instances.models import AuditEvent, ProcessInstance
from engine.messages.models import MessageSubscription
from tests.scenarios.flow import Team, to_threat_assessment_with_support
from tests.scenarios.form_data import FormFiller
from tests.scenarios.test_random_walk import OWN_MUNICIPALITY, STARTERS, WORKERS

USERS = WORKERS + ["procesbeheerder", "beheerder"]
FIRST_CASES = {
    "threat_response": 20,
    "democratic_disruption_registration": 8,
    "toolkit_rollout": 2,
    "vangnet_evaluation": 2,
    "ivp_support": 3,
}
MORE_CASES = {"threat_response": 20}


def _declared(app) -> dict:
    with app.app_context():
        declared = {}
        for version in latest_process_versions(executable_only=True):
            for name, entry in message_senders_of(version).items():
                declared.setdefault(name, entry)
        return declared


def _waiting(app, case_ids) -> dict:
    """message name -> a case (id) that waits for it, among `case_ids`."""
    with app.app_context():
        rows = db.session.execute(
            sa.select(MessageSubscription.message_name, MessageSubscription.instance_id).where(
                MessageSubscription.instance_id.in_(case_ids)
            )
        ).all()
    found = {}
    for name, case_id in rows:
        found.setdefault(name, case_id)
    return found


def _snapshot(app, case_id) -> tuple:
    with app.app_context():
        row = db.session.execute(
            sa.select(ProcessInstance.lock_version, ProcessInstance.state, ProcessInstance.variables).where(
                ProcessInstance.id == case_id
            )
        ).one()
        return tuple(row)


def _refusals(app, case_id) -> list:
    with app.app_context():
        return [
            (e.actor, e.details["message"], e.details["reason"])
            for e in db.session.scalars(
                sa.select(AuditEvent).where(AuditEvent.instance_id == case_id, AuditEvent.event == "message.refused")
            )
        ]


def _start_cases(users, rng, counts) -> list:
    case_ids = []
    for process_id, count in counts.items():
        starters = STARTERS[process_id]
        form = next(
            d for d in users[starters[0]].get("/api/v1/process-definitions").get_json() if d["process_id"] == process_id
        )
        for _ in range(count):
            starter = rng.choice(starters)
            own = OWN_MUNICIPALITY.get(starter)
            filler = FormFiller(rng, {"municipality_code": (lambda r, own=own: own or "GM0668")})
            case_ids.append(users[starter].start(process_id, filler.fill(form["start_form"]))["id"])
    return case_ids


def _walk_to_every_message(app, users, declared) -> dict:
    """Start cases of every startable process and complete tasks at random until each declared message has
    a case waiting for it; a case that waits for a message nobody covered yet is kept as it is. Few random
    threat cases reach the vangnet (and its BZK decision): more are started until one does."""
    rng = random.Random(20160420)
    case_ids = _start_cases(users, rng, FIRST_CASES)
    kept: dict = {}
    for _round in range(120):
        for name, case_id in _waiting(app, case_ids).items():
            if name in declared and name not in kept:
                kept[name] = case_id
        if set(kept) == set(declared):
            break
        frozen = set(kept.values())
        work = {}
        for name in rng.sample(WORKERS, len(WORKERS)):
            work.update(
                {t["id"]: (name, t) for t in users[name].tasks(limit=500) if t["process_instance_id"] not in frozen}
            )
        if not work:
            case_ids += _start_cases(users, rng, MORE_CASES)
            continue
        for name, task in work.values():
            detail = users[name].get(f"/api/v1/tasks/{task['id']}").get_json()
            users[name].complete(task["id"], FormFiller(rng).fill(detail["form"]))
    return kept


def test_every_message_is_refused_unless_its_sender_sends_it(app, client, deploy_real, as_user):
    users = {name: as_user(name) for name in USERS}
    declared = _declared(app)
    assert {
        "dreigingsinschatting_gereed",
        "aangifte_geregistreerd",
        "bzk_besluit_tegemoetkoming",
        "ivp_eerste_contact",
        "om_beslissing_genomen",
    } <= set(declared)
    kept = _walk_to_every_message(app, users, declared)
    assert set(kept) == set(declared), f"no case reached {set(declared) - set(kept)}"

    for message, case_id in sorted(kept.items()):
        senders = set(declared[message]["senders"])
        business_key = users["beheerder"].case(case_id)["business_key"]
        municipality = users["beheerder"].case(case_id)["municipality_code"]
        allowed = []
        for username in USERS:
            api = users[username]
            before = _snapshot(app, case_id)
            response = api.post(
                "/api/v1/messages", json={"name": message, "business_key": business_key, "variables": {}}
            )
            sees = api.get(f"/api/v1/process-instances/{case_id}").status_code == 200
            role = username.split(".")[0]
            may = role in senders and (username not in OWN_MUNICIPALITY or OWN_MUNICIPALITY[username] == municipality)
            if may and sees:
                # A delivery changes the case: it is made last, by one sender, below.
                assert response.status_code == 200, (message, username, response.get_json())
                allowed.append(username)
                break
            expected = 403 if sees else 404
            assert response.status_code == expected, (message, username, response.get_json())
            assert _snapshot(app, case_id) == before, (message, username)
            if expected == 403:
                assert (username, message, "sender") in _refusals(app, case_id)
                assert message in response.get_json()["message"]
        assert allowed, f"no demo user may send {message} (senders: {senders})"


def test_the_forged_messages_of_the_review_are_refused(app, deploy_real, as_user):
    team = Team(as_user)
    case = team.start_threat()
    to_threat_assessment_with_support(team, case["id"])
    before = _snapshot(app, case["id"])
    # The IVP has no part in the threat case (it works in its own): for the IVP the case does not exist.
    team.message(
        "dreigingsinschatting_gereed",
        case["business_key"],
        {"threat_level": "geen", "measures_advised": False},
        user=team.ivp,
        expect=404,
    )
    # The gemeente sees the case but does not speak for the police.
    forged = team.message(
        "dreigingsinschatting_gereed",
        case["business_key"],
        {"threat_level": "geen", "measures_advised": False},
        user=team.gemeente,
        expect=403,
    )
    assert forged["code"] == "forbidden" and "politie" in forged["message"]
    assert _snapshot(app, case["id"]) == before
    assert "threat_assessment" in team.open_elements(case["id"])
    # The police may send it, but only the variables the threat assessment declares.
    extra = team.message(
        "dreigingsinschatting_gereed",
        case["business_key"],
        {"threat_level": "geen", "compensation_granted": True},
        user=team.politie,
        expect=422,
    )
    assert list(extra["errors"]) == ["variables.compensation_granted"]
    assert _snapshot(app, case["id"]) == before
    assert _refusals(app, case["id"]) == [
        ("gemeente.westbetuwe", "dreigingsinschatting_gereed", "sender"),
        ("politie", "dreigingsinschatting_gereed", "variables"),
    ]
