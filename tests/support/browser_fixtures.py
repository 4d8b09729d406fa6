"""The browser tests' fixtures (imported by tests/conftest.py): Debian's Chromium driven by
Playwright against the app served over real HTTP.

Never downloads Playwright's own browsers: /usr/bin/chromium (installed by `make test`) or a clear skip.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from tests.support.api import PROJECT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
]
DIST = PROJECT / "engine" / "web" / "static" / "dist"
ARTIFACTS = PROJECT / "test-artifacts" / "browser"


@pytest.fixture(scope="session")
def frontend_bundles():
    """The esbuild bundles; built with `make frontend` when missing (npm ci only if the lock file changed)."""
    if not (DIST / "task-form.js").exists():
        if shutil.which("npm") is None or shutil.which("make") is None:
            pytest.skip("The frontend bundles are not built and npm/make are missing: run `make frontend`.")
        subprocess.run(["make", "-s", "frontend"], cwd=PROJECT, check=True)
    return DIST


@pytest.fixture(scope="session")
def browser(frontend_bundles):
    if not CHROMIUM.exists():
        pytest.skip(
            "Debian's chromium is not installed at /usr/bin/chromium (`make test` installs it with "
            "apt-get install -y chromium)."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


class LiveServer:
    def __init__(self, app):
        import logging

        from werkzeug.serving import make_server

        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request drowns the failure
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._thread.join(timeout=10)


@pytest.fixture
def live_server(app):
    """The app on a free port of 127.0.0.1, with this test's own fresh database."""
    with LiveServer(app) as server:
        yield server


@pytest.fixture
def artifacts(request):
    """A folder under test-artifacts/browser/ for this test's screenshots."""
    name = request.node.name.replace("[", "-").replace("]", "").replace("/", "_")
    folder = ARTIFACTS / name
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
def web(browser, live_server, artifacts):
    """Opens browser sessions (one per user) on the live server; see tests/support/browser.py."""
    from .browser import WebSession

    sessions = []
    counter = [0]

    def open_session(**kwargs) -> WebSession:
        session = WebSession(browser, live_server.url, artifacts, counter, **kwargs)
        sessions.append(session)
        return session

    yield open_session
    problems = [p for s in sessions for p in s.problems]
    for session in sessions:
        session.close()
    assert not problems, f"browser console errors or failed requests: {problems}"
