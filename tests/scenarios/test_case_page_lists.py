"""A dynamic list of a form (rows of fields) on the case page: a table under the list's own label."""
import re

from engine.web.case_view import _table
from engine.web.values import FieldFormat
from tests.web.conftest import WebClient


def test_a_dynamic_list_is_a_table_under_its_own_label(app, deploy_real, as_user):
    case = as_user("bzk").start("toolkit_rollout", {
        "rollout_title": "Instrumentenkoffer Veilig Bestuur", "letter_sent_on": "2026-11-28",
        "municipalities": [{"code": "GM0668", "name": "West Betuwe"}, {"code": "GM0363", "name": "Amsterdam"}]})
    page = WebClient(app).sign_in("bzk").get(f"/cases/{case['id']}").get_data(as_text=True)

    row = re.search(r"<dt>Gemeenten</dt><dd>(.*?)</dd>", page, re.S)
    assert row, "the list is shown under its own label"
    table = row.group(1)
    assert re.findall(r"<th[^>]*scope=\"col\">([^<]*)</th>", table) == ["CBS-code", "Naam"]
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", table)
    assert cells == ["GM0668", "West Betuwe", "GM0363", "Amsterdam"]
    assert "{&#34;code&#34;" not in page and '{"code"' not in page  # no raw JSON


def test_a_list_cell_shows_the_label_of_the_chosen_option(app):
    columns = [("measure", "Maatregel", FieldFormat(kind="select", options={"camera": "Camerabewaking"})),
               ("amount", "Bedrag", FieldFormat(kind="number", currency="EUR"))]
    with app.test_request_context(headers={"Accept-Language": "nl"}):
        table = _table([{"measure": "camera", "amount": 18000}, {"measure": "onbekend"}], columns)
    assert table == {"headers": ["Maatregel", "Bedrag"],
                     "rows": [["Camerabewaking", "€\xa018.000"], ["onbekend", "–"]]}
    assert _table("not rows", columns) is None
