"""A webhook source without a secret is reported where deliveries are served, not by every command that
loads the app: `make run` deploys and seeds without the demo secrets and must raise no false alarm."""

from __future__ import annotations

import logging

from engine import create_app
from engine.webhooks import warn_missing_secrets

SOURCES = ("bzk", "ivp", "om", "politie")


def _no_secrets(monkeypatch):
    # alembic's logging set-up (the migrations of the test database) disables the loggers that exist by then
    monkeypatch.setattr(logging.getLogger("engine.webhooks.route_files"), "disabled", False)
    for source in SOURCES:
        monkeypatch.delenv(f"VB_WEBHOOK_SECRET_{source.upper()}", raising=False)


def _warnings(caplog):
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "engine.webhooks.route_files" and r.levelno == logging.WARNING
    ]


def test_loading_the_app_for_a_command_warns_of_nothing(monkeypatch, caplog, database_url):
    _no_secrets(monkeypatch)
    caplog.set_level(logging.WARNING)
    create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "TESTING": True,
            "VB_AUTO_MIGRATE": False,
            "SECRET_KEY": "test-secret",
        }
    )
    assert _warnings(caplog) == []


def test_the_serving_app_names_each_source_without_a_secret(monkeypatch, caplog, database_url):
    _no_secrets(monkeypatch)
    monkeypatch.setenv("VB_WEBHOOK_SECRET_OM", "whsec_ZGVtby1vbmx5LW9tLW5vdC1mb3ItcHJvZHVjdGlvbg==")
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "TESTING": True,
            "VB_AUTO_MIGRATE": False,
            "SECRET_KEY": "test-secret",
        }
    )
    caplog.set_level(logging.WARNING)
    warn_missing_secrets(app)
    warnings = _warnings(caplog)
    assert len(warnings) == 3
    assert all("has no secret" in w for w in warnings)
    assert not any("'om'" in w for w in warnings)


def test_the_wsgi_entry_point_warns():
    """gunicorn's `engine.app.wsgi:app` is where deliveries arrive: it reports the missing secrets."""
    from pathlib import Path

    import engine

    text = (Path(engine.__file__).parent / "app" / "wsgi.py").read_text()
    assert "warn_missing_secrets(app)" in text
