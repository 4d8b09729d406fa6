"""`flask --app engine webhooks-check` and `flask --app engine webhooks-dispatch`."""
from __future__ import annotations

import signal
import threading

import click
from flask import current_app
from flask.cli import with_appcontext


def alignment() -> list[tuple[str, str]]:
    """For every route: whether a deployed process starts or catches what it names (level, text)."""
    from ..definitions.service import latest_process_versions
    from . import state
    from .routes import START

    versions = {v.process_id: v for v in latest_process_versions()}
    caught: dict = {}
    for version in versions.values():
        for model in [version.model, *version.model.get("called", {}).values()]:
            for element_id, catch in model.get("message_catches", {}).items():
                caught.setdefault(catch["message"], []).append(f"{version.process_id} v{version.version} ({element_id})")
    lines = []
    for routes in state().routes.sources.values():
        for route in routes.events.values():
            label = f"{routes.source} {route.event_type}"
            if route.action == START:
                version = versions.get(route.target)
                if version is None:
                    lines.append(("warning", f"{label}: starts '{route.target}', which is not deployed"))
                else:
                    lines.append(("ok", f"{label}: starts {route.target} v{version.version}"))
            elif route.target in caught:
                lines.append(("ok", f"{label}: message {route.target} caught by {', '.join(caught[route.target])}"))
            else:
                lines.append(("warning", f"{label}: no deployed process catches message '{route.target}'"))
    return lines


def register_commands(app) -> None:
    @app.cli.command("webhooks-check")
    @with_appcontext
    def check_command():
        """Show the webhook routes (already checked at start-up) and whether the deployed processes start
        or catch what they name, and which sources have a secret."""
        from . import state

        table = state().routes
        click.echo(f"Route files in {table.directory}: {len(table.sources)} sources.")
        for routes in table.sources.values():
            configured = "secret set" if routes.secret_keys() else f"NO SECRET ({routes.secret_env} not set)"
            click.echo(f"  {routes.source}: {len(routes.events)} event types, {configured}")
        warnings = 0
        for level, text in alignment():
            warnings += level == "warning"
            click.echo(f"  [{level}] {text}")
        if warnings:
            click.echo(f"{warnings} warning(s).")

    @app.cli.command("webhooks-dispatch")
    @click.option("--once", is_flag=True, help="Send what is due now and stop.")
    @click.option("--interval", type=float, default=None, help="Seconds between polls when idle.")
    def dispatch_command(once, interval):
        """Send outbound webhooks (the outbox) with retries; runs until stopped (SIGTERM or Ctrl+C)."""
        from .dispatcher import dispatch_due, run

        app_ = current_app._get_current_object()
        if once:
            with app_.app_context():
                click.echo(f"Attempted {dispatch_due()} deliveries.")
            return
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        click.echo("Webhook dispatcher running (Ctrl+C to stop).")
        run(app_, stop, interval)
