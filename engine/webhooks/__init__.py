"""Webhooks: outside systems start cases and deliver events to waiting cases (inbound, signed, exactly
once), and outside systems hear about case events (outbound subscriptions, outbox and dispatcher)."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app

from .events import load_domain_events
from .route_files import check_secrets, load_routes, warn_missing_secrets as _warn_missing_secrets


@dataclass
class WebhookState:
    routes: object  # route_files.RouteTable
    domain_events: dict = field(default_factory=dict)


class WebhookConfigError(Exception):
    pass


def init_app(app) -> None:
    """Load and check the route files and secrets; a problem stops the app from starting. (The factory
    registers the commands of webhooks/cli.py.)"""
    directory = app.config["VB_WEBHOOKS_DIR"]
    routes = load_routes(directory)
    domain_events = load_domain_events(directory)
    problems = check_secrets(routes, demo=bool(app.config["VB_DEMO"] or app.config.get("TESTING")))
    if problems:
        raise WebhookConfigError("Webhook secrets are not usable:\n  " + "\n  ".join(problems))
    app.extensions["vb_webhooks"] = WebhookState(routes, domain_events)


def warn_missing_secrets(app) -> None:
    """Log each webhook source without a secret: called where the app serves requests (engine/app/wsgi.py), so
    that commands which never receive a delivery (deploy, seed-demo) raise no false alarm."""
    _warn_missing_secrets(app.extensions["vb_webhooks"].routes)


def state() -> WebhookState:
    return current_app.extensions["vb_webhooks"]
