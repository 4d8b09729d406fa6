import re

import pytest

from engine.app.cli import deploy_folders
from engine.db.extensions import db
from engine.identity.actor import Actor
from engine.identity.service import get_user
from engine.cases.service import start_case
from engine.instances.task_rows import HumanTask
from tests.support.api import FIXTURES

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class WebClient:
    """A browser-like Flask test client: its own cookies, and the CSRF token of the last page it saw."""

    def __init__(self, app):
        self.client = app.test_client()
        self.token = None

    def get(self, url, **kwargs):
        response = self.client.get(url, **kwargs)
        found = CSRF.search(response.get_data(as_text=True))
        if found:
            self.token = found.group(1)
        return response

    def post(self, url, data=None, csrf=True, **kwargs):
        data = dict(data or {})
        if csrf:
            if self.token is None:
                self.get("/login")
            data.setdefault("csrf_token", self.token)
        return self.client.post(url, data=data, **kwargs)

    def sign_in(self, username, password="demo"):
        self.get("/login")
        response = self.post("/login", {"username": username, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        self.get("/")
        return self


@pytest.fixture
def browser_for(app):
    def make(username=None):
        client = WebClient(app)
        return client.sign_in(username) if username else client

    return make


@pytest.fixture
def case(app):
    """A simple_case of West Betuwe with its open triage task: (case id, business key, task id)."""
    with app.app_context():
        deploy_folders([FIXTURES / "basic"], actor="test")
        actor = Actor.for_user(get_user("ambtsdrager.westbetuwe"))
        instance = start_case("simple_case", {"summary": "Dreigbrief", "municipality_code": "GM0668"}, actor)
        task = db.session.query(HumanTask).filter_by(instance_id=instance.id).one()
        return instance.id, instance.business_key, task.id
