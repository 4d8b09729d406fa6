"""What the case page shows, assembled from the derived rows and the audit trail (never the engine state):
the summary, deadlines, the case data the viewer may read, the timeline, the diagram's markers and the
linked cases. Visibility comes from the policy through the instances service: a case the viewer may not
see raises NotFound."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import undefer

from ..definitions.models import DefinitionFile, ProcessVersion
from ..definitions.service import form_definition
from ..db.extensions import db
from ..access import policy
from ..identity.actor import Actor
from ..instances.models import ProcessInstance
from ..accesslog.service import PAGE
from ..documents import categories as document_categories
from ..documents.service import list_documents
from ..notes.service import notes_of
from ..cases.service import case_history, case_variables_for, get_visible_case
from ..reporting.evaluation import snapshot_of
from ..reporting.presentation import sections
from ..definitions.version_model import form_file_id
from ..instances.task_rows import OPEN, HumanTask
from .i18n import pick
from .values import PLAIN, FieldFormat, shown

WAITING_TYPES = {"intermediateCatchEvent", "boundaryEvent", "receiveTask", "eventBasedGateway"}
DONE_EVENTS = {"element.completed", "task.completed"}
# Completed elements people care about in a timeline: a message or timer that came, a decision taken, a
# sub-case done, the end reached. Script steps and gateways are the engine's own work ("show all").
HUMAN_ELEMENT_TYPES = {
    "intermediateCatchEvent",
    "boundaryEvent",
    "receiveTask",
    "businessRuleTask",
    "callActivity",
    "endEvent",
    "userTask",
}
HIDDEN_EVENTS = {"case.compacted"}
MASK = "***"


@dataclass
class CasePage:
    instance: ProcessInstance
    version: ProcessVersion
    open_tasks: list
    events: list
    variables: list  # [DataStep]
    markers: dict
    related: list = field(default_factory=list)
    deadlines: list = field(default_factory=list)
    timeline: list = field(default_factory=list)
    engine_steps: int = 0  # events left out of the timeline unless all are asked for
    waits: list = field(default_factory=list)  # what else keeps an open case open: events and sub-cases
    documents: list = field(default_factory=list)
    categories: list = field(default_factory=list)  # the document categories the viewer may file under
    report: dict | None = None  # the yearly report an evaluation case keeps (`report_snapshot`)
    summary: list = field(
        default_factory=list
    )  # the process's `summary_variables` that hold a text the viewer may read


@dataclass
class NoteItem:
    """A note in the timeline, beside the audit events (`event` tells the template which it is)."""

    at: object
    author: str
    text: str
    restricted: bool
    event: str = "note"


def open_because(instance: ProcessInstance, model: dict, waiting: list, related: list) -> list:
    """Besides its open tasks, what a running case waits for before it can close: the events it waits at
    (a timer, such as an IVP check-in, or a message from another party) and its sub-cases still running."""
    if instance.status != "running":
        return []
    elements = dict(model.get("elements") or {})
    for called in (model.get("called") or {}).values():
        for eid, element in (called.get("elements") or {}).items():
            elements.setdefault(eid, element)
    timers = {t.get("element_id") for t in model.get("timers") or []}
    messages = set(model.get("message_catches") or {})
    waits = []
    behind = [target for eid in waiting for target in (elements.get(eid) or {}).get("events") or [eid]]
    for element_id in behind:
        kind = "timer" if element_id in timers else "message" if element_id in messages else "event"
        waits.append(
            {
                "kind": kind,
                "name": (elements.get(element_id) or {}).get("name") or element_id,
                "due_at": instance.next_timer_due_at if kind == "timer" else None,
            }
        )
    for item in related:
        if item["relation"] == "child" and item["case"].status == "running":
            waits.append({"kind": "case", "name": item["case"].business_key, "case": item["case"]})
    return waits


def timeline(events: list, model: dict, everything: bool) -> tuple[list, int]:
    """The events of the timeline and how many engine steps were left out of it."""
    types = element_types(model)
    shown, left_out = [], 0
    for event in events:
        if event.event in HIDDEN_EVENTS or (event.event == "element.completed" and not event.element_name):
            continue
        if (
            event.event == "element.completed"
            and types.get(event.element_id) not in HUMAN_ELEMENT_TYPES
            and not everything
        ):
            left_out += 1
            continue
        shown.append(event)
    return shown, left_out


def element_types(model: dict) -> dict:
    types = {eid: e.get("type") for eid, e in (model.get("elements") or {}).items()}
    for called in (model.get("called") or {}).values():
        for eid, e in (called.get("elements") or {}).items():
            types.setdefault(eid, e.get("type"))
    return types


def diagram_markers(instance: ProcessInstance, model: dict, events: list, open_tasks: list) -> dict:
    types = element_types(model)
    active_now = list(instance.active_elements or [])
    waiting = [e for e in active_now if types.get(e) in WAITING_TYPES]
    active = [e for e in active_now if e not in waiting]
    for task in open_tasks:
        if task.element_id not in active:
            active.append(task.element_id)
    current = set(active) | set(waiting)
    completed = []
    for event in events:
        if (
            event.event in DONE_EVENTS
            and event.element_id
            and event.element_id not in current
            and event.element_id not in completed
        ):
            completed.append(event.element_id)
    if instance.status == "completed":
        active, waiting = [], []
    return {"completed": completed, "active": active, "waiting": waiting}


def _form_files_in_order(model: dict) -> list:
    """The form files of a process version in the order a case meets them: start form, then user tasks."""
    references = [s.get("form") for s in model.get("start_events", [])]
    for process in [model, *(model.get("called") or {}).values()]:
        references += [t.get("form") for t in (process.get("user_tasks") or {}).values()]
    ordered = []
    for reference in references:
        file_id = form_file_id(model, reference)
        if file_id and file_id not in ordered:
            ordered.append(file_id)
    return ordered


def field_labels(version: ProcessVersion) -> dict:
    """{key: (label, FieldFormat, columns)} of the case data, from the forms of this version. `columns` is
    None for a plain field; for a dynamic list (a list of rows) it is [(sub-key, label, FieldFormat)] of the
    fields in each row, and `label` is the list's own."""
    labels = {}
    for file_id in _form_files_in_order(version.model):
        try:
            form = form_definition(file_id)
        except Exception:  # a form that cannot be read only costs us its labels
            continue
        for fld in form.fields:
            options = FieldFormat.of(
                fld.component,
                {
                    o.get("value"): pick(o.get("label"))
                    for o in fld.component.get("values") or []
                    if isinstance(o, dict)
                },
            )
            list_path = fld.path[:1]
            if len(fld.path) == 2 and list_path in form.list_labels:
                entry = labels.setdefault(fld.path[0], (pick(form.list_labels[list_path]), PLAIN, []))
                if entry[2] is not None and all(column[0] != fld.key for column in entry[2]):
                    entry[2].append((fld.key, pick(fld.label), options))
                continue
            labels.setdefault(fld.path[0], (pick(fld.label), options, None))
    return labels


