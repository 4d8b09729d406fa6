"""A dynamic list of a form (rows of fields) on the case page: a table under the list's own label."""

import re

from engine.web.case_view import _table
from engine.web.values import FieldFormat
from tests.scenarios.flow import Team
from tests.web.conftest import WebClient


def test_a_dynamic_list_is_a_table_under_its_own_label(app, deploy_real, as_user):
    team = Team(as_user)
    case = team.start_threat()
    team.to_application(case["id"])
    team.do(
        team.gemeente,
        case["id"],
        "submit_application",
        {
            "requested_measures": [
                {"measure": "alarm_opvolging", "amount": 30_000},
                {"measure": "camera", "amount": 18_000},
            ],
            "advice_reference": "ADV-2026-17",
            "application_date": "2026-12-01",
        },
    )
    page = WebClient(app).sign_in("gemeente.westbetuwe").get(f"/cases/{case['id']}").get_data(as_text=True)

    row = re.search(r"<dt>Maatregelen en bedragen</dt><dd>(.*?)</dd>", page, re.S)
    assert row, "the list is shown under its own label"
    table = row.group(1)
    assert re.findall(r"<th[^>]*scope=\"col\">([^<]*)</th>", table) == ["Maatregel", "Bedrag (EUR)"]
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", table)
    assert len(cells) == 4 and cells[1] == "€\xa030.000" and cells[3] == "€\xa018.000"
    assert "{&#34;measure&#34;" not in page and '{"measure"' not in page  # no raw JSON


def test_a_list_cell_shows_the_label_of_the_chosen_option(app):
    columns = [
        ("measure", "Maatregel", FieldFormat(kind="select", options={"camera": "Camerabewaking"})),
        ("amount", "Bedrag", FieldFormat(kind="number", currency="EUR")),
    ]
    with app.test_request_context(headers={"Accept-Language": "nl"}):
        table = _table([{"measure": "camera", "amount": 18000}, {"measure": "onbekend"}], columns)
    assert table == {"headers": ["Maatregel", "Bedrag"], "rows": [["Camerabewaking", "€\xa018.000"], ["onbekend", "–"]]}
    assert _table("not rows", columns) is None
