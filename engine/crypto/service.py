"""Data keys: made per case, wrapped by the active KEK, unwrapped once per process and kept in memory.

A case's key is made with the case and written in the same batch as its first save; the unwrapped key is
kept in the keyring's cache (a data key never changes: a rotation re-wraps it, a purge deletes the row and
the case's sealed columns with it).
"""

from __future__ import annotations

from collections import OrderedDict

import sqlalchemy as sa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app

from ..core.errors import KeyUnavailable
from ..db.extensions import db
from ..core.timeutil import utcnow
from .keyring import Keyring
from .models import CaseKey
from .sealing import SealBroken, is_sealed, seal, unseal

# The owner of values that arrive before a case is known: buffered messages and failed webhook deliveries.
REMNANTS = "remnants"
_CACHE_SIZE = 20_000
KEYS = CaseKey.__table__
_SELECT_KEY = sa.select(KEYS.c.kek_id, KEYS.c.wrapped).where(KEYS.c.owner_id == sa.bindparam("owner"))


class CipherCache:
    """Unwrapped data keys by owner, per keyring (a keyring never serves keys another one unwrapped)."""

    def __init__(self, keyring: Keyring):
        self.keyring = keyring
        self.ciphers: OrderedDict = OrderedDict()

    def get(self, owner: str):
        cipher = self.ciphers.get(owner)
        if cipher is not None:
            self.ciphers.move_to_end(owner)
        return cipher

    def put(self, owner: str, cipher: AESGCM) -> None:
        self.ciphers[owner] = cipher
        if len(self.ciphers) > _CACHE_SIZE:
            self.ciphers.popitem(last=False)

    def drop(self, owner: str) -> None:
        self.ciphers.pop(owner, None)


def init_app(app, keyring: Keyring) -> None:
    app.extensions["vb_keys"] = CipherCache(keyring)


def _keys() -> CipherCache:
    return current_app.extensions["vb_keys"]


def keyring() -> Keyring:
    return _keys().keyring


def _wrap_context(owner: str) -> bytes:
    return b"vb-data-key:" + owner.encode()


def wrap(keyring: Keyring, owner: str, data_key: bytes) -> tuple[str, bytes]:
    return keyring.active_id, seal(keyring.active, data_key, _wrap_context(owner))


def unwrap(keyring: Keyring, owner: str, kek_id: str, wrapped: bytes) -> bytes:
    kek = keyring.keys.get(kek_id)
    if kek is None:
        raise KeyUnavailable(
            f"The data of this case is sealed under key {kek_id}, which the configured VB_MASTER_KEY does not "
            f"hold (it holds {', '.join(keyring.ids())}). Configure the right key; nothing was read or changed.",
            needed_key=kek_id,
        )
    try:
        return unseal(kek, wrapped, _wrap_context(owner))
    except SealBroken:
        raise KeyUnavailable(
            f"The data key of this case does not open with key {kek_id}; nothing was read or changed.",
            needed_key=kek_id,
        ) from None


def new_case_key(owner: str) -> dict:
    """A fresh data key for a new case: the row to insert with the case (`case_key` columns). The key is
    usable at once in this process."""
    cache = _keys()
    data_key = AESGCM.generate_key(bit_length=256)
    kek_id, wrapped = wrap(cache.keyring, owner, data_key)
    cache.put(owner, AESGCM(data_key))
    return {"owner_id": owner, "kek_id": kek_id, "wrapped": wrapped, "created_at": utcnow()}


def cipher_for(owner: str, create: bool = False) -> AESGCM | None:
    """The data key of a case (None if it has none: purged, or written before encryption). `create`: make
    and store one when missing (the remnants' key)."""
    cache = _keys()
    cipher = cache.get(owner)
    if cipher is not None:
        return cipher
    row = db.session.execute(_SELECT_KEY, {"owner": owner}).first()
    if row is None:
        if not create:
            return None
        db.session.execute(sa.insert(KEYS).values(**new_case_key(owner)))
        return cache.get(owner)
    cipher = AESGCM(unwrap(cache.keyring, owner, row.kek_id, row.wrapped))
    cache.put(owner, cipher)
    return cipher


