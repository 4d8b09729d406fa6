"""Where the BPMN MIWG reference diagrams are: `VB_MIWG_DIR`, else `shared/` beside the repository (or beside
the folder holding it), else this machine's /work/shared."""

from __future__ import annotations

import os
from pathlib import Path

from tests.support.api import PROJECT

_CANDIDATES = (PROJECT.parent / "shared", PROJECT.parent.parent / "shared", Path("/work/shared"))


def miwg_folder() -> Path | None:
    if os.environ.get("VB_MIWG_DIR"):
        return Path(os.environ["VB_MIWG_DIR"])
    for root in _CANDIDATES:
        folder = root / "conformance" / "bpmn-miwg-reference"
        if folder.is_dir():
            return folder
    return None


def miwg_files() -> list[Path]:
    folder = miwg_folder()
    return sorted(folder.glob("*.bpmn")) if folder and folder.is_dir() else []
