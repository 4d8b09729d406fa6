"""A year of walked cases in the report: the JSON, the CSV and the XLSX give the same cells, and they match a
count made here from the cases themselves (with the disclosure rule written out again independently)."""

import csv
import io
from collections import Counter
from datetime import datetime

import time_machine
from openpyxl import load_workbook

from tests.scenarios.flow import Team
from tests.scenarios.test_democratic_disruption import REPORT as DISRUPTION
from tests.scenarios.test_vangnet_evaluation import NL, OTHER_YEARS, YEAR, Spec, _drive
from tests.reporting.test_reports import deployed  # noqa: F401 (fixture)

EXTRA = [
    Spec("2025-02-10T10:00", role="raadslid", close_after_days=8),
    Spec("2025-11-03T10:00", role="raadslid", category="intimidatie", measures=(), close_after_days=9),
]
YEARS = ["2021", "2022", "2023", "2024", "2025"]


def shown(counts: Counter, keys=None, partition=True) -> dict:
    """The cells of one year as the report must show them: 1-4 as "< 5", and when a partition has exactly
    one such cell, its smallest other non-zero cell as "x"."""
    cells = {key: ("< 5" if 0 < n < 5 else n) for key, n in counts.items()}
    small = [k for k, v in cells.items() if v == "< 5"]
    others = sorted((k for k, v in cells.items() if v != "< 5" and v > 0), key=lambda k: cells[k])
    if partition and len(small) == 1 and others:
        cells[others[0]] = "x"
    return cells


def _json_cells(body) -> dict:
    return {(t["id"], row["key"]): row["values"] for t in body["tables"] for row in t["rows"]}


def _value(text):
    if text in ("< 5", "x", ""):
        return None if text == "" else text
    number = float(text)
    return int(number) if number.is_integer() and "." not in str(text) else number


