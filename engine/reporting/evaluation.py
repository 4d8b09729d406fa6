"""The evaluation of the vangnet: when the schedule runs it, the figures it keeps, the PDF it ends with.

- The schedule is a setting, not a date in the diagram: `VB_EVALUATION_FIRST_YEAR` (the first year evaluated,
  2016 as the letter of 20 April 2016 meant), `VB_EVALUATION_PERIOD` (every how many years, `P1Y`) and
  `VB_EVALUATION_RUN_ON` (the day and time in the year after, `01-15T09:00`: after the year, when its
  December is in the figures). The timer start event's cycle is `evaluation_schedule()`; its case evaluates
  the year before the occurrence.
- The figures at the moment of assessment are the yearly report of the year, as the report page shows it
  (disclosure control included), kept in the case's variable `vangnet_report` (`vangnet_report_snapshot`): a
  later case of that year changes the report, not the snapshot.
- When the case completes, `EvaluationReport` renders that snapshot with the decision as a PDF and files it as
  a document of the case (category `evaluatie`, read by BZK and the administrator), in the same step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import current_app, has_app_context

from ..documents.categories import EVALUATION
from ..documents.service import generated_document, insert_generated
from ..instances.contributors import StepContributor
from ..instances.models import COMPLETED
from .figures import report
from .pdf import render_pdf
from .vangnet import FIRST_YEAR, LAST_YEAR

PROCESS_ID = "vangnet_evaluation"
SNAPSHOT = "vangnet_report"
PDF = "application/pdf"
_RUN_ON = re.compile(r"^(\d{2})-(\d{2})T(\d{2}):(\d{2})$")
_PERIOD = re.compile(r"^P([1-9]\d?)Y$")
_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # 29 February is not every year's


@dataclass(frozen=True)
class EvaluationSettings:
    first_year: int = 2016
    period_years: int = 1
    month: int = 1
    day: int = 15
    hour: int = 9
    minute: int = 0

    @classmethod
    def from_config(cls, config) -> EvaluationSettings:
        """The settings of `config` (engine/core/config.py), or a ValueError naming the setting and what it takes."""
        first = config.get("VB_EVALUATION_FIRST_YEAR", cls.first_year)
        try:
            first = int(first)
        except (TypeError, ValueError):
            first = None
        if first is None or not FIRST_YEAR <= first < LAST_YEAR:
            raise ValueError(
                f"VB_EVALUATION_FIRST_YEAR must be a year from {FIRST_YEAR} to {LAST_YEAR - 1}, such as 2016."
            )
        period = _PERIOD.match(str(config.get("VB_EVALUATION_PERIOD", "P1Y")).strip())
        if not period:
            raise ValueError("VB_EVALUATION_PERIOD must be a number of whole years, such as P1Y.")
        run_on = _RUN_ON.match(str(config.get("VB_EVALUATION_RUN_ON", "01-15T09:00")).strip())
        month, day, hour, minute = (int(part) for part in run_on.groups()) if run_on else (0, 0, 0, 0)
        if not (run_on and 1 <= month <= 12 and 1 <= day <= _DAYS_IN_MONTH[month - 1] and hour < 24 and minute < 60):
            raise ValueError(
                "VB_EVALUATION_RUN_ON must be a day and time of the year after the one evaluated, "
                "as MM-DDTHH:MM, such as 01-15T09:00."
            )
        return cls(first, int(period.group(1)), month, day, hour, minute)

    def cycle(self) -> str:
        """The timer start event's cycle: the first run after the first year, then every period."""
        return (
            f"R/{self.first_year + 1:04d}-{self.month:02d}-{self.day:02d}T{self.hour:02d}:{self.minute:02d}:00"
            f"/P{self.period_years}Y"
        )


def settings() -> EvaluationSettings:
    return EvaluationSettings.from_config(current_app.config) if has_app_context() else EvaluationSettings()


def evaluation_schedule() -> str:
    """The cycle of the evaluation's timer start event, from the settings (e.g. R/2017-01-15T09:00:00/P1Y)."""
    return settings().cycle()


def vangnet_report_snapshot(year) -> dict:
    """The yearly report of `year` as the report page shows it now, to keep with an evaluation case."""
    return report(year)


def snapshot_of(variables: dict) -> dict | None:
    """The report an evaluation case kept, when it kept one (a case of the first version did not)."""
    figures = variables.get(SNAPSHOT)
    if isinstance(figures, dict) and isinstance(figures.get("tables"), list) and figures.get("years"):
        return figures
    return None


class EvaluationReport(StepContributor):
    """The final report of an evaluation as a PDF document of the case, written in the step that completes it."""

    name = "evaluation_report"

    def plan(self, session, snapshot, now):
        case = session.case
        if case.process_id != PROCESS_ID or case.status != COMPLETED:
            return None
        figures = snapshot_of(snapshot.variables)
        if figures is None:
            return None
        return {"figures": figures, "variables": snapshot.variables}

    def prepare(self, session, plan, events, connection):
        if plan is None:
            return None
        year = plan["figures"]["year"]
        data = render_pdf(plan["figures"], plan["variables"])
        return generated_document(
            session.case.id,
            data,
            f"vangnet-evaluatie-{year}.pdf",
            f"Eindrapport evaluatie vangnet {year} / Final report {year}",
            EVALUATION,
            session.actor.username,
            PDF,
        )

    def write(self, writer, session, plan) -> None:
        if plan is None:
            return
        insert_generated(writer.connection, plan)
