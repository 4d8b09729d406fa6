"""The studio's browser tests (beside the web app's, whose Chromium and live server they share); the
edited process is named in tests/studio/target.py."""
from tests.studio.conftest import fixture_deployed, owner, studio_deployed  # noqa: F401
