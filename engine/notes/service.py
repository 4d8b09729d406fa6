"""Writing and reading notes. A note is read by whoever sees its case, or, when restricted, only by users of
the author's organisation (the same municipality; for national roles the same role)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from ..accesslog import service as accesslog
from ..crypto import service as keys
from ..core.errors import Forbidden
from ..db.extensions import db
from ..identity.actor import Actor
from ..identity.roles import PRIVACY
from ..cases.service import get_visible_case
from ..core.timeutil import utcnow
from .models import Note

NOTES = "notes"  # the read log's category


def organisation_of(actor: Actor) -> str:
    if actor.municipality_code:
        return actor.municipality_code
    return ",".join(sorted(actor.roles))[:60] or actor.username


def _context(note_id: str) -> str:
    return f"note:{note_id}"


def _describe(row: Note, text: str) -> dict:
    return {
        "id": row.id,
        "process_instance_id": row.instance_id,
        "text": text,
        "author": row.author,
        "organisation": row.organisation,
        "restricted": row.restricted,
        "created_at": row.created_at,
    }


def add_note(instance_id: str, actor: Actor, text: str, restricted: bool) -> dict:
    instance = get_visible_case(instance_id, actor)
    if actor.roles <= {PRIVACY}:
        raise Forbidden("The privacy officer reads the read log, not case data, and writes no notes.")
    note_id = str(uuid.uuid4())
    cipher = keys.cipher_for(instance.id, create=True)
    row = Note(
        id=note_id,
        instance_id=instance.id,
        author=actor.username,
        organisation=organisation_of(actor),
        restricted=restricted,
        created_at=utcnow(),
        text=keys.seal_for(cipher, text.encode(), instance.id, _context(note_id)),
    )
    db.session.add(row)
    db.session.commit()
    return _describe(row, text)


def _readable(actor: Actor):
    """Restricted means the author's organisation only: overseers (who see every case) included."""
    return sa.or_(Note.restricted.is_(False), Note.organisation == organisation_of(actor))


def notes_of(
    instance_id: str, actor: Actor, channel: str = accesslog.API, log_empty: bool = True, case=None
) -> list[dict]:
    """The notes of a case the actor reads, oldest first; the read is logged (`log_empty=False`: only when
    there are any, for a page that shows them beside data it logs itself). `case`: the case, when the caller
    has found it with `get_visible_case` for this actor already."""
    instance = case if case is not None and case.id == instance_id else get_visible_case(instance_id, actor)
    rows = db.session.scalars(
        sa.select(Note).where(Note.instance_id == instance.id, _readable(actor)).order_by(Note.created_at, Note.id)
    ).all()
    if not rows:
        if log_empty:
            accesslog.record_read(actor, instance.id, channel, "case.notes", [NOTES])
        return []
    cipher = keys.cipher_for(instance.id)
    notes = [
        _describe(row, (keys.open_for(cipher, row.text, instance.id, _context(row.id)) or b"").decode()) for row in rows
    ]
    accesslog.record_read(actor, instance.id, channel, "case.notes", [NOTES])
    return notes


def purge_notes(instance_id: str) -> int:
    return db.session.execute(sa.delete(Note).where(Note.instance_id == instance_id)).rowcount
