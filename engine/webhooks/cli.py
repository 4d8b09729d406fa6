"""`flask --app engine webhooks-check` and `flask --app engine webhooks-dispatch`."""

from __future__ import annotations

import signal
import threading

import click
from flask import current_app
from flask.cli import with_appcontext
from . import state
from .alignment import alignment as check
from .dispatcher import dispatch_due, run


def alignment() -> list[tuple[str, str]]:
    """For every route and outbound domain event: whether the deployed processes fit it (level, text)."""
    return check(state().routes, state().domain_events)


def register_commands(app) -> None:
    @app.cli.command("webhooks-check")
    @click.option("--strict", is_flag=True, help="Exit with status 1 when there is any warning (for CI).")
    @with_appcontext
    def check_command(strict):
        """Show the webhook routes (already checked at start-up), which sources have a secret, and whether
        the deployed processes start or catch what the routes name, read what they send, and set the facts
        of the outbound domain events."""
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
            if strict:
                raise SystemExit(1)
        else:
            click.echo("No warnings.")

    @app.cli.command("webhooks-dispatch")
    @click.option("--once", is_flag=True, help="Send what is due now and stop.")
    @click.option("--interval", type=float, default=None, help="Seconds between polls when idle.")
    def dispatch_command(once, interval):
        """Send outbound webhooks (the outbox) with retries; runs until stopped (SIGTERM or Ctrl+C)."""
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
