"""Live workflows kept between requests in this process, keyed by case id and lock version.

A request takes a workflow out (so two requests never share one object) and puts it back after its
transaction committed. A version mismatch means another process advanced the case: the entry is useless
and dropped. This saves deserializing a case on every step; correctness never depends on it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

_ENTRIES: OrderedDict[str, tuple[int, object, object]] = OrderedDict()
_LOCK = threading.Lock()
MAX_ENTRIES = 512


def take(instance_id: str, lock_version: int):
    """(workflow, what it waited for when saved) or (None, None)."""
    with _LOCK:
        entry = _ENTRIES.pop(instance_id, None)
    if entry is None or entry[0] != lock_version:
        return None, None
    return entry[1], entry[2]


def put(instance_id: str, lock_version: int, workflow, waiting=None) -> None:
    with _LOCK:
        _ENTRIES[instance_id] = (lock_version, workflow, waiting)
        _ENTRIES.move_to_end(instance_id)
        while len(_ENTRIES) > MAX_ENTRIES:
            _ENTRIES.popitem(last=False)


def drop(instance_id: str) -> None:
    with _LOCK:
        _ENTRIES.pop(instance_id, None)


def clear() -> None:
    with _LOCK:
        _ENTRIES.clear()
