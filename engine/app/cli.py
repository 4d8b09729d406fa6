"""Command-line tasks: `flask --app engine <command>`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from ..core.errors import ApiError


def _fail(err: ApiError):
    message = err.message
    if err.errors:
        lines = []
        for item in err.errors if isinstance(err.errors, list) else [err.errors]:
            if isinstance(item, dict) and "file" in item:
                where = f"{item['file']}:{item.get('line') or '?'}"
                element = f" [{item['element_id']}]" if item.get("element_id") else ""
                lines.append(f"  {where}{element} {item['message']}")
            else:
                lines.append(f"  {item}")
        message += "\n" + "\n".join(lines)
    raise click.ClickException(message)


def collect_files(folders) -> list:
    from ..definitions.service import Upload
    from ..definitions.validation import kind_of

    uploads = []
    for folder in folders:
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file() and kind_of(path.name) and not path.name.endswith(".test.json"):
                uploads.append(Upload(path.name, path.read_bytes()))
    return uploads


def collect_tests(folders) -> dict:
    """The scenario tests of FOLDERS ({file name: text}): `<stem>.test.json` / `.test.yaml` next to a diagram."""
    from ..studio.cli import folder_workspace

    return {name: f.content for name, f in folder_workspace(folders).items() if f.kind == "test"}


def deploy_folders(folders, actor="cli") -> dict:
    """Deploy the diagrams, decisions and forms of FOLDERS, and import their scenario tests into the studio,
    where they gate the next deployments from the studio. The tests themselves are not run here."""
    from ..definitions.service import deploy
    from ..studio.workspace import import_tests

    uploads = collect_files(folders)
    tests = collect_tests(folders)
    report = {"files": [], "processes": []}
    if uploads:
        report = deploy(uploads, actor, source="cli:" + ",".join(str(f) for f in folders))
    report["tests"] = import_tests(tests, actor) if tests else []
    return report


def _scenario_gate(folders) -> None:
    """Run the scenario tests of FOLDERS against their own files; a failing one stops the deployment. Files
    with errors are left to the deployment, which refuses them with file, line and element."""
    from ..studio.checks import ERROR, validate_workspace
    from ..studio.cli import folder_workspace
    from ..studio.scenarios import run_workspace_tests

    files = folder_workspace(folders)
    if not any(f.kind == "test" for f in files.values()):
        return
    findings, _ = validate_workspace(files)
    if any(f.severity == ERROR for f in findings):
        return
    results = run_workspace_tests(files)
    failed = [r for r in results if not r.passed]
    click.echo(f"Scenario tests: {len(results) - len(failed)} passed, {len(failed)} failed.")
    for result in failed:
        click.echo(f"  FAILED {result.file}: {result.name}")
        for reason in result.reasons:
            click.echo(f"         - {reason}")
    if failed:
        raise click.ClickException("A scenario test fails: nothing was deployed (--skip-tests deploys anyway).")


def register_commands(app) -> None:
    @app.cli.command("deploy")
    @click.argument("folders", nargs=-1, type=click.Path(exists=True, file_okay=False))
    @click.option("--skip-tests", is_flag=True, help="Deploy even when a scenario test of FOLDERS fails.")
    @with_appcontext
    def deploy_command(folders, skip_tests):
        """Deploy every .bpmn, .dmn and .form file of FOLDERS (default: processes/ and forms/). Their scenario
        tests (*.test.json, *.test.yaml) run first, as before a deployment from the studio: when one fails,
        nothing is deployed."""
        folders = folders or (current_app.config["VB_PROCESSES_DIR"], current_app.config["VB_FORMS_DIR"])
        if not skip_tests:
            _scenario_gate(folders)
        try:
            report = deploy_folders(folders)
        except ApiError as err:
            _fail(err)
        changed = [p for p in report["processes"] if p["status"] != "unchanged"]
        click.echo(f"Deployed {len(report['files'])} files; {len(changed)} new process versions.")
        for process in report["processes"]:
            click.echo(f"  {process['process_id']} v{process['version']} ({process['status']})")
        for test in report["tests"]:
            click.echo(f"  scenario test {test['file_name']} ({test['status']}) in the studio")

    users = click.Group("users", help="Manage users.")
    app.cli.add_command(users)

    @users.command("create")
    @click.argument("username")
    @click.option("--role", "roles", multiple=True, required=True, help="A role; repeat for several.")
    @click.option("--municipality", default=None, help="CBS code, e.g. GM0668 (for gemeente/ambtsdrager).")
    @click.option("--name", "display_name", default="", help="Display name.")
    @click.option(
        "--police-unit",
        default=None,
        help="For a police user: the unit (e.g. Oost-Nederland, or 'Landelijke Eenheid' for all).",
    )
    @click.password_option()
    @with_appcontext
    def create_user_command(username, roles, municipality, display_name, police_unit, password):
        """Create a user."""
        from ..identity.service import create_user

        try:
            user = create_user(username, password, list(roles), municipality, display_name, police_unit)
        except ApiError as err:
            _fail(err)
        click.echo(f"Created {user.username} with roles {', '.join(user.roles)}.")

    @users.command("reset-password")
    @click.argument("username")
    @click.password_option()
    @with_appcontext
    def reset_password_command(username, password):
        """Set a new password (ends the user's tokens and web sessions)."""
        from ..identity.service import get_user, set_password

        try:
            set_password(get_user(username), password)
        except ApiError as err:
            _fail(err)
        click.echo(f"Password of {username} changed; existing tokens and web sessions ended.")

    @users.command("unlock")
    @click.argument("username")
    @with_appcontext
    def unlock_command(username):
        """Forget an account's failed sign-ins, so that it can sign in again before the window has passed."""
        from ..db.extensions import db
        from ..identity.throttle import clear

        removed = clear(username.strip().lower())
        db.session.commit()
        click.echo(f"{username}: {removed} failed sign-in(s) forgotten; the account can sign in.")

    @users.command("reset-totp")
    @click.argument("username")
    @with_appcontext
    def reset_totp_command(username):
        """Remove an account's second factor and recovery codes (a lost phone): the next sign-in needs the
        password only, and a role that needs a second factor is sent to set up a new one."""
        from ..identity import second_factor
        from ..identity.service import get_user

        try:
            removed = second_factor.remove(get_user(username))
        except ApiError as err:
            _fail(err)
        click.echo(
            f"{username}: " + ("second factor and recovery codes removed." if removed else "had no second factor.")
        )

    @users.command("deactivate")
    @click.argument("username")
    @with_appcontext
    def deactivate_command(username):
        """Stop an account: it cannot sign in, and its tokens and web sessions end at once."""
        from ..identity.service import deactivate_user, get_user

        try:
            deactivate_user(get_user(username))
        except ApiError as err:
            _fail(err)
        click.echo(f"{username} is deactivated; its tokens and web sessions have ended.")

    @users.command("set-email")
    @click.argument("username")
    @click.argument("address", required=False, default="")
    @click.option("--language", type=click.Choice(["nl", "en"]), default=None, help="The language of the mails.")
    @with_appcontext
    def set_email_command(username, address, language):
        """Set (or, without ADDRESS, remove) the e-mail address notifications go to."""
        from ..identity.service import get_user
        from ..notifications.service import set_email

        try:
            user = get_user(username)
            if language:
                user.language = language
            set_email(user, address)
        except ApiError as err:
            _fail(err)
        click.echo(
            f"{user.username}: "
            + (f"mails go to {user.email} ({user.language})." if user.email else "no e-mail address; no mails.")
        )

    @users.command("list")
    @with_appcontext
    def list_users_command():
        """List users and their roles."""
        import sqlalchemy as sa

        from ..db.extensions import db
        from ..identity.models import User

        for user in db.session.scalars(sa.select(User).order_by(User.username)):
            click.echo(
                f"{user.username:28} {','.join(user.roles):24} {user.municipality_code or '':8} {user.email or ''}"
            )

    @app.cli.command("check-cases")
    @with_appcontext
    def check_cases_command():
        """Verify that every case's task rows, subscriptions and status agree with its saved state."""
        from ..operations.consistency import check_all

        report = check_all()
        for instance_id, problems in report.items():
            for problem in problems:
                click.echo(f"{instance_id}: {problem}")
        if report:
            raise click.ClickException(f"{len(report)} case(s) inconsistent.")
        click.echo("All cases consistent.")

    @app.cli.command("seed-demo")
    @with_appcontext
    def seed_demo_command():
        """Create the demo users (password 'demo'). Refused unless VB_DEMO=1."""
        from ..demo.users import seed_demo

        if not current_app.config["VB_DEMO"]:
            raise click.ClickException("Demo data is only for the embedded demo: set VB_DEMO=1.")
        created = seed_demo()
        from ..demo.cases import seed_demo_cases

        cases = seed_demo_cases()
        click.echo(f"Demo ready ({created} users, {cases} demo cases created).")
