"""The yearly report page `/reports/vangnet?year=` and its downloads (BZK, beheerder): the figures of the
year beside the previous years', each table with its chart; the same cells as the API."""

from __future__ import annotations

from flask import Response, abort, render_template, request

from ...access import policy
from ...reporting import exports
from ...reporting.figures import report
from ...reporting.presentation import sections
from ...reporting.vangnet import FIRST_YEAR, LAST_YEAR
from ...core.timeutil import utcnow
from ..blueprint import bp
from ..i18n import format_decimal
from ...identity.auth import current_actor
from ..session_auth import login_required


def _year() -> int:
    text = request.args.get("year") or str(utcnow().year)
    if not text.isdigit() or not FIRST_YEAR <= int(text) <= LAST_YEAR:
        abort(404)
    return int(text)


def _allowed():
    if not policy.can_read_reports(current_actor(sessions=True)):
        abort(404)


@bp.get("/reports/vangnet")
@login_required
def vangnet_report():
    _allowed()
    figures = report(_year())
    years = [str(y) for y in figures["years"]]
    return render_template("report.html", figures=figures, years=years, sections=sections(figures))


@bp.get("/reports/vangnet.<fmt>")
@login_required
def vangnet_report_download(fmt):
    _allowed()
    if fmt not in ("csv", "xlsx"):
        abort(404)
    year = _year()
    figures = report(year)
    if fmt == "csv":
        return Response(
            exports.as_csv(figures),
            mimetype="text/csv",
            headers={"Content-Disposition": f"attachment; filename=vangnet-{year}.csv"},
        )
    return Response(
        exports.as_xlsx(figures),
        mimetype=exports.XLSX,
        headers={"Content-Disposition": f"attachment; filename=vangnet-{year}.xlsx"},
    )


@bp.app_template_filter("cell")
def _cell(value):
    """A report cell in the page's language: a number formatted, a mark ("< 5", "x") as it is, none as a dash."""
    if value is None:
        return "–"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_decimal(value, format="#,##0.##")
    return value
