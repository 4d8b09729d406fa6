"""What the studio's checks cost, against the deployment's own analysis measured in the same run.

    .venv/bin/python -m benchmarks.studio [--rounds 20]

Workspace: the studio fixture (tests/studio/fixtures/studio_case: two diagrams, a decision table, three forms,
two scenarios) deployed into a temporary SQLite file, plus the 21 BPMN MIWG reference diagrams as drafts for
the layout carry-over.
Baseline: `engine.definitions.validation.analyse` on the same files (what every deployment already runs).
Measured: the studio's validation (workspace read from the database, analysis, unreachable elements,
message routes), one scenario run of the whole test file, and the layout carry-over on a no-change save.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
FIXTURE = PROJECT / "tests" / "studio" / "fixtures" / "studio_case"
MIWG = Path(os.environ.get("VB_MIWG_DIR", PROJECT.parent / "shared" / "conformance" / "bpmn-miwg-reference"))
if not MIWG.is_dir():
    MIWG = PROJECT.parent.parent / "shared" / "conformance" / "bpmn-miwg-reference"


def timed(action, rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    rounds = parser.parse_args().rounds
    from engine import create_app
    from engine.crypto.keyring import new_key_text
    from engine.app.cli import collect_files
    from engine.definitions.service import deploy
    from engine.definitions.validation import SourceFile, analyse
    from engine.studio import checks, layout, scenarios, workspace

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3",
                "VB_AUTO_MIGRATE": True,
                "VB_MASTER_KEY": new_key_text(),
            }
        )
        with app.app_context():
            deploy(collect_files([FIXTURE]), "bench", source="bench")
            test_file = next(FIXTURE.glob("*.test.json"))
            workspace.save_draft(test_file.name, test_file.read_text(), "bench")
            files = workspace.workspace()
            sources = [(f.file_name, f.content) for f in files.values() if f.kind != "test"]

            baseline = timed(lambda: analyse([SourceFile(n, c, uploaded=True) for n, c in sources]), rounds)
            studio = timed(lambda: checks.validate_workspace(workspace.workspace()), rounds)
            scenario = timed(lambda: scenarios.run_workspace_tests(workspace.workspace()), rounds)
            print(f"deployment analysis (baseline): {baseline:8.2f} ms")
            print(f"studio validation:              {studio:8.2f} ms  ({studio / baseline:.2f}x baseline)")
            print(f"scenario run (2 scenarios):     {scenario:8.2f} ms  ({scenario / baseline:.2f}x baseline)")
            if MIWG.is_dir():
                texts = [p.read_text(encoding="utf-8") for p in sorted(MIWG.glob("*.bpmn"))]
                carry = timed(lambda: [layout.keep_layout(t, t) for t in texts], max(3, rounds // 4))
                print(
                    f"layout carry-over, {len(texts)} MIWG files: {carry:8.2f} ms ({carry / len(texts):.2f} ms a file)"
                )


if __name__ == "__main__":
    main()
