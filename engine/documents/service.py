"""Adding, listing and reading the documents of a case. Who may read one: who may see the case
(access/policy.py) and read its category (categories.py); anything else does not exist (404)."""

from __future__ import annotations

import hashlib
import json
import uuid

import sqlalchemy as sa
from flask import current_app

from ..accesslog import service as accesslog
from ..crypto import service as keys
from ..core.errors import ApiError, NotFound, Unprocessable
from ..db.extensions import db
from ..identity.actor import Actor
from ..cases.service import get_visible_case
from ..instances.store import insert_statement
from ..core.timeutil import utcnow
from . import categories, storage
from .models import Document
from .sniffing import content_type_of

DOCUMENTS = "documents"  # the read log's category of what a download shows


class TooLarge(ApiError):
    status = 413
    code = "request_entity_too_large"


def _content_context(document_id: str) -> str:
    return f"document:{document_id}"


def _meta_context(document_id: str) -> str:
    return f"document_meta:{document_id}"


def _clean_name(filename: str) -> str:
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    name = "".join(ch for ch in name if ch.isprintable())
    return name[:200] or "document"


def check_upload(actor: Actor, category: str | None, title: str | None) -> str:
    """The category to file an upload under: one the uploader reads (else they could not see their own file)."""
    category = (category or categories.GENERAL).strip()
    own = categories.uploadable_by(actor.roles)
    if category in categories.GENERATED:
        raise Unprocessable(
            f"Documents of category {category!r} are made by the system, not uploaded; you may "
            f"file under: {', '.join(own) or 'none'}.",
            errors={"category": [f"Must be one of: {', '.join(own) or 'none'}."]},
        )
    if category not in categories.READERS:
        raise Unprocessable(
            f"Unknown category {category!r}; use one of: {', '.join(categories.READERS)}.",
            errors={"category": [f"Must be one of: {', '.join(categories.READERS)}."]},
        )
    if category not in own:
        raise Unprocessable(
            f"Your roles do not read documents of category {category!r}; you may file under: "
            f"{', '.join(own) or 'none'}.",
            errors={"category": [f"Must be one of: {', '.join(own) or 'none'}."]},
        )
    if title is not None and len(title) > 300:
        raise Unprocessable("The title is longer than 300 characters.", errors={"title": ["At most 300 characters."]})
    return category


def read_upload(stream) -> bytes:
    """The upload's bytes, refused past VB_DOCUMENT_MAX_BYTES (read to one byte past the limit, no further)."""
    limit = current_app.config["VB_DOCUMENT_MAX_BYTES"]
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"The file is larger than {limit} bytes, the most a document may be.")
    if not data:
        raise Unprocessable("The file is empty.", errors={"file": ["The file is empty."]})
    return data


