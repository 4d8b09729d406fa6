"""What a new version of a process lowers in the protection of its data, against the version it replaces.

Lowering protection needs a second person (`approvals.py`): a field that is no longer marked sensitive, a
field whose readers widen or that loses its readers, a derived variable no longer declared sensitive, or a
longer retention. Raising protection needs nobody.
"""

from __future__ import annotations

from ..identity.roles import IMPLIED, readers_of
from ..runtime.retention_periods import shortest


def _readers_of(model: dict, key: str) -> set | None:
    """Who reads a field under this model (`roles.readers_of`), or None (everyone)."""
    found = readers_of(
        key, model.get("field_readers") or {}, set(model.get("sensitive_keys") or ()), set(model.get("form_keys") or ())
    )
    return None if found is None else set(found)


def lowered(old: dict | None, new: dict, default_retention: str) -> list[str]:
    """Plain sentences, one per lowering (empty: nothing lowered, or a first version)."""
    if old is None:
        return []
    changes = []
    guarded = (
        set(old.get("sensitive_keys") or ()) | set(old.get("field_readers") or {}) | set(old.get("form_keys") or ())
    )
    for key in sorted(guarded):
        before, after = _readers_of(old, key), _readers_of(new, key)
        if after is None:
            changes.append(
                f"'{key}' is readable by every role that sees the case (before: {', '.join(sorted(before or ()))})."
            )
        else:  # a sub-role whose parent role read the field already widens nothing
            wider = {r for r in after - (before or set()) if IMPLIED.get(r) not in (before or set())}
            if wider:
                changes.append(f"'{key}' becomes readable by {', '.join(sorted(wider))} as well.")
    case_before, case_after = set(old.get("case_readers") or ()), set(new.get("case_readers") or ())
    if case_before and (not case_after or case_after - case_before):
        changes.append(
            f"The cases' variables become readable by "
            f"{', '.join(sorted(case_after - case_before)) or 'every role that sees the case'} as well."
        )
    if old.get("confidential") and not new.get("confidential"):
        changes.append("The cases are no longer confidential: they belong to a municipality again.")
    dropped = set(old.get("sensitive_variables") or ()) - set(new.get("sensitive_variables") or ())
    changes += [f"The derived variable '{key}' is no longer declared sensitive." for key in sorted(dropped)]
    before = old.get("retention") or default_retention
    after = new.get("retention") or default_retention
    if shortest(after) > shortest(before):
        changes.append(f"Closed cases are kept longer: {after} instead of {before}.")
    return changes
