"""Deploying definition files and loading the parsed specs of process versions."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from lxml import etree
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import undefer

from ..core.errors import Conflict, NotFound, Unprocessable
from ..db.extensions import db
from ..forms.formjs import FormDefinition
from ..runtime.bpmn_parser import HostParser
from . import approvals, message_senders, protection
from .bpmn_model import BPMN_NS, extract_process, message_names, safe_xml_parser
from .models import DefinitionFile, Deployment, ProcessVersion
from .validation import Problem, SourceFile, analyse, kind_of
from .version_model import form_file_id


@dataclass
class Upload:
    file_name: str
    data: bytes


def latest_files() -> list[DefinitionFile]:
    """The newest version of every deployed file (with content)."""
    newest = (
        sa.select(DefinitionFile.kind, DefinitionFile.key, sa.func.max(DefinitionFile.version).label("version"))
        .group_by(DefinitionFile.kind, DefinitionFile.key)
        .subquery()
    )
    query = (
        sa.select(DefinitionFile)
        .join(
            newest,
            sa.and_(
                DefinitionFile.kind == newest.c.kind,
                DefinitionFile.key == newest.c.key,
                DefinitionFile.version == newest.c.version,
            ),
        )
        .options(undefer(DefinitionFile.content))
    )
    return list(db.session.scalars(query))


def latest_process_versions(executable_only: bool = False) -> list[ProcessVersion]:
    newest = (
        sa.select(ProcessVersion.process_id, sa.func.max(ProcessVersion.version).label("version"))
        .group_by(ProcessVersion.process_id)
        .subquery()
    )
    query = (
        sa.select(ProcessVersion)
        .join(
            newest,
            sa.and_(ProcessVersion.process_id == newest.c.process_id, ProcessVersion.version == newest.c.version),
        )
        .order_by(ProcessVersion.process_id)
    )
    if executable_only:
        query = query.where(ProcessVersion.executable.is_(True))
    return list(db.session.scalars(query))


def get_latest_version(process_id: str) -> ProcessVersion:
    version = db.session.scalar(
        sa.select(ProcessVersion)
        .where(ProcessVersion.process_id == process_id)
        .order_by(ProcessVersion.version.desc())
        .limit(1)
    )
    if version is None:
        raise NotFound(f"No process '{process_id}' is deployed.")
    return version


def process_versions(process_id: str) -> list[ProcessVersion]:
    """Every deployed version of a process, newest first (404 when none is)."""
    versions = list(
        db.session.scalars(
            sa.select(ProcessVersion)
            .where(ProcessVersion.process_id == process_id)
            .order_by(ProcessVersion.version.desc())
        )
    )
    if not versions:
        raise NotFound(f"No process '{process_id}' is deployed.")
    return versions


def bpmn_file_of(version: ProcessVersion) -> DefinitionFile:
    """The BPMN file a version runs, with its content."""
    return db.session.get(DefinitionFile, version.bpmn_file_id, options=[undefer(DefinitionFile.content)])


def recent_deployments(limit: int = 100) -> list[Deployment]:
    """The latest deployments, newest first."""
    return list(db.session.scalars(sa.select(Deployment).order_by(Deployment.id.desc()).limit(limit)))


def _decode(upload: Upload, problems: list) -> SourceFile | None:
    name = upload.file_name.replace("\\", "/").rsplit("/", 1)[-1]
    if not name:
        problems.append(Problem(upload.file_name or "(no name)", "Every uploaded file needs a file name."))
        return None
    limit = current_app.config["VB_MAX_UPLOAD_BYTES"]
    if len(upload.data) > limit:
        problems.append(Problem(name, f"File is larger than {limit} bytes (VB_MAX_UPLOAD_BYTES)."))
        return None
    try:
        text = upload.data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        problems.append(Problem(name, f"Not UTF-8 text (byte {err.start}).", None))
        return None
    return SourceFile(file_name=name, content=text, uploaded=True)


def deploy(uploads: list[Upload], actor: str, source: str = "api") -> dict:
    """Validate the deployed set overlaid with `uploads` and store what changed, atomically.

    Raises Unprocessable with one entry per problem; nothing is stored then.
    """
    if not uploads:
        raise Unprocessable("Upload at least one .bpmn, .dmn or .form file.", errors=[])
    problems: list[Problem] = []
    uploaded = [s for s in (_decode(u, problems) for u in uploads) if s is not None]
    names = [s.file_name for s in uploaded]
    for name in {n for n in names if names.count(n) > 1}:
        problems.append(Problem(name, "This file is uploaded twice."))
    if problems:
        raise Unprocessable("Nothing was deployed: fix these problems first.", errors=[p.to_dict() for p in problems])

    existing = {(f.kind, f.key): f for f in latest_files()}
    sources: dict[tuple, SourceFile] = {}
    for row in existing.values():
        sources[(row.kind, row.key)] = SourceFile(
            file_name=row.file_name, content=row.content, existing_id=row.id, existing_version=row.version
        )
    for upload in uploaded:
        ident = _identity(upload)
        previous = existing.get(ident) if ident else None
        if previous is not None and previous.content_hash == _hash(upload.content):
            upload.existing_id, upload.existing_version = previous.id, previous.version
        sources[ident or ("?", upload.file_name)] = upload

    problems, analyses = analyse(list(sources.values()))
    if problems:
        raise Unprocessable("Nothing was deployed: fix these problems first.", errors=[p.to_dict() for p in problems])
    try:
        return _store(sources, analyses, existing, actor, source)
    except IntegrityError:
        db.session.rollback()
        raise Conflict("Another deployment was stored at the same moment; deploy again.") from None


def _identity(source: SourceFile):
    kind = kind_of(source.file_name)
    if kind == "form":
        try:
            return ("form", FormDefinition.from_json(source.content).id)
        except ValueError:
            return None
    return (kind, source.file_name) if kind else None


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _store(sources, analyses, existing, actor, source_label) -> dict:
    deployment = Deployment(created_by=actor, source=source_label)
    db.session.add(deployment)
    db.session.flush()
    file_rows: dict[tuple, DefinitionFile] = {}
    file_report = []
    for src in sources.values():
        if src.existing_id is not None:
            file_rows[(src.kind, src.key)] = db.session.get(DefinitionFile, src.existing_id)
            if src.uploaded:
                file_report.append(
                    {
                        "file": src.file_name,
                        "kind": src.kind,
                        "key": src.key,
                        "version": src.existing_version,
                        "status": "unchanged",
                    }
                )
            continue
        previous = existing.get((src.kind, src.key))
        row = DefinitionFile(
            deployment_id=deployment.id,
            kind=src.kind,
            key=src.key,
            file_name=src.file_name,
            version=(previous.version + 1) if previous else 1,
            content_hash=src.content_hash,
            content=src.content,
        )
        db.session.add(row)
        file_rows[(src.kind, src.key)] = row
        file_report.append(
            {
                "file": src.file_name,
                "kind": src.kind,
                "key": src.key,
                "version": row.version,
                "status": "new_version" if previous else "new",
            }
        )
    db.session.flush()

    latest = {v.process_id: v for v in latest_process_versions()}
    models = {a.process_id: a.model for a in analyses}
    process_report = []
    lowerings: dict = {}  # process id -> what its new version lowers (protection.py)
    new_versions: list = []
    for analysis in analyses:
        closure = [file_rows[("bpmn", analysis.file_key)]]
        closure += [file_rows[("bpmn", key)] for key in sorted(analysis.closure_bpmn - {analysis.file_key})]
        closure += [file_rows[("dmn", key)] for key in sorted(analysis.closure_dmn)]
        closure += [file_rows[("form", key)] for key in sorted(analysis.closure_forms)]
        closure_hash = _hash(
            analysis.process_id + "|" + "|".join(f"{r.kind}:{r.key}:{r.content_hash}" for r in closure)
        )
        current = latest.get(analysis.process_id)
        if current is not None and current.closure_hash == closure_hash:
            process_report.append(
                {"process_id": analysis.process_id, "version": current.version, "status": "unchanged"}
            )
            continue
        model = dict(analysis.model)
        model["called"] = {pid: models[pid] for pid in analysis.closure_processes[1:] if pid in models}
        model["forms"] = {r.key: r.id for r in closure if r.kind == "form"}
        model["form_files"] = {r.file_name: r.id for r in closure if r.kind == "form"}
        forms = {r.id: FormDefinition.from_json(sources[("form", r.key)].content) for r in closure if r.kind == "form"}
        model["sensitive_keys"] = sorted(
            {k for form in forms.values() for k in form.sensitive_keys}
            | {k for each in (model, *model["called"].values()) for k in each.get("sensitive_variables", [])}
        )

        # Who reads a field that names its readers: the roles every form that asks for it allows
        readers: dict = {}
        for form in forms.values():
            for key, roles in form.field_readers.items():
                readers[key] = readers[key] & roles if key in readers else set(roles)
        model["field_readers"] = {key: sorted(roles) for key, roles in sorted(readers.items())}
        # every variable a form asks for: the need-to-know roles read those only where readers name them
        model["form_keys"] = sorted({key for form in forms.values() for key in form.top_level_keys})

        def form_keys(reference, model=model, forms=forms):
            form = forms.get(form_file_id(model, reference))
            return form.top_level_keys if form is not None else ()

        model["message_senders"] = message_senders.resolve(model, model["called"], form_keys)
        version = ProcessVersion(
            process_id=analysis.process_id,
            version=(current.version + 1) if current else 1,
            name=analysis.name,
            deployment_id=deployment.id,
            bpmn_file_id=closure[0].id,
            closure_hash=closure_hash,
            file_ids=[r.id for r in closure],
            executable=analysis.executable,
            model=model,
        )
        db.session.add(version)
        process_report.append(
            {
                "process_id": analysis.process_id,
                "version": version.version,
                "status": "new_version" if current else "new",
            }
        )
        changes = protection.lowered(
            current.model if current else None, model, current_app.config["VB_DEFAULT_RETENTION"]
        )
        if changes:
            lowerings[analysis.process_id] = changes
            new_versions.append((analysis.process_id, closure_hash))
    summary = {"files": file_report, "processes": process_report}
    if lowerings:
        key = approvals.change_key(new_versions)
        approval = approvals.approved_for(key, actor)
        if approval is None:
            db.session.rollback()
            raise approvals.refusal(approvals.request(key, lowerings, actor))
        approval.status, approval.deployment_id = approvals.USED, deployment.id
        summary["approval"] = {"id": approval.id, "approved_by": approval.decided_by, "changes": lowerings}
    deployment.summary = summary  # assigned whole: a JSON column does not see changes made in place
    db.session.commit()
    return {
        "id": deployment.id,
        "created_at": deployment.created_at,
        "created_by": actor,
        "files": file_report,
        "processes": process_report,
        **({"approval": deployment.summary["approval"]} if "approval" in deployment.summary else {}),
    }


# --- parsed specs, cached per process version ------------------------------------------------------

_SPEC_CACHE: OrderedDict[str, tuple] = OrderedDict()
_SPEC_LOCK = threading.Lock()
_SPEC_CACHE_SIZE = 256


def specs_for(version) -> tuple:
    """(spec, subprocess_specs) of a process version, parsed once from its pinned files."""
    key = version.closure_hash  # content-addressed: the same files always give the same spec
    with _SPEC_LOCK:
        cached = _SPEC_CACHE.get(key)
        if cached is not None:
            _SPEC_CACHE.move_to_end(key)
            return cached
    rows = db.session.scalars(
        sa.select(DefinitionFile)
        .where(DefinitionFile.id.in_(list(version.file_ids)))
        .options(undefer(DefinitionFile.content))
    ).all()
    parser = HostParser()
    for row in rows:
        if row.kind == "dmn":
            parser.add_dmn_xml(etree.fromstring(row.content.encode("utf-8"), parser=safe_xml_parser()), row.file_name)
    for row in rows:
        if row.kind == "bpmn":
            parser.add_bpmn_xml(etree.fromstring(row.content.encode("utf-8"), parser=safe_xml_parser()), row.file_name)
    result = (parser.get_spec(version.process_id), parser.get_subprocess_specs(version.process_id))
    with _SPEC_LOCK:
        _SPEC_CACHE[key] = result
        while len(_SPEC_CACHE) > _SPEC_CACHE_SIZE:
            _SPEC_CACHE.popitem(last=False)
    return result


# Deployed rows never change (a change is a new row), so what is read from them is cached by id.
_FORM_CACHE: OrderedDict[int, FormDefinition] = OrderedDict()
_VERSION_CACHE: OrderedDict[int, VersionInfo] = OrderedDict()


@dataclass(frozen=True)
class VersionInfo:
    """The immutable facts of a process version that running a case needs."""

    id: int
    process_id: str
    version: int
    name: str
    executable: bool
    closure_hash: str
    file_ids: tuple
    model: dict
    bpmn_file_id: int


def version_info(version_id: int) -> VersionInfo:
    cached = _VERSION_CACHE.get(version_id)
    if cached is None:
        row = db.session.get(ProcessVersion, version_id)
        if row is None:
            raise NotFound("Process version not found.")
        cached = VersionInfo(
            row.id,
            row.process_id,
            row.version,
            row.name,
            row.executable,
            row.closure_hash,
            tuple(row.file_ids),
            row.model,
            row.bpmn_file_id,
        )
        _VERSION_CACHE[version_id] = cached
        while len(_VERSION_CACHE) > 1024:
            _VERSION_CACHE.popitem(last=False)
    return cached


_SENDERS_CACHE: OrderedDict[int, dict] = OrderedDict()


def message_senders_of(version: VersionInfo) -> dict:
    """Who may send each message the version catches (`message_senders.resolve`). A version deployed before
    this was stored with it is resolved once from its pinned files."""
    declared = version.model.get("message_senders")
    if declared is not None:
        return declared
    cached = _SENDERS_CACHE.get(version.id)
    if cached is None:
        cached = _SENDERS_CACHE[version.id] = _resolve_senders_from_files(version)
        while len(_SENDERS_CACHE) > 256:
            _SENDERS_CACHE.popitem(last=False)
    return cached


def _resolve_senders_from_files(version: VersionInfo) -> dict:
    rows = db.session.scalars(
        sa.select(DefinitionFile)
        .where(DefinitionFile.id.in_(list(version.file_ids)))
        .options(undefer(DefinitionFile.content))
    ).all()
    models, forms = {}, {}
    for row in rows:
        if row.kind == "bpmn":
            root = etree.fromstring(row.content.encode("utf-8"), parser=safe_xml_parser())
            names = message_names(root)
            for process in root.iter(f"{{{BPMN_NS}}}process"):
                model = extract_process(process, names)
                models[model["id"]] = model
        elif row.kind == "form":
            forms[row.id] = FormDefinition.from_json(row.content)
    own = models.get(version.process_id)
    if own is None:
        return {}
    called = {pid: models[pid] for pid in version.model.get("called", {}) if pid in models}

    def form_keys(reference):
        form = forms.get(form_file_id(version.model, reference))
        return form.top_level_keys if form is not None else ()

    return message_senders.resolve(own, called, form_keys)


def form_definition(file_id: int) -> FormDefinition:
    """The parsed form of a deployed form file."""
    cached = _FORM_CACHE.get(file_id)
    if cached is None:
        content = db.session.scalar(sa.select(DefinitionFile.content).where(DefinitionFile.id == file_id))
        if content is None:
            raise NotFound("Form definition not found.")
        cached = FormDefinition.from_json(content)
        _FORM_CACHE[file_id] = cached
        while len(_FORM_CACHE) > 512:
            _FORM_CACHE.popitem(last=False)
    return cached


def clear_caches() -> None:
    """Forget cached rows (a new app may point at another database)."""
    _FORM_CACHE.clear()
    _VERSION_CACHE.clear()
    _SENDERS_CACHE.clear()
