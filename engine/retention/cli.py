"""`flask cases ...` (retention, legal hold, erasure) and `flask keys ...` (the key-encryption keys)."""

from __future__ import annotations

import json

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from ..crypto import service as keys
from ..core.errors import ApiError
from ..db.extensions import db
from ..identity.actor import Actor
from ..instances import sealed
from ..instances.models import ProcessInstance
from ..crypto.sealing import is_sealed
from . import service


def _fail(err: ApiError):
    raise click.ClickException(err.message)


def register_commands(app) -> None:
    cases = AppGroup("cases", help="Retention of closed cases: legal holds, erasure, the sweep.")
    keys_group = AppGroup("keys", help="The key-encryption keys (VB_MASTER_KEY): check, rotate, seal old rows.")

    @cases.command("purge")
    @click.argument("ref")
    @click.option("--reason", required=True, help="The request or decision it follows (no personal data).")
    @click.option("--by", default="cli", help="Who asks (recorded in the audit).")
    def purge_command(ref, reason, by):
        """Destroy one closed case's data now (an erasure request, art. 17 AVG). REF: id or business key."""
        try:
            result = service.purge(service.find_case(ref).id, Actor.system(f"cli:{by}"), reason)
        except ApiError as err:
            _fail(err)
        click.echo(json.dumps(result, indent=2))

    @cases.command("hold")
    @click.argument("ref")
    @click.option("--reason", required=True)
    @click.option("--by", default="cli")
    def hold_command(ref, reason, by):
        """Keep a case past its retention (a legal hold)."""
        try:
            hold = service.set_hold(service.find_case(ref).id, Actor.system(f"cli:{by}"), reason)
        except ApiError as err:
            _fail(err)
        click.echo(f"Legal hold set: {json.dumps(hold)}")

    @cases.command("release")
    @click.argument("ref")
    @click.option("--reason", required=True)
    @click.option("--by", default="cli")
    def release_command(ref, reason, by):
        """Lift a case's legal hold."""
        try:
            service.release_hold(service.find_case(ref).id, Actor.system(f"cli:{by}"), reason)
        except ApiError as err:
            _fail(err)
        click.echo("Legal hold lifted.")

    @cases.command("sweep")
    def sweep_command():
        """Purge every closed case past its retention now (the scheduler does this every
        VB_RETENTION_SWEEP_MINUTES)."""
        click.echo(f"{service.sweep()} case(s) purged.")

    @keys_group.command("check")
    def check_command():
        """Whether the configured keys open every stored data key."""
        ring = keys.keyring()
        unknown = keys.unknown_key_ids()
        click.echo(f"Active key: {ring.active_id}; configured: {', '.join(ring.ids())}.")
        if unknown:
            raise click.ClickException(f"Data keys wrapped by keys that are not configured: {', '.join(unknown)}.")
        click.echo("Every data key opens.")

    @keys_group.command("rotate")
    def rotate_command():
        """Re-wrap every data key with the active (first) key of VB_MASTER_KEY; case data is not rewritten."""
        try:
            result = keys.rotate()
        except ApiError as err:
            _fail(err)
        click.echo(json.dumps(result, indent=2))

    @keys_group.command("seal-existing")
    def seal_existing_command():
        """Seal the cases written before encryption (their plain state and variables)."""
        count = 0
        for instance_id, state, variables in db.session.execute(
            sa.select(ProcessInstance.id, ProcessInstance.state, ProcessInstance.variables).where(
                ProcessInstance.purged_at.is_(None)
            )
        ).all():
            if state is None or is_sealed(state):
                continue
            cipher = keys.cipher_for(instance_id, create=True)
            new_state, new_variables = sealed.seal_step(
                cipher,
                instance_id,
                sealed.open_state(instance_id, state),
                sealed.open_variables(instance_id, variables),
            )
            db.session.execute(
                sa.update(ProcessInstance)
                .where(ProcessInstance.id == instance_id)
                .values(state=new_state, variables=new_variables)
            )
            db.session.commit()
            count += 1
        click.echo(f"{count} case(s) sealed.")

    app.cli.add_command(cases)
    app.cli.add_command(keys_group)
