"""Requests generated from the published OpenAPI document, sent with a valid token of every demo user, get answers
that conform to the document.

Schemathesis (pinned in the test extras) reads `/api/v1/openapi.json` of a real app (the real processes
deployed, on the test database) and generates requests for every operation: valid by the document (positive)
and not (negative: a wrong type, a missing or unknown field, a value out of range), each with random path
parameters and with the ids of real things made beforehand (cases, one of them purged, tasks, a webhook
delivery, a document, a note, a subscription, a saved search, studio files). Each valid request is sent through
the Flask test client with the token of every demo user, each invalid one with the token of one user in turn;
the token route and the webhook intake without a token (every other delivery signed with its source's
secret). Every answer is checked twice: by the contract check of the other tests (tests/support/openapi.py:
status documented, body valid by its schema, objects closed to undeclared fields) and by Schemathesis's own
checks (no 5xx, status, content type, headers, body). A failure names the operation, the user, the answer and
the request as a curl command.

Bounded and repeatable: `VB_GENERATED_EXAMPLES` requests (default 2) per operation, mode and kind of path,
generated derandomised (the same requests in every run) and without Hypothesis's example database.
"""

from __future__ import annotations

import io
import json
import os

import pytest
import schemathesis
import sqlalchemy as sa
from argon2 import PasswordHasher
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from engine import create_app
from engine.app.cli import deploy_folders
from engine.demo.users import seed_demo
from engine.db.extensions import db
from engine.identity.demo_accounts import DEMO_USERS
from engine.identity.models import User
from engine.identity.service import get_user, issue_token
from tests.scenarios.flow import Team, assessment
from tests.support.api import PROJECT, Api
from tests.support.openapi import check_response
from tests.webhooks.support import SECRETS, body_of, melding, signed