def ciphers_for(owners) -> dict:
    """Data keys of many cases in one query (reports): owner -> cipher, for those that have one."""
    cache = _keys()
    found, missing = {}, []
    for owner in owners:
        cipher = cache.get(owner)
        if cipher is not None:
            found[owner] = cipher
        else:
            missing.append(owner)
    for start in range(0, len(missing), 500):
        chunk = missing[start : start + 500]
        for row in db.session.execute(
            sa.select(KEYS.c.owner_id, KEYS.c.kek_id, KEYS.c.wrapped).where(KEYS.c.owner_id.in_(chunk))
        ):
            cipher = AESGCM(unwrap(cache.keyring, row.owner_id, row.kek_id, row.wrapped))
            cache.put(row.owner_id, cipher)
            found[row.owner_id] = cipher
    return found


def seal_for(cipher: AESGCM, plaintext: bytes, owner: str, column: str) -> bytes:
    return seal(cipher, plaintext, f"{column}:{owner}".encode())


def open_for(cipher: AESGCM | None, stored: bytes | str | None, owner: str, column: str) -> bytes | None:
    """The plaintext of a sealed column value. Values written before encryption (plain text) are read as
    they are; a sealed value without its key (purged) is None."""
    if stored is None:
        return None
    if isinstance(stored, str):
        return stored.encode()
    if not is_sealed(stored):
        return bytes(stored)
    if cipher is None:
        return None
    try:
        return unseal(cipher, stored, f"{column}:{owner}".encode())
    except SealBroken:
        raise KeyUnavailable(
            "A sealed value of this case does not open with its data key; nothing was read or changed."
        ) from None


def seal_remnant(plaintext: bytes, column: str) -> bytes:
    """A value kept before any case is known (a failed webhook delivery's body), under the remnants' key."""
    return seal_for(cipher_for(REMNANTS, create=True), plaintext, REMNANTS, column)


def open_remnant(stored, column: str) -> bytes | None:
    return open_for(cipher_for(REMNANTS), stored, REMNANTS, column)


def destroy(owner: str) -> bool:
    """Delete a case's data key: everything sealed under it is unreadable from now on, also in backups taken
    after this. Returns whether there was a key."""
    _keys().drop(owner)
    return db.session.execute(sa.delete(KEYS).where(KEYS.c.owner_id == owner)).rowcount > 0


def rotate(batch: int = 500) -> dict:
    """Re-wrap every data key not wrapped by the active KEK with it; the sealed case data is not touched.
    Commits per batch, so a rotation can be stopped and run again."""
    ring = keyring()
    rewrapped = 0
    while True:
        rows = db.session.execute(
            sa.select(KEYS.c.owner_id, KEYS.c.kek_id, KEYS.c.wrapped)
            .where(KEYS.c.kek_id != ring.active_id)
            .limit(batch)
        ).all()
        if not rows:
            break
        now = utcnow()
        for row in rows:
            data_key = unwrap(ring, row.owner_id, row.kek_id, row.wrapped)
            kek_id, wrapped = wrap(ring, row.owner_id, data_key)
            db.session.execute(
                sa.update(KEYS)
                .where(KEYS.c.owner_id == row.owner_id)
                .values(kek_id=kek_id, wrapped=wrapped, rotated_at=now)
            )
        db.session.commit()
        rewrapped += len(rows)
    remaining = dict(db.session.execute(sa.select(KEYS.c.kek_id, sa.func.count()).group_by(KEYS.c.kek_id)).all())
    return {"active_key": ring.active_id, "rewrapped": rewrapped, "keys_by_kek": remaining}


def unknown_key_ids() -> list[str]:
    """KEK ids of stored data keys that the configured keyring does not hold (a wrong or missing key)."""
    ring = keyring()
    ids = db.session.scalars(sa.select(KEYS.c.kek_id).distinct()).all()
    return sorted(set(ids) - set(ring.ids()))
