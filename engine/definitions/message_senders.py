"""Who may send each message a process catches, and which variables the message may set.

Resolved once per process version at deploy time, for the whole closure (the process and those it calls),
so that a delivery checks a dict instead of the diagram. For each catching event, in this order:
- the `senders` / `variables` extension properties of the event;
- those of the `bpmn:message` it catches;
- the user task the event is attached to (a message that replaces a task): its candidate groups (or the
  role of its lane) send it, and it may set the fields of that task's form, as the task would.
An event with none of these can be sent by no one through the API or a webhook.
Several events catching the same message in one closure give the union.
"""

from __future__ import annotations

from ..identity.roles import normalise_role
from .version_model import candidate_groups


def _declaration(catch: dict, model: dict, form_keys) -> tuple[set, set]:
    task = model["user_tasks"].get(catch.get("attached_to") or "")
    if "senders" in catch:
        senders = {normalise_role(name) or name for name in catch["senders"]}
    else:
        senders = set(candidate_groups(task)) if task else set()
    if "variables" in catch:
        variables = set(catch["variables"])
    else:
        variables = set(form_keys(task["form"])) if task and task.get("form") else set()
    return senders, variables


def resolve(model: dict, called: dict, form_keys) -> dict:
    """message name -> {"senders": [...], "variables": [...]} for a version's closure. `form_keys(reference)`
    gives the field keys of the form a user task names."""
    resolved: dict = {}
    for each in (model, *called.values()):
        for catch in each["message_catches"].values():
            if not catch.get("message"):
                continue
            senders, variables = _declaration(catch, each, form_keys)
            entry = resolved.setdefault(catch["message"], {"senders": set(), "variables": set()})
            entry["senders"] |= senders
            entry["variables"] |= variables
    return {
        name: {"senders": sorted(entry["senders"]), "variables": sorted(entry["variables"])}
        for name, entry in resolved.items()
    }
