"""Veilig Bestuur: a Flask host that runs the Dutch threat response as BPMN cases with SpiffWorkflow."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask

from .core.config import engine_options, instance_path as configured_instance_path, load_config, log_levels


def create_app(overrides: dict | None = None) -> Flask:
    """The application factory. `overrides` replaces configuration keys (tests use it)."""
    app = Flask(__name__, instance_path=configured_instance_path(), instance_relative_config=True)
    instance_path = Path(app.instance_path)
    instance_path.mkdir(parents=True, exist_ok=True)
    app.config.update(load_config(instance_path))
    if overrides:
        app.config.update(overrides)
    # how to build this app again, for a process that needs its own (a timer worker, engine/timers/firing.py)
    app.extensions["vb_app_factory"] = create_app
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(app.config["SQLALCHEMY_DATABASE_URI"]))
    app_level, engine_level = log_levels()
    logging.basicConfig(level=app_level)
    # SpiffWorkflow logs every task state change at INFO: a line per transition, on the hot path of every
    # step, saying what the audit trail records already. Its own level is set apart (VB_ENGINE_LOG_LEVEL).
    logging.getLogger("spiff").setLevel(engine_level)

    from .db import database
    from .db.extensions import api, db, migrate, register_converters

    db.init_app(app)
    database.configure_engine(app)
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent / "db" / "migrations"))
    api.init_app(app)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    register_converters(app)

    from .core.errors import register_error_handlers

    register_error_handlers(app)
    _api_headers(app)
    _init_keys(app, instance_path)
    from .documents import storage as document_storage

    document_storage.check(app)
    from .webhooks import init_app as init_webhooks
    from .webhooks.cli import register_commands as register_webhook_commands

    init_webhooks(app)  # checks the route files: a broken one stops the start with its problems
    register_webhook_commands(app)
    _register_step_contributors()
    _register_blueprints(app, api)

    from .web import init_web

    init_web(app)

    from .definitions.service import clear_caches
    from .instances import cache
    from .runtime import serializer, stepping

    serializer.VERIFY = bool(app.config["VB_VERIFY_STATE_DUMP"])
    stepping.VERIFY = bool(app.config["VB_VERIFY_ENGINE_WALKS"])

    clear_caches()
    cache.clear()

    from .app.cli import register_commands

    register_commands(app)

    from .reporting import init_app as init_reporting

    init_reporting(app)
    from .identity.municipalities import cbs_municipalities
    from .runtime import script_helpers

    script_helpers.HELPERS.setdefault("cbs_municipalities", script_helpers.Helper(cbs_municipalities))
    from .timers.cli import register_commands as register_timer_commands

    register_timer_commands(app)
    from .notifications import init_app as init_notifications

    init_notifications(app)
    from .retention.cli import register_commands as register_retention_commands

    register_retention_commands(app)
    if app.config["VB_AUTO_MIGRATE"]:
        database.upgrade(app)
    return app


def _api_headers(app) -> None:
    """JSON answers may carry case data: never cached, never sniffed (the pages set the same in web/security.py)."""

    @app.after_request
    def _no_store(response):
        if response.mimetype in ("application/json", "text/csv"):
            response.headers.setdefault("Cache-Control", "no-store")
            response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response


def _register_step_contributors() -> None:
    """What the domains write with every case step (engine/instances/contributors.py), in this order."""
    from .instances import contributors
    from .messages.contributor import Subscriptions
    from .notifications.contributor import Notifications
    from .reporting.contributor import FiguresRow
    from .reporting.evaluation import EvaluationReport
    from .tasks.contributor import TaskRows
    from .webhooks.contributor import Outbox

    for contributor in (TaskRows(), Subscriptions(), Outbox(), Notifications(), FiguresRow(), EvaluationReport()):
        contributors.register(contributor)


def _init_keys(app, instance_path: Path) -> None:
    """The key-encryption keys; without them the app does not start (outside the demo and the tests)."""
    from .crypto import service as keys
    from .crypto.keyring import demo_key_file, load_keyring

    config = app.config
    fallback = demo_key_file(instance_path) if (config["VB_DEMO"] or config.get("TESTING")) else None
    keys.init_app(app, load_keyring(config["VB_MASTER_KEY"], config["VB_MASTER_KEY_FILE"], fallback))


def _register_blueprints(app, api) -> None:
    from .app import health
    from .api.access_log import blp as access_log_blp
    from .api.auth import blp as auth_blp
    from .api.definitions import blp as definitions_blp
    from .api.documents import blp as documents_blp
    from .api.instances import blp as instances_blp
    from .api.messages import blp as messages_blp
    from .api.notes import blp as notes_blp
    from .api.notifications import blp as notifications_blp
    from .api.operations import blp as operations_blp
    from .api.reports import blp as reports_blp
    from .api.retention import blp as retention_blp
    from .api.saved_searches import blp as saved_searches_blp
    from .api.studio import blp as studio_blp
    from .api.tasks import blp as tasks_blp
    from .api.timers import blp as timers_blp
    from .api.webhooks import blp as webhooks_blp
    from .api.webhooks_admin import blp as webhooks_admin_blp

    app.register_blueprint(health.bp)
    for blueprint in (
        auth_blp,
        definitions_blp,
        instances_blp,
        tasks_blp,
        messages_blp,
        timers_blp,
        webhooks_blp,
        webhooks_admin_blp,
        retention_blp,
        access_log_blp,
        reports_blp,
        saved_searches_blp,
        notifications_blp,
        documents_blp,
        notes_blp,
        studio_blp,
        operations_blp,
    ):
        api.register_blueprint(blueprint)
    from .studio import init_app as init_studio
    from .studio.cli import scenarios_command
    from .studio.pages import bp as studio_pages

    init_studio(app)
    app.cli.add_command(scenarios_command)
    app.register_blueprint(studio_pages)
    from .webhooks import state
    from .api.webhooks import document_inbound

    with app.app_context():
        document_inbound(api, state().routes)
