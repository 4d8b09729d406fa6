"""The studio's steps: list, save, validate, test and deploy workspace files; versions and their diffs;
export of the deployed files in the repository's layout."""

from __future__ import annotations

import io
import zipfile
from datetime import timezone

import sqlalchemy as sa

from ..definitions.models import DefinitionFile, Deployment, ProcessVersion
from ..definitions.service import Upload, deploy, latest_files
from ..core.errors import NotFound, Unprocessable
from ..db.extensions import db
from ..identity.actor import Actor
from . import checks, scenarios, workspace
from .diff import diff_elements, diff_files, process_elements
from .layout import keep_layout
from .models import StudioFile
from ..definitions.service import latest_process_versions


def list_files() -> list[dict]:
    files = workspace.workspace()
    processes = _processes_by_file()
    rows = []
    for f in sorted(files.values(), key=lambda f: (("bpmn", "dmn", "form", "test").index(f.kind), f.file_name)):
        rows.append(
            {
                "file_name": f.file_name,
                "kind": f.kind,
                "deployed_version": f.deployed.version if f.deployed is not None else None,
                "draft": f.changed,
                "updated_by": f.draft.updated_by if f.draft is not None else None,
                "updated_at": f.draft.updated_at if f.draft is not None else None,
                "processes": processes.get(f.file_name, []),
            }
        )
    return rows


def _processes_by_file() -> dict:
    result: dict = {}
    versions = latest_process_versions()
    if not versions:
        return result
    query = sa.select(DefinitionFile.id, DefinitionFile.file_name).where(
        DefinitionFile.id.in_([v.bpmn_file_id for v in versions])
    )
    names = {row.id: row.file_name for row in db.session.execute(query).all()}
    for version in versions:
        result.setdefault(names.get(version.bpmn_file_id), []).append(
            {"process_id": version.process_id, "name": version.name, "version": version.version}
        )
    return result


def file_detail(file_name: str) -> dict:
    f = workspace.get_file(file_name)
    return {
        "file_name": f.file_name,
        "kind": f.kind,
        "content": f.content,
        "draft": f.changed,
        "deployed_version": f.deployed.version if f.deployed is not None else None,
        "deployed_content": f.deployed.content if f.deployed is not None else None,
    }


def save(file_name: str, content: str, actor: Actor) -> dict:
    """Save a draft, then validate the workspace with it: the answer carries the problems to show."""
    if workspace.studio_kind(file_name) == "bpmn":
        previous = workspace.workspace().get(file_name)
        content = keep_layout(previous.content if previous is not None else None, content)
    workspace.save_draft(file_name, content, actor.username)
    report = validate()
    report["saved"] = True
    report["draft"] = workspace.get_file(file_name).changed
    return report


def validate(overrides: dict | None = None) -> dict:
    files = workspace.workspace(overrides)
    findings, _ = checks.validate_workspace(files)
    return _report(findings)


def _report(findings) -> dict:
    errors = [f.to_dict() for f in findings if f.severity == checks.ERROR]
    warnings = [f.to_dict() for f in findings if f.severity != checks.ERROR]
    return {"valid": not errors, "errors": errors, "warnings": warnings}


def run_tests(overrides: dict | None = None, only: str | None = None) -> dict:
    files = workspace.workspace(overrides)
    findings, _ = checks.validate_workspace(files)
    report = _report(findings)
    if not report["valid"]:
        report.update(ran=False, passed=False, results=[])
        return report
    results = scenarios.run_workspace_tests(files, only)
    report.update(ran=True, passed=all(r.passed for r in results), results=[r.to_dict() for r in results])
    return report


