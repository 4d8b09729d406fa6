"""`GET /api/v1/reports/vangnet/{year}`: the yearly report as JSON, CSV or XLSX (BZK, beheerder)."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from ..core.apidoc import Blueprint
from ..core.errors import Forbidden, NotFound
from ..access import policy
from ..identity.auth import current_actor, protect
from ..core.schemas import AUTH, ApiErrorSchema
from ..reporting import exports
from ..reporting.figures import report
from ..reporting.vangnet import FIRST_YEAR, LAST_YEAR

blp = Blueprint(
    "reports",
    __name__,
    url_prefix="/api/v1/reports",
    description="Reports: pseudonymised yearly figures with disclosure control (BZK, beheerder)",
)
protect(blp)

CELL = {
    "description": 'A number, "< 5" (1 to 4 cases) or "x" (hidden so that a "< 5" cannot be derived); '
    "null where there is nothing to measure"
}


class ReportArgsSchema(Schema):
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv", "xlsx"]))


class ReportRowSchema(Schema):
    key = fields.String(metadata={"description": "The figure: a code of the form's options or a measure name"})
    kind = fields.String(
        validate=validate.OneOf(["count", "amount", "days", "hours"]),
        metadata={"description": "What the cells are: counts, amounts (EUR), or a lead time in days or in hours"},
    )
    values = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(allow_none=True, metadata=CELL),
        metadata={"description": "Year -> cell"},
    )


class ReportTableSchema(Schema):
    id = fields.String()
    rows = fields.List(fields.Nested(ReportRowSchema))


class DisclosureSchema(Schema):
    threshold = fields.Integer()
    small = fields.String()
    hidden = fields.String()


class HistoryPeriodSchema(Schema):
    period = fields.String()
    from_ = fields.String(
        data_key="from", attribute="from", metadata={"description": "First day of the period (ISO date)"}
    )
    to = fields.String(metadata={"description": "Last day of the period (ISO date)"})
    registrations = fields.Integer()
    om_decisions = fields.Dict(keys=fields.String(), values=fields.Integer())
    states = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "The registrations per state (engine/reporting/derive.py REGISTRATION_STATES)"},
    )


class RecountedPeriodSchema(Schema):
    period = fields.String()
    registrations = fields.Raw(metadata=CELL)
    states = fields.Dict(keys=fields.String(), values=fields.Raw(metadata=CELL))


class HistorySchema(Schema):
    source = fields.String()
    as_of = fields.String()
    total = fields.Integer()
    periods = fields.List(fields.Nested(HistoryPeriodSchema))
    notes = fields.String()
    from_registrations = fields.List(
        fields.Nested(RecountedPeriodSchema),
        metadata={
            "description": "The same periods counted from the art. 124 Sr registrations in this system, by the OM's "
            "registration date, under disclosure control"
        },
    )


class VangnetReportSchema(Schema):
    year = fields.Integer()
    years = fields.List(fields.Integer(), metadata={"description": "The year and the previous years, oldest first"})
    computed_at = fields.String()
    disclosure = fields.Nested(DisclosureSchema)
    tables = fields.List(fields.Nested(ReportTableSchema))
    art124_history = fields.Nested(
        HistorySchema,
        metadata={"description": "The art. 124 Sr registrations 1992 - April 2016 as the minister reported them"},
    )


_EXPORTS = {
    "200": {
        "description": "The report: JSON, or with format=csv / format=xlsx the same cells as a file",
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/VangnetReport"}},
            "text/csv": {"schema": {"type": "string"}},
            exports.XLSX: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


@blp.route("/vangnet/<int:year>")
class VangnetReport(MethodView):
    @blp.doc(security=AUTH, responses=_EXPORTS)
    @blp.arguments(ReportArgsSchema, location="query")
    @blp.response(200, VangnetReportSchema)
    @blp.alt_response(403, schema=ApiErrorSchema, description="Only BZK and the administrator read the reports")
    @blp.alt_response(404, schema=ApiErrorSchema, description="A year outside 2000 - 2100")
    def get(self, args, year):
        """(bzk, beheerder) The figures of the year beside the previous four years': `format=csv` or `xlsx`
        downloads the same cells."""
        if not policy.can_read_reports(current_actor()):
            raise Forbidden("Only BZK and the administrator (roles bzk, beheerder) read the reports.")
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise NotFound(f"There is no report for {year}: years lie between {FIRST_YEAR} and {LAST_YEAR}.")
        figures = report(year)
        name = f"vangnet-{year}"
        if args["format"] == "csv":
            return Response(
                exports.as_csv(figures),
                mimetype="text/csv",
                headers={"Content-Disposition": f"attachment; filename={name}.csv"},
            )
        if args["format"] == "xlsx":
            return Response(
                exports.as_xlsx(figures),
                mimetype=exports.XLSX,
                headers={"Content-Disposition": f"attachment; filename={name}.xlsx", "Cache-Control": "no-store"},
            )
        return figures
