"""Reading the host model of a process version (the dict `bpmn_model.extract_process` made at deploy)."""

from __future__ import annotations

from ..identity.roles import normalise_role


def form_file_id(version_model: dict, reference: dict | None) -> int | None:
    """The deployed form file a user task or start event names, in the version's closure."""
    if not reference:
        return None
    if reference.get("by") == "file":
        return version_model.get("form_files", {}).get(reference["ref"])
    return version_model.get("forms", {}).get(reference["ref"])


def candidate_groups(task: dict) -> list:
    """The roles of a user task: its candidate groups, or the role its lane is named after. A group written as
    a variable (`${case_handler_group}`) is resolved when the task opens (`tasks/derive.py`) and not counted
    here."""
    groups = [normalise_role(g) for g in task.get("candidate_groups") or [] if not g.startswith("${")]
    groups = [g for g in groups if g]
    if not groups:
        lane_role = normalise_role(task.get("lane"))
        if lane_role:
            groups = [lane_role]
    return groups