def deploy_drafts(actor: Actor, file_names: list | None = None) -> dict:
    """Deploy the drafts (all, or those named): validation, then every scenario test as a gate, then the
    deployment itself. Nothing is deployed when any of it fails; the answer says why."""
    files = workspace.workspace()
    drafts = [f for f in files.values() if f.changed]
    if file_names:
        unknown = sorted(set(file_names) - {f.file_name for f in drafts})
        if unknown:
            raise Unprocessable(f"No changed draft named {', '.join(unknown)}.", errors={"files": unknown})
        drafts = [f for f in drafts if f.file_name in file_names]
        for f in files.values():  # the drafts left out are judged as they are deployed now
            if f.changed and f.file_name not in file_names:
                if f.deployed is None:
                    files.pop(f.file_name)
                else:
                    f.content = f.deployed.content
        files = dict(files)
    if not drafts:
        raise Unprocessable("There is nothing to deploy: no draft differs from what is deployed.")
    findings, _ = checks.validate_workspace(files)
    report = _report(findings)
    if not report["valid"]:
        raise Unprocessable(
            "Nothing was deployed: fix these problems first.",
            errors=report["errors"],
            warnings=report["warnings"],
            stage="validation",
        )
    results = scenarios.run_workspace_tests(files)
    failed = [r for r in results if not r.passed]
    if failed:
        raise Unprocessable(
            "Nothing was deployed: a scenario test fails.",
            errors=[],
            tests=[r.to_dict() for r in results],
            stage="tests",
        )
    uploads = [Upload(f.file_name, f.content.encode("utf-8")) for f in drafts]
    result = deploy(uploads, actor.username, source="studio")
    workspace.drop_deployed_drafts([f.file_name for f in drafts])
    result["tests"] = [r.to_dict() for r in results]
    result["warnings"] = report["warnings"]
    return result


# --- versions --------------------------------------------------------------------------------------


def _file_facts(file_ids) -> list:
    rows = db.session.execute(
        sa.select(
            DefinitionFile.id, DefinitionFile.kind, DefinitionFile.key, DefinitionFile.version, DefinitionFile.file_name
        ).where(DefinitionFile.id.in_(list(file_ids)))
    ).all()
    return [{"id": r.id, "kind": r.kind, "key": r.key, "version": r.version, "file_name": r.file_name} for r in rows]


def _bpmn_content(file_id: int) -> str:
    return db.session.scalar(sa.select(DefinitionFile.content).where(DefinitionFile.id == file_id))


def process_versions(process_id: str) -> list[dict]:
    """Every version of a process, newest first: who deployed it, when, and what changed from the one
    before (elements, and the decision and form files it uses)."""
    versions = db.session.scalars(
        sa.select(ProcessVersion).where(ProcessVersion.process_id == process_id).order_by(ProcessVersion.version)
    ).all()
    if not versions:
        raise NotFound(f"No process '{process_id}' is deployed.")
    deployments = {
        d.id: d
        for d in db.session.scalars(sa.select(Deployment).where(Deployment.id.in_({v.deployment_id for v in versions})))
    }
    rows = []
    previous_elements, previous_files = {}, []
    for version in versions:
        elements = process_elements(_bpmn_content(version.bpmn_file_id), process_id)
        files = _file_facts(version.file_ids)
        deployment = deployments.get(version.deployment_id)
        rows.append(
            {
                "version": version.version,
                "version_id": version.id,
                "name": version.name,
                "deployment_id": version.deployment_id,
                "created_by": deployment.created_by if deployment else "",
                "source": deployment.source if deployment else "",
                "created_at": version.created_at.astimezone(timezone.utc),
                "elements": diff_elements(previous_elements, elements)
                if version.version > 1
                else {"added": [], "removed": [], "changed": []},
                "files": diff_files(previous_files, files) if version.version > 1 else [],
                "file_list": files,
            }
        )
        previous_elements, previous_files = elements, files
    return list(reversed(rows))


def version_xml(process_id: str, version_number: int) -> str:
    version = db.session.scalar(
        sa.select(ProcessVersion).where(
            ProcessVersion.process_id == process_id, ProcessVersion.version == version_number
        )
    )
    if version is None:
        raise NotFound(f"Process '{process_id}' has no version {version_number}.")
    return _bpmn_content(version.bpmn_file_id)


# --- export ----------------------------------------------------------------------------------------


def export_zip(include_drafts: bool = False) -> bytes:
    """The deployed files in the repository's layout: processes/*.bpmn, *.dmn and *.test.json, forms/*.form."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        contents = {row.file_name: (row.kind, row.content) for row in latest_files()}
        for draft in db.session.scalars(sa.select(StudioFile)):
            if draft.kind == "test" or include_drafts:
                contents[draft.file_name] = (draft.kind, draft.content)
        for file_name, (kind, content) in sorted(contents.items()):
            folder = "forms" if kind == "form" else "processes"
            archive.writestr(f"{folder}/{file_name}", content)
    return buffer.getvalue()
