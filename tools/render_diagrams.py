"""Render BPMN diagrams with bpmn-js in headless Chromium: report import warnings and errors, write SVGs.

    python -m tools.render_diagrams [--out DIR] [--strict] PATH...     (files or folders of *.bpmn)

Uses the same viewer bundle as the web app (engine/web/static/dist/render.js, built by `make frontend`) and
Debian's Chromium (/usr/bin/chromium). A diagram without layout (no BPMNDiagram) is laid out first with
bpmn-auto-layout, as the case page does. Exit status 1 when a file fails to import (or, with --strict,
when it imports with warnings).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
BUNDLE = PROJECT / "engine" / "web" / "static" / "dist" / "render.js"
STYLES = PROJECT / "engine" / "web" / "static" / "dist" / "render.css"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
]
PAGE = """<!doctype html><html><head><meta charset="utf-8"><style>{css}</style></head>
<body><div id="canvas" style="width:1600px;height:1000px"></div></body></html>"""


@dataclass
class RenderResult:
    path: Path
    error: str | None
    warnings: list = field(default_factory=list)
    laid_out: bool = False
    svg: str | None = None


class DiagramRenderer:
    """One Chromium page with the bpmn-js viewer; `render(path)` imports one file into a fresh viewer."""

    def __init__(self, browser=None):
        if not BUNDLE.exists():
            raise SystemExit(f"{BUNDLE.relative_to(PROJECT)} is missing: run `make frontend` first.")
        self._own = None
        self._browser = browser
        self._page = None

    def __enter__(self):
        if self._browser is None:
            from playwright.sync_api import sync_playwright

            self._own = sync_playwright().start()
            self._browser = self._own.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        self._page = self._browser.new_page()
        self._page.set_content(PAGE.format(css=STYLES.read_text() if STYLES.exists() else ""))
        self._page.add_script_tag(content=BUNDLE.read_text())
        self._page.wait_for_function("window.vbRenderReady === true")
        return self

    def __exit__(self, *exc):
        self._page.close()
        if self._own is not None:
            self._browser.close()
            self._own.stop()

    def render(self, path: Path) -> RenderResult:
        data = Path(path).read_bytes()
        try:
            xml = data.decode("utf-8-sig")
        except UnicodeDecodeError:  # an ISO-8859-1 file (some modelers still write them)
            xml = data.decode("latin-1")
        result = self._page.evaluate("xml => window.vbRender(xml)", xml)
        return RenderResult(Path(path), result["error"], result["warnings"], result["laidOut"], result["svg"])


def bpmn_files(paths) -> list[Path]:
    files = []
    for path in map(Path, paths):
        files.extend(sorted(path.glob("*.bpmn")) if path.is_dir() else [path])
    return files


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", help="BPMN files or folders")
    parser.add_argument("--out", type=Path, help="write <file stem>.svg here")
    parser.add_argument("--strict", action="store_true", help="treat import warnings as failures")
    args = parser.parse_args(argv)
    files = bpmn_files(p for p in args.paths if Path(p).exists())
    if not files:
        print("No BPMN files found in: " + ", ".join(args.paths))
        return 0
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
    failed = 0
    with DiagramRenderer() as renderer:
        for path in files:
            result = renderer.render(path)
            if result.error:
                failed += 1
                print(f"ERROR    {path}: {result.error}")
            else:
                note = " (laid out automatically: the file has no diagram layout)" if result.laid_out else ""
                print(f"{'WARN' if result.warnings else 'OK':8} {path}: {len(result.warnings)} warnings{note}")
                if args.strict and result.warnings:
                    failed += 1
                if args.out:
                    (args.out / f"{path.stem}.svg").write_text(result.svg, encoding="utf-8")
            for warning in result.warnings:
                print(f"         - {warning}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
