"""SpiffWorkflow's per-transition INFO lines stay out of the host's log unless asked for."""

from __future__ import annotations

import logging

from engine import create_app


def test_engine_library_logs_warnings_only_by_default(monkeypatch, tmp_path):
    monkeypatch.delenv("VB_ENGINE_LOG_LEVEL", raising=False)
    create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'a.sqlite3'}", "VB_AUTO_MIGRATE": False})
    assert logging.getLogger("spiff.task").getEffectiveLevel() == logging.WARNING


def test_engine_library_log_level_can_be_raised(monkeypatch, tmp_path):
    monkeypatch.setenv("VB_ENGINE_LOG_LEVEL", "INFO")
    try:
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'a.sqlite3'}", "VB_AUTO_MIGRATE": False})
        assert logging.getLogger("spiff.task").getEffectiveLevel() == logging.INFO
    finally:
        logging.getLogger("spiff").setLevel(logging.WARNING)


def test_a_migration_in_the_process_keeps_the_apps_log_level(tmp_path):
    """Alembic's ini sets the root logger to WARN; the app's own INFO lines (the mails `make run` writes to the
    log) must survive the migration that runs in the same process."""
    root = logging.getLogger()
    before = root.level
    try:
        root.setLevel(logging.INFO)
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.sqlite3'}", "VB_AUTO_MIGRATE": True})
        assert logging.getLogger("engine.notifications.transport").getEffectiveLevel() == logging.INFO
    finally:
        root.setLevel(before)
