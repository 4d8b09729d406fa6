"""`flask reports rebuild`: the figures rows of cases saved before the yearly report existed."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from .rebuild import rebuild_missing


def register_commands(app) -> None:
    reports = AppGroup("reports", help="The yearly report's figures rows.")

    @reports.command("rebuild")
    def rebuild_command():
        """Write the figures row of every threat and disruption case that has none (once, after upgrading)."""
        click.echo(f"Figures rows written: {rebuild_missing()}")

    app.cli.add_command(reports)
