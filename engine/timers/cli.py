"""`flask --app engine scheduler`: run the timer scheduler in the foreground until SIGINT/SIGTERM."""

from __future__ import annotations

import signal
import threading

import click
from flask import current_app
from flask.cli import with_appcontext
from ..core.gc_tuning import tune
from .scheduler import TimerScheduler


@click.command("scheduler")
@click.option("--name", default=None, help="A name for this scheduler in logs and the SQLite lease.")
@with_appcontext
def scheduler_command(name):
    """Fire case timers on time and start processes with timer start events (one acts; others stand by)."""
    tune(current_app.config["VB_GC_THRESHOLDS"])  # it keeps live workflows between firings, as a web worker
    stop = threading.Event()

    def _stop(signum, _frame):
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    service = TimerScheduler(current_app._get_current_object(), name=name)
    click.echo(f"Timer scheduler {service.name} running ({service.dialect}); Ctrl+C to stop.")
    service.run_until_stopped(stop)
    click.echo("Timer scheduler stopped.")


def register_commands(app) -> None:
    app.cli.add_command(scheduler_command)
