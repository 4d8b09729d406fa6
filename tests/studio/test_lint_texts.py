"""bpmnlint in the studio speaks Dutch on a Dutch page: every message of every rule the BPMN editor enables
(frontend/src/studio/lint-config.js) and every text of the lint overlay has a Dutch text in the editor's
table (frontend/src/studio/nl/bpmnlint.js), asked through the studio's own translator (i18n.js) as the
overlay and the problems list ask it. The messages are read from the rules' sources (lint_texts.py), so a
rule or message that a newer bpmnlint adds fails here until it is translated.

And the processes the project ships lint clean with the same rules, except the findings listed here."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.studio.lint_texts import rule_messages, texts_of_calls
from tests.support.api import PROJECT

FRONTEND = PROJECT / "frontend"
SCRIPT = Path(__file__).with_name("lint_texts.cjs")
OVERLAY = FRONTEND / "node_modules" / "bpmn-js-bpmnlint" / "dist" / "index.esm.js"

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or not OVERLAY.exists(),
    reason="needs Node and the front end's packages (make frontend)",
)

# What bpmnlint still finds in a shipped process: the BZK compensation ends on one end event from two paths
# and decides on the settlement in the gateway that joins the two objection outcomes.
KNOWN_FINDINGS = {
    "bzk_compensation.bpmn": [("compensation_closed", "fake-join"), ("settlement_gateway", "no-gateway-join-fork")],
}


def _node(*args: str, stdin: str | None = None):
    done = subprocess.run(
        ["node", str(SCRIPT), *args], input=stdin, capture_output=True, text=True, timeout=120, cwd=PROJECT
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _sample(template: str) -> tuple[str, dict]:
    """The text as bpmnlint shows it, a run-time value filled in, and the values that were filled in."""
    values = {name: f"Koppeling_{i}" for i, name in enumerate(re.findall(r"{(\w+)}", template))}
    return re.sub(r"{(\w+)}", lambda m: values[m.group(1)], template), values


def _dutch(texts: list[tuple[str, dict]]) -> tuple[list[str], list[str]]:
    answer = _node("translate", stdin=json.dumps(texts))
    return answer["texts"], answer["missing"]


@pytest.fixture(scope="module")
def rules() -> list[dict]:
    return _node("rules")


def test_the_editor_enables_bpmnlints_recommended_rules(rules):
    recommended = subprocess.run(
        ["node", "-e", "console.log(JSON.stringify(require('bpmnlint/config/recommended').rules))"],
        capture_output=True,
        text=True,
        check=True,
        cwd=FRONTEND,
    )
    assert {r["name"]: r["severity"] for r in rules} == json.loads(recommended.stdout)
    assert len(rules) >= 20


def test_every_message_of_every_enabled_rule_has_a_dutch_text(rules):
    asked, english = [], []
    for rule in rules:
        messages = rule_messages(Path(rule["file"]))
        assert messages, f"no message found in the rule {rule['name']}"
        for template in dict.fromkeys(messages):
            shown, values = _sample(template)
            asked.append((shown, {}))  # bpmnlint fills in the values itself
            english.append((rule["name"], shown, values))
    dutch, missing = _dutch(asked)
    assert missing == []
    for (rule, shown, values), text in zip(english, dutch):
        assert text != shown, f"{rule}: {shown!r} is not translated"
        assert all(value in text for value in values.values()), f"{rule}: {text!r} lost {values}"
        assert "{" not in text, text
    assert len(english) >= 35


def test_the_overlays_own_texts_have_dutch_texts():
    templates = texts_of_calls(OVERLAY.read_text(encoding="utf-8"), "this._translate", 0)
    assert "{errors} Errors, {warnings} Warnings" in templates and "No Issues" in templates
    dutch, missing = _dutch([(t, {"errors": "2", "warnings": "1", "infos": "0"}) for t in templates])
    assert missing == []
    assert dict(zip(templates, dutch))["{errors} Errors, {warnings} Warnings"] == "2 fouten, 1 waarschuwingen"
    assert all(text != template for template, text in zip(templates, dutch))


def test_the_shipped_processes_lint_clean_but_for_the_known_findings():
    files = sorted((PROJECT / "processes").glob("*.bpmn"))
    findings = _node("lint", *[str(f) for f in files])
    found = {Path(f).name: sorted((r["id"], r["rule"]) for r in reports) for f, reports in findings.items()}
    assert found.pop("threat_response.bpmn") == []
    for name, reports in found.items():
        assert reports == sorted(KNOWN_FINDINGS.get(name, [])), name