EXAMPLES = int(os.environ.get("VB_GENERATED_EXAMPLES", "2"))
USERNAMES = [username for username, *_ in DEMO_USERS]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
PUBLIC = {("POST", "/api/v1/auth/token"), ("POST", "/webhooks/{source}")}
TAKES_PASSWORD = {("POST", "/api/v1/auth/password"), ("POST", "/api/v1/auth/totp/disable")}
# Operations after which the caller's token may have ended: it is issued anew.
ENDS_TOKEN = {("POST", "/api/v1/auth/logout")} | TAKES_PASSWORD
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class World:
    """A real app with the real processes and one of each kind of thing, and a token for every demo user."""

    def __init__(self, database_url: str):
        self.app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": database_url,
                "TESTING": True,
                "VB_DEMO": True,
                "VB_AUTO_MIGRATE": False,
                "SECRET_KEY": "test-secret",
            }
        )
        self.client = self.app.test_client()
        with self.app.app_context():
            seed_demo()
            # The generated requests fail hundreds of password checks (POST /auth/password, /auth/totp/disable):
            # the demo password hashed with Argon2's least work keeps each check short (a hash is verified with
            # the parameters it was made with); the hashing itself is tested on its own.
            quick = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("demo")
            db.session.execute(sa.update(User).values(password_hash=quick))
            db.session.commit()
            deploy_folders([PROJECT / "processes", PROJECT / "forms"], actor="test")
        self.tokens = {username: self.issue(username) for username in USERNAMES}
        self.known = self.make_things()
        self.schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", self.app)
        self.deliveries = 0
        self.turn = 0
        self.requests = 0
        self.answered: dict[tuple[str, str], set[int]] = {}

    def issue(self, username: str) -> str:
        with self.app.app_context():
            token, _ = issue_token(get_user(username), 3600)
            db.session.remove()
        return token

    def make_things(self) -> dict:
        """A case at the threat assessment, one at its intake, a purged one; a document, a note, a
        subscription, a saved search. Their ids by the name of the path parameter that takes them."""
        users = {}

        def as_user(username):
            return users.setdefault(username, Api(self.client, self.tokens[username]))

        team = Team(as_user)
        case = team.start_threat()
        team.to_threat_assessment(case["id"])
        team.do(team.politie, case["id"], "threat_assessment", assessment())
        other = team.start_threat()
        purged = team.start_threat()
        admin, gemeente = team.admin, team.gemeente
        for action, body in (
            ("operations/cases/{}/cancel", {"reason": "Dubbel gemeld"}),
            ("process-instances/{}/purge", {"reason": "Verzoek tot wissen"}),
        ):
            answer = admin.post("/api/v1/" + action.format(purged["id"]), json=body)
            assert answer.status_code == 200, answer.get_json()
        # in a fixed order (ids are random): the same requests reach the same tasks in every run
        tasks = [
            t["id"]
            for instance in (case, other)
            for user in (gemeente, team.politie)
            for t in sorted(user.tasks(process_instance_id=instance["id"]), key=lambda t: t["element_id"])
        ]
        delivery_body = body_of("melding.geregistreerd", melding(meldingnummer="PL0600-2026-000777"))
        delivery = self.client.post("/webhooks/politie", data=delivery_body, headers=signed("politie", delivery_body))
        assert delivery.status_code == 202, delivery.get_json()
        document = gemeente.post(
            f"/api/v1/process-instances/{case['id']}/documents",
            content_type="multipart/form-data",
            data={"file": (io.BytesIO(PDF), "brief.pdf"), "title": "Brief"},
        )
        assert document.status_code == 201, document.get_json()
        note = gemeente.post(f"/api/v1/process-instances/{case['id']}/notes", json={"text": "Gebeld met de wethouder."})
        assert note.status_code == 201, note.get_json()
        subscription = admin.post(
            "/api/v1/webhooks/subscriptions",
            json={"url": "https://example.org/hook", "event_types": ["compensation.decided"]},
        )
        assert subscription.status_code == 201, subscription.get_json()
        search = gemeente.post("/api/v1/saved-searches", json={"name": "Open", "query": {"status": "running"}})
        assert search.status_code == 201, search.get_json()
        files = as_user("procesbeheerder").get("/api/v1/studio/files").get_json()
        assert tasks and files
        return {
            "process_instance_id": [case["id"], other["id"], purged["id"]],
            "task_id": list(dict.fromkeys(tasks))[:4],
            "delivery_id": [delivery.get_json()["delivery_id"]],
            "process_id": ["threat_response", "vangnet_evaluation"],
            "document_id": [document.get_json()["id"]],
            "subscription_id": [subscription.get_json()["id"]],
            "search_id": [search.get_json()["id"]],
            "file_name": [f["file_name"] for f in files[:3]],
            "year": [2026],
            "version": [1],
        }

    def real_paths(self, operation) -> list[dict]:
        """Path parameters naming real things (every known id of each parameter, in turn)."""
        choices = {p.name: self.known[p.name] for p in operation.path_parameters if p.name in self.known}
        if not choices:
            return []
        longest = max(len(values) for values in choices.values())
        return [{name: values[i % len(values)] for name, values in choices.items()} for i in range(longest)]

    def cases(self, operation, mode) -> list:
        """Requests of `operation` in `mode`: `EXAMPLES` with generated path parameters, and as many (at least
        one for each) naming real things."""
        public = (operation.method.upper(), operation.path) in PUBLIC
        real = self.real_paths(operation)
        runs = [(operation.as_strategy(generation_mode=mode), EXAMPLES * (3 if public else 1))]
        runs += [
            (operation.as_strategy(generation_mode=mode, path_parameters=fixed), max(1, EXAMPLES // len(real)))
            for fixed in real
        ]
        found = []
        for strategy, examples in runs:

            @settings(
                max_examples=examples,
                derandomize=True,
                database=None,
                deadline=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=strategy)
            def collect(case):
                found.append(case)

            collect()
        return found


@pytest.fixture(scope="module")
def world(databases):
    with pytest.MonkeyPatch.context() as patch:
        # every source configured (the intake reads its secret per delivery): signatures are checked
        for source, secret in SECRETS.items():
            patch.setenv(f"VB_WEBHOOK_SECRET_{source.upper()}", secret)
        world = World(databases.fresh())
        yield world
    with world.app.app_context():
        db.session.remove()
        db.engine.dispose()


def operations():
    """The operations of the document (read from an app without a database: the document needs none)."""
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True, "VB_AUTO_MIGRATE": False, "SECRET_KEY": "test-secret"}
    )
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    found = [
        (method.upper(), path) for path, item in document["paths"].items() for method in item if method != "parameters"
    ]
    # the deletions last, so that the operations before them still find the things they delete
    found.sort(key=lambda operation: operation[0] == "DELETE")
    return [pytest.param(method, path, id=f"{method} {path}") for method, path in found]


