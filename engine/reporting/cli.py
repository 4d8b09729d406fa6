"""`flask reports rebuild`: the figures rows of cases saved before the yearly report existed;
`flask reports disruptions`: the disruption registrations counted per article, year and state."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from .figures import disruption_counts
from .rebuild import rebuild_missing, refresh_all


def register_commands(app) -> None:
    reports = AppGroup("reports", help="The yearly report's figures rows.")

    @reports.command("rebuild")
    @click.option(
        "--refresh",
        is_flag=True,
        help="Also derive every existing row again (after a migration that "
        "added a column, e.g. 0020's application and decision days)",
    )
    def rebuild_command(refresh):
        """Write the figures row of every threat and disruption case that has none (once, after upgrading)."""
        click.echo(f"Figures rows written: {rebuild_missing()}")
        if refresh:
            click.echo(f"Figures rows derived again: {refresh_all()}")

    @reports.command("disruptions")
    @click.option("--article", default=None, help="Only this article of the Wetboek van Strafrecht, e.g. 124")
    def disruptions_command(article):
        """Exact counts of the disruption registrations per article, year of the OM's registration and state."""
        for code, years in sorted(disruption_counts(article).items()):
            for year, states in sorted(years.items()):
                for state, count in sorted(states.items()):
                    click.echo(f"art. {code}\t{year}\t{state}\t{count}")

    app.cli.add_command(reports)