def _table(rows, columns: list) -> dict | None:
    """A dynamic list's rows under the labels of its fields, each value as its field shows it; None
    when the value is not a list of rows (then it is shown as it is)."""
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        return None
    return {
        "headers": [label for _, label, _ in columns],
        "rows": [[shown(row.get(key), fmt, key) for key, _, fmt in columns] for row in rows],
    }


# The events that write case data; a value belongs to the last of them that wrote its key.
WRITING_EVENTS = {"case.started", "task.completed", "message.received", "case.retried"}


@dataclass
class DataStep:
    """The case data one step collected: a report, a completed task, a message received."""

    event: str
    name: str
    actor: str | None
    at: object
    rows: list = field(default_factory=list)


def case_data(
    actor: Actor, instance: ProcessInstance, version: ProcessVersion, events: list, visible: dict | None = None
) -> list:
    """The case data the viewer may read, grouped by the step that collected each value (its last writer),
    in the order the case went through them; values no step wrote (derived by the process) come last.
    `visible`: the variables as the viewer may read them, when the caller read them already."""
    sensitive = version.model.get("sensitive_keys", [])
    restricted = set(version.model.get("field_readers", {})) | set(version.model.get("form_keys", ()))
    if visible is None:
        visible = case_variables_for(actor, instance, channel=PAGE, activity="case.read")
    labels = field_labels(version)
    writer = {}
    for index, event in enumerate(events):
        if event.event in WRITING_EVENTS:
            for key in event.data_keys or ():
                writer[key] = index
    steps: dict = {}
    for key, (label, options, columns) in labels.items():  # what the forms asked, in the order they asked it
        if key not in visible:
            continue
        value = visible[key]
        masked = value == MASK and (key in sensitive or key in restricted)
        table = None if masked or not columns else _table(value, columns)
        index = writer.get(key, len(events))
        if index not in steps:
            if index < len(events):
                event = events[index]
                steps[index] = DataStep(event.event, event.element_name or "", event.actor, event.at)
            else:
                steps[index] = DataStep("", "", None, None)
        steps[index].rows.append(
            {
                "key": key,
                "label": label,
                "value": None if masked else shown(value, options, key),
                "masked": masked,
                "table": table,
            }
        )
    return [steps[index] for index in sorted(steps)]


