"""The yearly report as CSV and XLSX: one line per figure, one column per year, the same cells as the JSON
(disclosure control included: "< 5" and "x" stay text)."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def lines(report: dict) -> list[list]:
    """The report as lines: a header, then table, figure, kind and a value per year."""
    years = [str(y) for y in report["years"]]
    out = [["table", "figure", "kind", *years]]
    for table in report["tables"]:
        for row in table["rows"]:
            out.append([table["id"], row["key"], row["kind"], *(_cell(row["values"][y]) for y in years)])
    return out


def history_lines(report: dict) -> list[list]:
    history = report["art124_history"]
    out = [["period", "registrations", "om_decisions"]]
    for period in history["periods"]:
        decisions = ", ".join(f"{code}: {n}" for code, n in sorted(period["om_decisions"].items()))
        out.append([period["period"], period["registrations"], decisions])
    out.append(["total", history["total"], ""])
    out.append(["source", history["source"], ""])
    return out


def _cell(value):
    return "" if value is None else value


def as_csv(report: dict) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(lines(report))
    writer.writerow([])
    writer.writerow(["art124_history"])
    writer.writerows(history_lines(report))
    return buffer.getvalue()


def as_xlsx(report: dict) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = f"Vangnet {report['year']}"
    for line in lines(report):
        sheet.append(line)
    history = book.create_sheet("Art. 124 1992-2016")
    for line in history_lines(report):
        history.append(line)
    for each in (sheet, history):
        for cell in each[1]:
            cell.font = Font(bold=True)
        each.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
