"""The yearly report as people read it: a title per table, a label per figure, a chart per kind of cell.

One place for the report page, the snapshot an evaluation case keeps (its case page and tasks) and the PDF
attached to that case, so that the three show the same figures under the same words. Translated with the
web app's catalogs (flask_babel); nothing here reads a case.
"""

from __future__ import annotations

from flask_babel import gettext as _

from .charts import bar_chart

NO_CHART = {"by_municipality"}  # hundreds of groups: the table says it better


def titles() -> dict:
    return {
        "cases": _("Reports received"),
        "reports_per_month": _("Reports per month"),
        "by_municipality": _("Reports per municipality"),
        "by_office_holder_role": _("By office held"),
        "by_incident_category": _("By kind of incident"),
        "aangifte": _("Criminal complaint (aangifte)"),
        "by_filing_method": _("How the aangifte was filed"),
        "threat_levels": _("Threat levels"),
        "measures": _("Security measures advised"),
        "advised_measures": _("Measures advised, by measure"),
        "costs": _("Cost decisions"),
        "costs_borne_by": _("Who bears the costs"),
        "vangnet_checks": _("Vangnet checks"),
        "first_failing_condition": _("First condition not met"),
        "compensation": _("Applications to BZK (by application date) and decisions (by decision date)"),
        "compensation_decisions": _("BZK decisions (by decision date)"),
        "psychosocial": _("Psychosocial support"),
        "lead_times_days": _("Lead times (days)"),
        "lead_times_hours": _("Lead times (hours)"),
        "art124": _("Disruptions of local democracy"),
        "art124_om_decisions": _("OM decisions on art. 124 Sr"),
        "disruptions_by_article": _("Disruptions by article of the Criminal Code"),
        "art124_by_state": _("Art. 124 Sr registrations by state"),
    }


def figure_labels() -> dict:
    return {
        "reported": _("reported"),
        "closed": _("closed"),
        "acute_danger": _("acute danger"),
        "registered": _("aangifte registered"),
        "registered_in_time": _("registered within two working days"),
        "report_only": _("report only, no aangifte"),
        "measures_advised": _("measures advised"),
        "cost_decisions": _("cost decisions"),
        "estimated_total": _("estimated costs (EUR)"),
        "estimated_total_municipality": _("of which borne by the municipality (EUR)"),
        "checked": _("checked"),
        "eligible": _("eligible"),
        "burden_judged": _("burden judged by BZK"),
        "requested": _("applications"),
        "decided": _("decided"),
        "granted": _("granted (in full or in part)"),
        "requested_amount": _("amount requested (EUR)"),
        "granted_amount": _("amount granted (EUR)"),
        "paid_amount": _("amount paid on those grants (EUR)"),
        "ivp_referred": _("referred to the IVP"),
        "first_contact_in_time": _("first contact within the hour"),
        "escalated": _("first contact escalated"),
        "vertrouwenslijn_referred": _("referred to the Vertrouwenslijn"),
        "report_to_closure_median": _("report to closure, median"),
        "report_to_closure_p90": _("report to closure, 90th percentile"),
        "application_to_decision_median": _("application to decision, median"),
        "application_to_decision_p90": _("application to decision, 90th percentile"),
        "report_to_triage_median": _("report to triage, median"),
        "report_to_triage_p90": _("report to triage, 90th percentile"),
        "registrations": _("registrations"),
        "art124": _("of which art. 124 Sr"),
    }


def sections(figures: dict, charts: bool = True) -> list[dict]:
    """The report's tables in order, each with its title, labelled rows and (with `charts`) its SVG charts:
    one chart per kind of cell in the table (counts, amounts, days)."""
    years = [str(y) for y in figures["years"]]
    names, labels = titles(), figure_labels()
    result = []
    for table in figures["tables"]:
        title = names.get(table["id"], table["id"])
        rows = [(labels.get(row["key"], row["key"]), row) for row in table["rows"]]
        drawn = []
        if charts and table["id"] not in NO_CHART and rows:
            for kind in dict.fromkeys(row["kind"] for _label, row in rows):
                chart_rows = [(label, row["values"]) for label, row in rows if row["kind"] == kind]
                drawn.append(
                    bar_chart(
                        f"chart-{table['id']}-{kind}",
                        _("%(title)s: chart of the table", title=title),
                        chart_rows,
                        years,
                    )
                )
        result.append({"id": table["id"], "title": title, "rows": rows, "charts": drawn})
    return result
