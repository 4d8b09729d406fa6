"""The yearly report page `/reports/vangnet?year=` and its downloads (BZK, beheerder): the figures of the
year beside the previous years', each table with its chart; the same cells as the API."""
from __future__ import annotations

from flask import Response, abort, render_template, request

from ...identity import policy
from ...reporting import exports
from ...reporting.figures import report
from ...reporting.vangnet import FIRST_YEAR, LAST_YEAR
from ...timeutil import utcnow
from ..blueprint import bp
from ..i18n import _, format_decimal
from ..report_chart import bar_chart
from ...identity.auth import current_actor
from ..session_auth import login_required

NO_CHART = {"by_municipality"}  # hundreds of groups: the table says it better


def _titles() -> dict:
    return {
        "cases": _("Reports received"), "reports_per_month": _("Reports per month"),
        "by_municipality": _("Reports per municipality"), "by_office_holder_role": _("By office held"),
        "by_incident_category": _("By kind of incident"), "aangifte": _("Criminal complaint (aangifte)"),
        "by_filing_method": _("How the aangifte was filed"), "threat_levels": _("Threat levels"),
        "measures": _("Security measures advised"), "advised_measures": _("Measures advised, by measure"),
        "costs": _("Cost decisions"), "costs_borne_by": _("Who bears the costs"),
        "vangnet_checks": _("Vangnet checks"), "first_failing_condition": _("First condition not met"),
        "compensation": _("Applications to BZK"), "compensation_decisions": _("BZK decisions"),
        "psychosocial": _("Psychosocial support"), "lead_times_days": _("Lead times (days)"),
        "art124": _("Disruptions of local democracy"), "art124_om_decisions": _("OM decisions on art. 124 Sr"),
        "disruptions_by_article": _("Disruptions by article of the Criminal Code"),
        "art124_by_state": _("Art. 124 Sr registrations by state"),
    }


def _figure_labels() -> dict:
    return {
        "reported": _("reported"), "closed": _("closed"), "acute_danger": _("acute danger"),
        "registered": _("aangifte registered"), "registered_in_time": _("registered within two working days"),
        "report_only": _("report only, no aangifte"), "measures_advised": _("measures advised"),
        "cost_decisions": _("cost decisions"), "estimated_total": _("estimated costs (EUR)"),
        "estimated_total_municipality": _("of which borne by the municipality (EUR)"),
        "checked": _("checked"), "eligible": _("eligible"), "burden_judged": _("burden judged by BZK"),
        "requested": _("applications"), "decided": _("decided"), "granted": _("granted (in full or in part)"),
        "requested_amount": _("amount requested (EUR)"), "granted_amount": _("amount granted (EUR)"),
        "ivp_referred": _("referred to the IVP"), "first_contact_in_time": _("first contact within the hour"),
        "escalated": _("first contact escalated"), "vertrouwenslijn_referred": _("referred to the Vertrouwenslijn"),
        "report_to_closure_median": _("report to closure, median"),
        "report_to_closure_p90": _("report to closure, 90th percentile"),
        "application_to_decision_median": _("application to decision, median"),
        "application_to_decision_p90": _("application to decision, 90th percentile"),
        "registrations": _("registrations"), "art124": _("of which art. 124 Sr"),
    }


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
    titles, labels = _titles(), _figure_labels()
    sections = []
    for table in figures["tables"]:
        rows = [(labels.get(row["key"], row["key"]), row) for row in table["rows"]]
        charts = []
        if table["id"] not in NO_CHART and rows:
            for kind in dict.fromkeys(row["kind"] for _label, row in rows):
                chart_rows = [(label, row["values"]) for label, row in rows if row["kind"] == kind]
                chart_id = f"chart-{table['id']}-{kind}"
                charts.append(bar_chart(chart_id, _("%(title)s: chart of the table", title=titles[table["id"]]),
                                        chart_rows, years))
        sections.append({"id": table["id"], "title": titles[table["id"]], "rows": rows, "charts": charts})
    return render_template("report.html", figures=figures, years=years, sections=sections)


@bp.get("/reports/vangnet.<fmt>")
@login_required
def vangnet_report_download(fmt):
    _allowed()
    if fmt not in ("csv", "xlsx"):
        abort(404)
    year = _year()
    figures = report(year)
    if fmt == "csv":
        return Response(exports.as_csv(figures), mimetype="text/csv",
                        headers={"Content-Disposition": f"attachment; filename=vangnet-{year}.csv"})
    return Response(exports.as_xlsx(figures), mimetype=exports.XLSX,
                    headers={"Content-Disposition": f"attachment; filename=vangnet-{year}.xlsx"})


@bp.app_template_filter("cell")
def _cell(value):
    """A report cell in the page's language: a number formatted, a mark ("< 5", "x") as it is, none as a dash."""
    if value is None:
        return "–"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_decimal(value, format="#,##0.##")
    return value
