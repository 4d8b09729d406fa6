"""`flask --app engine scenarios [FOLDERS]`: run the scenario tests of a checkout (default processes/ and
forms/) against its own files, as the studio does before a deployment. Nothing is stored."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from .checks import ERROR, validate_workspace
from .scenarios import run_workspace_tests
from .workspace import WorkspaceFile, studio_kind


def folder_workspace(folders) -> dict:
    files = {}
    for folder in folders:
        for path in sorted(Path(folder).rglob("*")):
            kind = studio_kind(path.name) if path.is_file() else None
            if kind:
                files[path.name] = WorkspaceFile(path.name, kind, path.read_text(encoding="utf-8"))
    return files


@click.command("scenarios")
@click.argument("folders", nargs=-1, type=click.Path(exists=True, file_okay=False))
@with_appcontext
def scenarios_command(folders):
    """Validate FOLDERS and run their *.test.json / *.test.yaml scenario tests."""
    folders = folders or (current_app.config["VB_PROCESSES_DIR"], current_app.config["VB_FORMS_DIR"])
    files = folder_workspace(folders)
    findings, _ = validate_workspace(files)
    errors = [f for f in findings if f.severity == ERROR]
    for finding in findings:
        where = f"{finding.file}:{finding.line or '?'}" + (f" [{finding.element_id}]" if finding.element_id else "")
        click.echo(f"{finding.severity:8} {where} {finding.message}")
    if errors:
        raise click.ClickException(f"{len(errors)} problem(s): the scenarios were not run.")
    results = run_workspace_tests(files)
    for result in results:
        click.echo(f"{'passed' if result.passed else 'FAILED':8} {result.file}: {result.name}")
        for reason in result.reasons:
            click.echo(f"         - {reason}")
    failed = [r for r in results if not r.passed]
    click.echo(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    if failed:
        raise click.ClickException("A scenario test fails.")