def task_context(actor: Actor, instance: ProcessInstance, element_id: str, own_keys, visible: dict) -> list:
    """The case data shown beside a task's form: by default what the earlier steps collected that the handler
    may read (never a shielded value), without the form's own fields; the task's `context` property narrows it
    to the keys it names, or turns it off with `none` (docs/modeling.md)."""
    version = db.session.get(ProcessVersion, instance.process_version_id)
    task = (version.model.get("user_tasks") or {}).get(element_id) or {}
    for called in (version.model.get("called") or {}).values():
        task = task or (called.get("user_tasks") or {}).get(element_id) or {}
    setting = (task.get("context") or "").strip()
    if setting == "none":
        return []
    wanted = {key.strip() for key in setting.split(",")} if setting else None
    steps = []
    for step in case_data(actor, instance, version, case_history(instance), visible):
        rows = [
            row
            for row in step.rows
            if not row["masked"] and row["key"] not in own_keys and (wanted is None or row["key"] in wanted)
        ]
        if rows:
            steps.append(DataStep(step.event, step.name, step.actor, step.at, rows))
    return steps


def related_cases(actor: Actor, instance: ProcessInstance) -> list:
    clauses = [ProcessInstance.parent_instance_id == instance.id]
    if instance.parent_instance_id:
        clauses.append(ProcessInstance.id == instance.parent_instance_id)
    query = (
        sa.select(ProcessInstance)
        .where(sa.or_(*clauses), policy.case_clause(actor))
        .order_by(ProcessInstance.started_at)
    )
    return [
        {"case": case, "relation": "parent" if case.id == instance.parent_instance_id else "child"}
        for case in db.session.scalars(query)
    ]


def load_case_page(instance_id: str, actor: Actor, all_steps: bool = False) -> CasePage:
    instance = get_visible_case(instance_id, actor)
    version = db.session.get(ProcessVersion, instance.process_version_id)
    events = case_history(instance)
    open_tasks = list(
        db.session.scalars(
            sa.select(HumanTask)
            .where(HumanTask.instance_id == instance.id, HumanTask.status == OPEN)
            .order_by(HumanTask.created_at)
        )
    )
    deadlines = [{"what": t.name, "due_at": t.due_at, "task": t} for t in open_tasks if t.due_at]
    if instance.next_timer_due_at:
        deadlines.append({"what": None, "due_at": instance.next_timer_due_at, "task": None})
    deadlines.sort(key=lambda d: d["due_at"])
    shown, left_out = timeline(events, version.model, all_steps)
    notes = [
        NoteItem(n["created_at"], n["author"], n["text"], n["restricted"])
        for n in notes_of(instance.id, actor, channel=PAGE, log_empty=False, case=instance)
    ]
    shown = sorted(shown + notes, key=lambda item: item.at)
    markers = diagram_markers(instance, version.model, events, open_tasks)
    related = related_cases(actor, instance)
    visible = case_variables_for(actor, instance, channel=PAGE, activity="case.read")
    summary = [
        visible[key]
        for key in _summary_keys(version.model)
        if isinstance(visible.get(key), str) and visible[key] and visible[key] != MASK
    ]
    return CasePage(
        timeline=shown,
        engine_steps=left_out,
        instance=instance,
        version=version,
        open_tasks=open_tasks,
        events=events,
        variables=case_data(actor, instance, version, events, visible),
        report=report_snapshot(visible),
        summary=summary,
        markers=markers,
        related=related,
        deadlines=deadlines,
        waits=open_because(instance, version.model, markers["waiting"], related),
        documents=list_documents(instance.id, actor, channel=PAGE, log_empty=False, case=instance),
        categories=document_categories.uploadable_by(actor.roles),
    )


def report_snapshot(visible: dict) -> dict | None:
    """The figures an evaluation case kept (engine/reporting/evaluation.py), laid out as the report page lays
    them out: aggregates under disclosure control, shown to whoever sees the case."""
    figures = snapshot_of(visible)
    if figures is None:
        return None
    return {"figures": figures, "years": [str(y) for y in figures["years"]], "sections": sections(figures)}


def _summary_keys(model: dict) -> list:
    """The summary variables of the process and of the processes it calls (they run in the same case)."""
    keys = list(model.get("summary_variables") or ())
    for called in (model.get("called") or {}).values():
        keys += [k for k in called.get("summary_variables") or () if k not in keys]
    return keys


def diagram_xml(instance_id: str, actor: Actor) -> str:
    """The BPMN XML of the version this case runs on (404 when the case is not visible)."""
    instance = get_visible_case(instance_id, actor)
    version = db.session.get(ProcessVersion, instance.process_version_id)
    row = db.session.get(DefinitionFile, version.bpmn_file_id, options=[undefer(DefinitionFile.content)])
    return row.content