def request_of(world: World, case, username: str | None) -> dict:
    headers = {"Authorization": f"Bearer {world.tokens[username]}"} if username else {}
    data = case.as_transport_kwargs(headers=headers)
    source = case.path_parameters.get("source") if case.operation.path == "/webhooks/{source}" else None
    if source in SECRETS and isinstance(case.body, dict):
        world.deliveries += 1
        if world.deliveries % 2:
            # signed as its source signs: the event itself is judged, not only the signature
            body = json.dumps(case.body)
            data.pop("json", None)
            data["data"] = body
            signature = signed(source, body)
            data["headers"] = {k: v for k, v in data["headers"].items() if k.lower() not in signature} | signature
    return data


def problems_of(world: World, case, username: str | None) -> list[str]:
    data = request_of(world, case, username)
    response = world.client.open(**data)
    world.requests += 1
    world.answered.setdefault((case.method, case.operation.path), set()).add(response.status_code)
    found = check_response(world.app, case.method, data["path"], response)
    try:
        case.validate_response(response, checks=CHECKS)
    except BaseException as failure:  # a FailureGroup (an exception group) holds every failed check of the answer
        found.append(str(failure).strip())
    if username and (case.method, case.operation.path) in ENDS_TOKEN:
        world.tokens[username] = world.issue(username)
    if not found:
        return []
    body = response.get_data(as_text=True)[:500]
    return [
        f"{username or 'no token'}: {case.as_curl_command()}\n    -> {response.status_code} {body}\n    "
        + "\n    ".join(found)
    ]


@pytest.mark.parametrize("method, path", operations())
def test_generated_requests_of_every_user_get_documented_answers(world, method, path):
    operation = world.schema[path][method]
    positive = world.cases(operation, schemathesis.GenerationMode.POSITIVE)
    negative = world.cases(operation, schemathesis.GenerationMode.NEGATIVE)
    if (method, path) in PUBLIC:
        sends = [(case, None) for case in positive + negative]
    else:
        # a valid request as every user; an invalid one as one user, the next in turn (a role changes little
        # of how a request that breaks the document is refused, and the run stays short)
        sends = [(case, username) for case in positive for username in USERNAMES]
        sends += [(case, USERNAMES[(world.turn + i) % len(USERNAMES)]) for i, case in enumerate(negative)]
        world.turn += len(negative)
    found = [problem for case, username in sends for problem in problems_of(world, case, username)]
    assert positive and negative
    assert not found, "\n".join(dict.fromkeys(found))


def test_the_generated_requests_reached_real_things(world):
    """The requests above were answered, and not only refused: every operation gave something other than 401
    (the tokens were valid), and every reading operation answered at least one of them with a success."""
    if len(world.answered) < len(operations()):
        pytest.skip("judges the requests of every operation: runs with the whole module")
    summary = "\n".join(
        f"{method} {path}: {sorted(statuses)}" for (method, path), statuses in sorted(world.answered.items())
    )
    # (401 is also the answer to a wrong password, which is all a generated one can be)
    only_401 = [
        key for key, statuses in world.answered.items() if statuses == {401} and key not in PUBLIC | TAKES_PASSWORD
    ]
    assert not only_401, summary
    never = [
        key
        for key, statuses in world.answered.items()
        if key[0] == "GET" and not any(200 <= status < 300 for status in statuses)
    ]
    assert not never, summary
    assert world.requests > 1000 * EXAMPLES, world.requests