def test_the_figures_of_a_walked_year_agree_everywhere(app, deployed, as_user):  # noqa: F811
    team = Team(as_user).login()
    cases = [_drive(team, spec) for spec in YEAR + EXTRA + OTHER_YEARS]
    with time_machine.travel(datetime(2025, 6, 2, 10, tzinfo=NL), tick=False):
        for decision in ("dagvaarding",) * 4 + ("strafbeschikking",) + ("dagvaarding",):
            case = team.politie.start("democratic_disruption_registration", dict(DISRUPTION, sr_articles=["124"]))
            team.do(
                team.om,
                case["id"],
                "om_register",
                {"parket_number": "05/780109-25", "suspects_count": 1, "om_registered_on": "2025-06-03"},
            )
            team.do(team.om, case["id"], "om_decision", {"om_decision": decision, "om_decision_date": "2025-06-20"})
            cases.append(case)
    mine = [team.admin.case(c["id"]) for c in cases]
    threat_2025 = [
        c["variables"]
        for c in mine
        if c["process_id"] == "threat_response" and datetime.fromisoformat(c["started_at"]).astimezone(NL).year == 2025
    ]
    assert len(threat_2025) == 11

    response = team.bzk.get("/api/v1/reports/vangnet/2025")
    assert response.status_code == 200
    body = response.get_json()
    cells = _json_cells(body)

    def column(table_id):
        return {key: values["2025"] for (tid, key), values in cells.items() if tid == table_id}

    assert column("cases") == {"reported": 11, "closed": 10, "acute_danger": "< 5"}
    for table_id, field in (
        ("by_office_holder_role", "office_holder_role"),
        ("by_incident_category", "incident_category"),
        ("by_filing_method", "filing_method"),
        ("threat_levels", "threat_level"),
    ):
        assert column(table_id) == shown(Counter(v[field] for v in threat_2025 if v.get(field))), table_id
    # the measures are sensitive (masked for the administrator): counted from the walk's own specification
    measures = Counter(m for spec in YEAR + EXTRA if spec.close for m in spec.measures)
    assert column("advised_measures") == shown(measures, partition=False)
    requested = [v for v in threat_2025 if v.get("compensation_requested")]
    # applications count in the year they were submitted, decisions in the year BZK recorded them: the case
    # reported on 31 December 2024 applied and was decided in January 2025
    threat = [c["variables"] for c in mine if c["process_id"] == "threat_response"]
    applied = [v for v in threat if v.get("application_submitted_at", "").startswith("2025-")]
    decided = [v for v in threat if v.get("compensation_decided_at", "").startswith("2025-")]
    assert len(applied) == len(requested) + 1 == 6 and len(decided) == 6
    assert column("compensation")["requested"] == shown(Counter(requested=len(applied)))["requested"]
    assert column("compensation")["decided"] == len(decided)
    assert column("compensation")["requested_amount"] == sum(v["requested_amount"] for v in applied)
    # the triage of every case three hours after its report (the acute one's too: the triage waits for no one)
    assert column("lead_times_hours") == {"report_to_triage_median": 3.0, "report_to_triage_p90": 3.0}
    assert column("art124") == {"registrations": 6, "art124": 6}
    assert column("art124_om_decisions") == shown(Counter(dagvaarding=5, strafbeschikking=1))  # 5 hidden as "x"
    assert column("art124_om_decisions")["dagvaarding"] == "x"
    assert column("reports_per_month")["12"] == "< 5"  # the case of New Year's Eve, Dutch time
    assert all(values[year] == 0 for (tid, key), values in cells.items() if tid == "cases" for year in YEARS[:3])
    # closed after 8, 9, 10, 12, 15, 20, 25, 35, 40 and 50 days: counted by the database at each closure
    assert column("lead_times_days")["report_to_closure_median"] == 17.5
    assert column("lead_times_days")["report_to_closure_p90"] == 41.0  # 40 + 0.1 * (50 - 40)
    # every application is decided two weeks after it is made; BZK judges the burden in that decision, so the
    # case whose burden it finds proportionate is applied for too (five reported in 2025 applied)
    assert len(requested) == 5 and column("lead_times_days")["application_to_decision_median"] == 14.0
    assert body["art124_history"]["total"] == 13
    assert sum(p["registrations"] for p in body["art124_history"]["periods"]) == 13

    exported = team.bzk.get("/api/v1/reports/vangnet/2025?format=csv")
    assert exported.mimetype == "text/csv"
    text = exported.get_data(as_text=True)
    lines = list(csv.reader(io.StringIO(text.split("\r\n\r\n")[0])))
    assert lines[0] == ["table", "figure", "kind", *YEARS]
    from_csv = {(t, key): dict(zip(YEARS, map(_value, rest))) for t, key, _kind, *rest in lines[1:]}
    assert from_csv == {
        key: {y: (None if v is None else v) for y, v in values.items()} for key, values in cells.items()
    }

    workbook = load_workbook(io.BytesIO(team.bzk.get("/api/v1/reports/vangnet/2025?format=xlsx").data))
    sheet = workbook["Vangnet 2025"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == ["table", "figure", "kind", *YEARS]
    from_xlsx = {(r[0], r[1]): dict(zip(YEARS, r[3:])) for r in rows[1:]}
    assert from_xlsx == cells
    assert workbook["Art. 124 1992-2016"]["B5"].value == 10

    texts = {
        "json": response.get_data(as_text=True),
        "csv": text,
        "xlsx": repr([list(r) for s in workbook for r in s.iter_rows(values_only=True)]),
    }
    secrets = [c["business_key"] for c in mine] + [
        "Dreigbrief",
        "Brief met een doodsbedreiging",
        "J. Jansen",
        "ADV-2026-17",
        "PL0600",
        "Afgerond",
        "Oordeel",
        "Raadsvergadering verstoord",
        "05/780109-25",
        "Besluit.",
    ]
    for name, content in texts.items():
        for secret in secrets:
            assert secret not in content, (name, secret)
