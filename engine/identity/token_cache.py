"""Who a bearer token stands for, kept in memory for a few seconds so an API call costs no identity queries.

An entry holds the token's digest, its user's id, the Actor and whether the user must still set up a second
factor; it is used until the token expires and for at most `VB_TOKEN_CACHE_SECONDS` (5) after it was read
from the database, then read again. So:

- in this process a revoked token, a deactivated account, a new password and any change to a user's roles,
  municipality, unit or second factor take effect on the next request: every flush that writes an ApiToken,
  User or TotpFactor row forgets the user's entries (`forget_written`);
- in another process (the other gunicorn workers, a CLI command) they take effect within
  `VB_TOKEN_CACHE_SECONDS`; 0 switches the cache off.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from .actor import Actor
from .models import ApiToken, TotpFactor, User


@dataclass(frozen=True)
class Entry:
    user_id: int
    actor: Actor
    must_enrol: bool
    expires_at: datetime
    read_at: float  # time.monotonic() when read from the database


class TokenCache:
    def __init__(self):
        self._entries: dict[str, Entry] = {}
        self._lock = threading.Lock()

    def get(self, digest: str, now: datetime, bound: float) -> Entry | None:
        entry = self._entries.get(digest)
        if entry is None:
            return None
        if time.monotonic() - entry.read_at >= bound or entry.expires_at <= now:
            self.forget(digest)
            return None
        return entry

    def put(self, digest: str, entry: Entry) -> None:
        with self._lock:
            if len(self._entries) > 10_000:  # tokens nobody sends any more: start again rather than grow
                self._entries.clear()
            self._entries[digest] = entry

    def forget(self, digest: str) -> None:
        with self._lock:
            self._entries.pop(digest, None)

    def forget_user(self, user_id) -> None:
        with self._lock:
            for digest in [d for d, e in self._entries.items() if e.user_id == user_id]:
                del self._entries[digest]


def cache() -> TokenCache:
    """One cache per app (a test's app has its own database)."""
    return current_app.extensions.setdefault("vb_token_cache", TokenCache())


def bound() -> float:
    return float(current_app.config["VB_TOKEN_CACHE_SECONDS"])


def forget_written(session, _flush_context) -> None:
    """SQLAlchemy `after_flush`: forget the entries of every user whose token, account or factor was written."""
    written = (*session.new, *session.dirty, *session.deleted)
    users = {o.id for o in written if isinstance(o, User)}
    users |= {o.user_id for o in written if isinstance(o, (ApiToken, TotpFactor))}
    if users and has_app_context():
        store = cache()
        for user_id in users:
            store.forget_user(user_id)


event.listen(Session, "after_flush", forget_written)
