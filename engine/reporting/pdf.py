"""The final report of an evaluation as a PDF: the report page's HTML (`_report_body.html`) rendered by
WeasyPrint (pango underneath), with the app's stylesheet and a few rules for A4 paper.

Rendered with the app's Jinja environment directly rather than `render_template`: the web pages' context
(the signed-in user, the language from the session) does not exist in every step that completes a case, and
the PDF is Dutch, the language of the ministry's files, whoever completes the decision.
"""

from __future__ import annotations

import re
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from .presentation import sections

_STYLESHEET = Path(__file__).resolve().parent.parent / "web" / "static" / "css" / "app.css"
_PAPER = """
@page { size: A4; margin: 18mm 15mm; @bottom-right { content: counter(page) " / " counter(pages); font-size: 9pt; } }
body.report-pdf { font-size: 10pt; background: #fff; }
.report-pdf .report-figure { display: block; }
.report-pdf .report-chart { max-width: 100%; margin-top: 4mm; }
.report-pdf .table-wrap { overflow: visible; }
.report-pdf table { border-collapse: collapse; }
.report-pdf th, .report-pdf td { padding: 1mm 2mm; border-bottom: 0.5pt solid #ccc; }
.report-pdf .visually-hidden { display: none; }
.report-pdf .facts div { display: flex; gap: 4mm; }
.report-pdf .facts dt { font-weight: bold; min-width: 45mm; }
.report-pdf .facts dd { margin: 0; }
"""
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _choices() -> dict:
    return {
        "structureel": _("Make structural"),
        "voorlopig_voortzetten": _("Continue provisionally"),
        "stoppen": _("Stop"),
    }


def outcome_lines(variables: dict) -> list[tuple[str, str]]:
    """The recommendation, the decision and its date, as the forms' codes allow them: any other value (and
    every free-text field: the assessment, the reasons, the reference) stays out of the PDF."""
    choices, lines = _choices(), []
    for key, label in (("recommendation", _("Recommendation")), ("vangnet_decision", _("Decision"))):
        if variables.get(key) in choices:
            lines.append((label, choices[variables[key]]))
    day = str(variables.get("decision_date") or "")[:10]
    if _DAY.match(day):
        lines.append((_("Date of the decision"), day))
    return lines


def render_pdf(figures: dict, variables: dict) -> bytes:
    from weasyprint import CSS, HTML  # loads pango: only where a PDF is made

    with force_locale("nl"):
        html = current_app.jinja_env.get_template("report_pdf.html").render(
            figures=figures,
            years=[str(y) for y in figures["years"]],
            sections=sections(figures),
            level=2,
            outcome=outcome_lines(variables),
        )
    return HTML(string=html).write_pdf(stylesheets=[CSS(filename=str(_STYLESHEET)), CSS(string=_PAPER)])