def add_document(
    instance_id: str, actor: Actor, data: bytes, filename: str, title: str | None = None, category: str | None = None
) -> dict:
    instance = get_visible_case(instance_id, actor)
    category = check_upload(actor, category, title)
    filename = _clean_name(filename)
    content_type = content_type_of(data, filename)
    document_id = str(uuid.uuid4())
    cipher = keys.cipher_for(instance.id, create=True)
    meta = {
        "filename": filename,
        "title": (title or "").strip() or filename,
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    sealed_content = keys.seal_for(cipher, data, instance.id, _content_context(document_id))
    store = storage.active()
    row = Document(
        id=document_id,
        instance_id=instance.id,
        category=category,
        content_type=content_type,
        size=len(data),
        store=store,
        created_by=actor.username,
        created_at=utcnow(),
        meta=keys.seal_for(cipher, json.dumps(meta).encode(), instance.id, _meta_context(document_id)),
        content=sealed_content if store == storage.DATABASE else None,
    )
    if store == storage.FILE:
        storage.write_file(instance.id, document_id, sealed_content)
    db.session.add(row)
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        if store == storage.FILE:
            storage.remove_file(instance.id, document_id)
        raise
    return describe(row, meta)


def generated_document(
    instance_id: str, data: bytes, filename: str, title: str, category: str, created_by: str, content_type: str
) -> dict:
    """A document the engine makes within a case's step (the final report of an evaluation): sealed as an
    upload is, returned as the values `insert_generated` writes inside the step's transaction."""
    document_id = str(uuid.uuid4())
    cipher = keys.cipher_for(instance_id, create=True)
    meta = {"filename": _clean_name(filename), "title": title, "sha256": hashlib.sha256(data).hexdigest()}
    store = storage.active()
    sealed_content = keys.seal_for(cipher, data, instance_id, _content_context(document_id))
    return {
        "id": document_id,
        "instance_id": instance_id,
        "category": category,
        "content_type": content_type,
        "size": len(data),
        "store": store,
        "created_by": created_by,
        "created_at": utcnow(),
        "meta": keys.seal_for(cipher, json.dumps(meta).encode(), instance_id, _meta_context(document_id)),
        "content": sealed_content if store == storage.DATABASE else None,
        "file": sealed_content if store == storage.FILE else None,
    }


_INSERT_GENERATED = insert_statement(Document.__table__, tuple(c.name for c in Document.__table__.columns))


def insert_generated(connection, values: dict) -> None:
    """Write a `generated_document` on the step's connection (engine/db/prepared.py), its file first: a step
    that then fails leaves a sealed file no row names, which is never served."""
    row = {name: value for name, value in values.items() if name != "file"}
    if values["file"] is not None:
        storage.write_file(values["instance_id"], values["id"], values["file"])
    _INSERT_GENERATED.send(connection, row)


def _meta(row: Document, cipher) -> dict:
    return json.loads(keys.open_for(cipher, row.meta, row.instance_id, _meta_context(row.id)))


def describe(row: Document, meta: dict) -> dict:
    return {
        "id": row.id,
        "process_instance_id": row.instance_id,
        "filename": meta["filename"],
        "title": meta["title"],
        "category": row.category,
        "content_type": row.content_type,
        "size": row.size,
        "sha256": meta["sha256"],
        "created_by": row.created_by,
        "created_at": row.created_at,
    }


def list_documents(
    instance_id: str, actor: Actor, channel: str = accesslog.API, log_empty: bool = True, case=None
) -> list[dict]:
    """The documents of a case the actor reads, oldest first (file names and titles, which may name people:
    the read is logged; `log_empty=False` for a page that lists them beside data it logs itself). `case`: the
    case, when the caller has found it with `get_visible_case` for this actor already."""
    instance = case if case is not None and case.id == instance_id else get_visible_case(instance_id, actor)
    readable = categories.readable_by(actor.roles)
    rows = db.session.scalars(
        sa.select(Document)
        .where(Document.instance_id == instance.id, Document.category.in_(readable))
        .order_by(Document.created_at, Document.id)
    ).all()
    if rows or log_empty:
        accesslog.record_read(actor, instance.id, channel, "case.documents", [DOCUMENTS])
    if not rows:
        return []
    cipher = keys.cipher_for(instance.id)
    return [describe(row, _meta(row, cipher)) for row in rows]


def check_references(instance_id: str, actor: Actor, references: dict) -> None:
    """The documents a form field names must be documents of this case that the submitter reads."""
    wanted = {d for ids in references.values() for d in ids}
    if not wanted:
        return
    readable = categories.readable_by(actor.roles)
    found = set(
        db.session.scalars(
            sa.select(Document.id).where(
                Document.id.in_(wanted), Document.instance_id == instance_id, Document.category.in_(readable)
            )
        ).all()
    )
    errors = {
        key: [
            f"No document {d} in this case; upload it first (POST /api/v1/process-instances/{instance_id}/documents)."
            for d in ids
            if d not in found
        ]
        for key, ids in references.items()
    }
    errors = {key: problems for key, problems in errors.items() if problems}
    if errors:
        raise Unprocessable(
            "The form names documents this case does not have; see errors for each field.", errors=errors
        )


def document_content(document_id: str, actor: Actor, channel: str = accesslog.API) -> tuple[dict, bytes]:
    try:
        uuid.UUID(document_id)
    except (TypeError, ValueError):
        raise NotFound("No such document.") from None
    row = db.session.get(Document, document_id)
    if row is None or not categories.may_read(actor.roles, row.category):
        raise NotFound("No such document.")
    try:
        instance = get_visible_case(row.instance_id, actor)
    except NotFound:
        raise NotFound("No such document.") from None
    cipher = keys.cipher_for(instance.id)
    sealed = row.content if row.store == storage.DATABASE else storage.read_file(instance.id, row.id)
    data = keys.open_for(cipher, sealed, instance.id, _content_context(row.id))
    if data is None:
        raise NotFound("No such document.")
    accesslog.record_read(actor, instance.id, channel, "document.content", [DOCUMENTS])
    return describe(row, _meta(row, cipher)), data


def purge_documents(instance_id: str) -> int:
    """With the case's purge: the rows go in the purge's transaction, the files at once (the data key is
    destroyed in the same transaction, so the bytes are unreadable whichever way it ends)."""
    count = db.session.execute(sa.delete(Document).where(Document.instance_id == instance_id)).rowcount
    storage.remove_case(instance_id)
    return count
