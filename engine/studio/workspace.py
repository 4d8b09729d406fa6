"""The studio's workspace: the newest deployed files overlaid with the saved drafts and the scenario tests.

Files are named by file name, as they lie in `processes/` and `forms/`. A draft is kept even when it has
problems, so a process owner never loses work; only a deployment must be free of problems.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa

from ..definitions.models import DefinitionFile
from ..definitions.service import latest_files
from ..core.errors import NotFound, Unprocessable
from ..db.extensions import db
from ..core.timeutil import utcnow
from .models import StudioFile

TEST_SUFFIXES = (".test.json", ".test.yaml", ".test.yml")
_FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._ -]{0,200}$")


def studio_kind(file_name: str) -> str | None:
    lower = file_name.lower()
    if lower.endswith(TEST_SUFFIXES):
        return "test"
    if lower.endswith((".bpmn", ".bpmn20.xml")):
        return "bpmn"
    if lower.endswith(".dmn"):
        return "dmn"
    if lower.endswith(".form"):
        return "form"
    return None


def check_file_name(file_name: str) -> str:
    """The kind of a file name a process owner typed; a 422 that says what to fix otherwise."""
    if not file_name or not _FILE_NAME.match(file_name) or ".." in file_name:
        raise Unprocessable(
            "A file name has letters, digits, '.', '_', '-' or spaces, and no folders.",
            errors={"file_name": ["invalid"]},
        )
    kind = studio_kind(file_name)
    if kind is None:
        raise Unprocessable(
            "Use a file name ending in .bpmn, .dmn, .form or .test.json.", errors={"file_name": ["unknown file type"]}
        )
    return kind


def test_stem(file_name: str) -> str:
    lower = file_name.lower()
    for suffix in TEST_SUFFIXES:
        if lower.endswith(suffix):
            return file_name[: -len(suffix)]
    return file_name


def bpmn_stem(file_name: str) -> str:
    for suffix in (".bpmn20.xml", ".bpmn"):
        if file_name.lower().endswith(suffix):
            return file_name[: -len(suffix)]
    return file_name


@dataclass
class WorkspaceFile:
    file_name: str
    kind: str
    content: str
    deployed: DefinitionFile | None = None
    draft: StudioFile | None = None

    @property
    def is_draft(self) -> bool:
        return self.draft is not None and self.kind != "test"

    @property
    def changed(self) -> bool:
        """A draft whose text differs from what is deployed (a new file counts as changed)."""
        if not self.is_draft:
            return False
        return self.deployed is None or self.deployed.content != self.draft.content


def workspace(overrides: dict | None = None) -> dict[str, WorkspaceFile]:
    """{file name: WorkspaceFile}: deployed, then drafts, then `overrides` ({file name: text}, unsaved)."""
    files: dict[str, WorkspaceFile] = {}
    for row in latest_files():
        files[row.file_name] = WorkspaceFile(row.file_name, row.kind, row.content, deployed=row)
    for draft in db.session.scalars(sa.select(StudioFile)):
        current = files.get(draft.file_name)
        if current is None:
            files[draft.file_name] = WorkspaceFile(draft.file_name, draft.kind, draft.content, draft=draft)
        else:
            current.content, current.draft = draft.content, draft
    for name, content in (overrides or {}).items():
        kind = check_file_name(name)
        if name in files:
            files[name].content = content
        else:
            files[name] = WorkspaceFile(name, kind, content)
    return files


def get_file(file_name: str) -> WorkspaceFile:
    found = workspace().get(file_name)
    if found is None:
        raise NotFound(f"No file '{file_name}' in the studio.")
    return found


def save_draft(file_name: str, content: str, actor_name: str) -> StudioFile | None:
    """Store an edit. Saving the deployed text again drops the draft (nothing left to deploy)."""
    kind = check_file_name(file_name)
    if "\x00" in content:
        raise Unprocessable("The file contains a NUL character; save it as UTF-8 text.")
    deployed = next((f for f in latest_files() if f.file_name == file_name), None)
    if deployed is not None and deployed.kind != kind:
        raise Unprocessable(f"'{file_name}' is deployed as a {deployed.kind} file.")
    draft = db.session.scalar(sa.select(StudioFile).where(StudioFile.file_name == file_name))
    if kind != "test" and deployed is not None and deployed.content == content:
        if draft is not None:
            db.session.delete(draft)
        db.session.commit()
        return None
    if draft is None:
        draft = StudioFile(file_name=file_name, kind=kind, content=content, updated_by=actor_name)
        db.session.add(draft)
    draft.content, draft.updated_by, draft.updated_at = content, actor_name, utcnow()
    draft.base_file_id = deployed.id if deployed is not None else None
    db.session.commit()
    return draft


def import_tests(texts: dict, actor_name: str) -> list[dict]:
    """Scenario tests from a checkout ({file name: text}, e.g. `processes/*.test.json` deployed with
    `flask deploy`) into the workspace, where they gate every deployment from the studio. A test file of
    the same name is replaced by the checkout's text; the answer says per file: added, updated, unchanged."""
    outcome = []
    for file_name, content in sorted(texts.items()):
        if check_file_name(file_name) != "test":
            raise Unprocessable(f"'{file_name}' is not a scenario test file.", errors={"file_name": ["not a test"]})
        current = db.session.scalar(sa.select(StudioFile).where(StudioFile.file_name == file_name))
        if current is not None and current.content == content:
            outcome.append({"file_name": file_name, "status": "unchanged"})
            continue
        save_draft(file_name, content, actor_name)
        outcome.append({"file_name": file_name, "status": "added" if current is None else "updated"})
    return outcome


def discard_draft(file_name: str) -> None:
    draft = db.session.scalar(sa.select(StudioFile).where(StudioFile.file_name == file_name))
    if draft is None:
        raise NotFound(f"No draft or test file '{file_name}' in the studio.")
    db.session.delete(draft)
    db.session.commit()


def drop_deployed_drafts(file_names) -> None:
    """After a deployment: the drafts it took along are now the deployed files."""
    names = list(file_names)
    if names:
        db.session.execute(sa.delete(StudioFile).where(StudioFile.file_name.in_(names), StudioFile.kind != "test"))
        db.session.commit()
