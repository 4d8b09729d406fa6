"""Every diagram imports in bpmn-js: processes/ and the test fixtures without a single warning, the BPMN MIWG
reference diagrams without errors (their warnings are recorded in test-artifacts/diagrams/, not failures)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.api import FIXTURES, PROJECT
from tests.support.conformance import miwg_files
from tools.render_diagrams import DiagramRenderer

OWN = sorted((PROJECT / "processes").glob("*.bpmn")) + sorted(FIXTURES.glob("*/*.bpmn"))


MIWG = miwg_files()
REPORT = PROJECT / "test-artifacts" / "diagrams"


@pytest.fixture(scope="module")
def renderer(browser):
    with DiagramRenderer(browser) as rendering:
        yield rendering


@pytest.fixture(scope="module")
def miwg_report():
    warnings: dict = {}
    yield warnings
    REPORT.mkdir(parents=True, exist_ok=True)
    (REPORT / "miwg-warnings.json").write_text(json.dumps(warnings, indent=2, ensure_ascii=False))


def _name(path: Path) -> str:
    return str(path.relative_to(PROJECT)) if path.is_relative_to(PROJECT) else path.name


@pytest.mark.parametrize("path", OWN, ids=_name)
def test_own_diagram_imports_without_warnings(renderer, path):
    result = renderer.render(path)
    assert result.error is None, result.error
    assert result.warnings == []
    assert result.svg.startswith("<?xml") and "<svg" in result.svg
    REPORT.mkdir(parents=True, exist_ok=True)
    (REPORT / f"{path.stem}.svg").write_text(result.svg)


@pytest.mark.skipif(not MIWG, reason="the BPMN MIWG reference diagrams (shared/conformance/) are not on this machine")
@pytest.mark.parametrize("path", MIWG, ids=lambda p: p.name)
def test_miwg_reference_diagram_imports_without_errors(renderer, miwg_report, path):
    result = renderer.render(path)
    assert result.error is None, result.error
    assert not result.laid_out, "reference diagrams carry their own layout"
    assert "<svg" in result.svg
    miwg_report[path.name] = result.warnings  # known bpmn-js import warnings: recorded, not failures


def test_a_broken_diagram_is_reported_as_an_error(renderer, tmp_path):
    broken = tmp_path / "broken.bpmn"
    broken.write_text("<bpmn:definitions xmlns:bpmn='http://www.omg.org/spec/BPMN/20100524/MODEL'><bpmn:process")
    result = renderer.render(broken)
    assert result.error and result.svg is None


def test_the_command_writes_one_svg_per_file_and_fails_on_errors(browser, tmp_path):
    import subprocess
    import sys

    out = tmp_path / "svg"
    done = subprocess.run(
        [sys.executable, "-m", "tools.render_diagrams", "--out", str(out), str(FIXTURES / "basic")],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "OK       " in done.stdout and (out / "simple_case.svg").read_text().count("<svg") >= 1
    broken = tmp_path / "broken.bpmn"
    broken.write_text("<bpmn:definitions xmlns:bpmn='http://www.omg.org/spec/BPMN/20100524/MODEL'>")
    failed = subprocess.run(
        [sys.executable, "-m", "tools.render_diagrams", str(broken)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert failed.returncode == 1 and "ERROR" in failed.stdout
