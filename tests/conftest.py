import base64
import os

import pytest

# Every state the tests save is also converted by the library alone and compared, and every walk of the
# engine loop is also made by the library's iterator and compared (servers started by the tests inherit this).
os.environ.setdefault("VB_VERIFY_STATE_DUMP", "1")
os.environ.setdefault("VB_VERIFY_ENGINE_WALKS", "1")
# One key-encryption key per test run, for the apps of the tests and the servers they start.
os.environ.setdefault("VB_MASTER_KEY", base64.b64encode(os.urandom(32)).decode())

from engine import create_app  # noqa: E402
from engine.demo.users import seed_demo  # noqa: E402
from engine.db.extensions import db  # noqa: E402
from tests.support.api import FIXTURES, Api  # noqa: E402
from tests.support.browser_fixtures import artifacts, browser, frontend_bundles, live_server, web  # noqa: E402,F401
from tests.support.databases import BACKEND, make_databases  # noqa: E402
from tests.support.openapi import MISMATCHES, ContractClient  # noqa: E402

# The tests whose every API answer is checked against the published OpenAPI document (tests/support/openapi.py):
# an answer that does not conform fails the test that received it.
# In the end-to-end tests (marked e2e) the answers of the real server are checked (tests/support/server.py's
# HttpUser); the browser tests are not.
CONTRACT_CHECKED = (
    "tests/api/",
    "tests/access/",
    "tests/app/",
    "tests/cases/",
    "tests/definitions/",
    "tests/documents/",
    "tests/identity/",
    "tests/notes/",
    "tests/reporting/",
    "tests/search/",
    "tests/tasks/",
    "tests/runtime/test_script_incidents.py",
    "tests/webhooks/",
    "tests/scenarios/",
    "tests/studio/",
    "tests/timers/",
    "tests/notifications/",
)


def pytest_report_header(config):
    return f"database backend: {BACKEND}"


@pytest.fixture(scope="session")
def databases(tmp_path_factory):
    dbs = make_databases(tmp_path_factory.mktemp("db"))
    yield dbs
    dbs.close()


@pytest.fixture
def database_url(databases):
    return databases.fresh()


def contract_checked(item) -> bool:
    if item.get_closest_marker("browser"):
        return False
    return item.get_closest_marker("e2e") is not None or any(part in item.path.as_posix() for part in CONTRACT_CHECKED)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    MISMATCHES.clear()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield
    if MISMATCHES and contract_checked(item):
        found = list(dict.fromkeys(MISMATCHES))
        MISMATCHES.clear()
        raise AssertionError("Responses that do not conform to /api/v1/openapi.json:\n  " + "\n  ".join(found))
    return result


@pytest.fixture
def app(database_url, request):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "TESTING": True,
            "VB_DEMO": True,
            "VB_AUTO_MIGRATE": False,
            "SECRET_KEY": "test-secret",
        }
    )
    if contract_checked(request.node):
        app.test_client_class = ContractClient
    with app.app_context():
        seed_demo()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def api(client):
    return Api(client)


@pytest.fixture
def as_user(api):
    cache = {}

    def login(username):
        if username not in cache:
            cache[username] = api.login(username)
        return cache[username]

    return login


@pytest.fixture
def deploy_fixture(app):
    """Deploy a folder of tests/fixtures (through the service layer) and return the report."""
    from engine.app.cli import deploy_folders

    def deploy(name):
        with app.app_context():
            return deploy_folders([FIXTURES / name], actor="test")

    return deploy


def pytest_collection_modifyitems(config, items):
    # a test that drives Chromium is a browser test wherever it lives (its kind is a marker, not a folder)
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
    if os.environ.get("VB_TEST_BACKEND") == "postgresql":
        return
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: runs in the PostgreSQL pass (TEST_DATABASE_URL)")
    for item in items:
        if "postgresql_only" in item.keywords:
            item.add_marker(skip_pg)
