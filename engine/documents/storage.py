"""Where the sealed bytes of documents live: files under VB_DOCUMENT_DIR (default), or a column of
`case_document` when the database is PostgreSQL and VB_DOCUMENT_STORE=database. Only sealed bytes pass here."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from flask import current_app

FILE, DATABASE = "file", "database"


class StoreMisconfigured(RuntimeError):
    pass


def check(app) -> None:
    """At start: the database store needs PostgreSQL (SQLite would hold every document in one file)."""
    store = app.config["VB_DOCUMENT_STORE"]
    if store not in (FILE, DATABASE):
        raise StoreMisconfigured(f"VB_DOCUMENT_STORE is {store!r}; use 'file' or 'database'.")
    if store == DATABASE and not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        raise StoreMisconfigured(
            "VB_DOCUMENT_STORE=database needs PostgreSQL as the database; the file store "
            "(VB_DOCUMENT_DIR) serves SQLite."
        )


def active() -> str:
    return current_app.config["VB_DOCUMENT_STORE"]


def _case_dir(instance_id: str) -> Path:
    return Path(current_app.config["VB_DOCUMENT_DIR"]) / instance_id


def write_file(instance_id: str, document_id: str, sealed: bytes) -> Path:
    """Written under a temporary name and renamed: a reader never sees half a file."""
    folder = _case_dir(instance_id)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = folder / document_id
    partial = folder / f".{document_id}.part"
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(sealed)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, target)
    return target


def read_file(instance_id: str, document_id: str) -> bytes:
    return (_case_dir(instance_id) / document_id).read_bytes()


def remove_file(instance_id: str, document_id: str) -> None:
    (_case_dir(instance_id) / document_id).unlink(missing_ok=True)


def remove_case(instance_id: str) -> None:
    shutil.rmtree(_case_dir(instance_id), ignore_errors=True)
