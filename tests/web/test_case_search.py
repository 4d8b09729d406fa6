"""Finding a case on /cases: by (part of) its number, a word of its title, its process, municipality and
the period it was opened in; only among the cases the user may see."""

import re
from datetime import datetime, timezone

import time_machine

from engine.identity.actor import Actor
from engine.identity.service import get_user
from engine.cases.service import start_case
from engine.app.cli import deploy_folders
from tests.scenarios.flow import report
from tests.support.api import PROJECT


def _start(app, title, municipality="GM0668", user="gemeente.westbetuwe", at=None):
    with time_machine.travel(at or datetime.now(timezone.utc), tick=False), app.app_context():
        case = start_case(
            "threat_response", report(case_title=title, municipality_code=municipality), Actor.for_user(get_user(user))
        )
        return case.business_key, title


def test_search_by_number_title_word_and_period(app, browser_for):
    with app.app_context():
        deploy_folders([PROJECT / "processes", PROJECT / "forms"], actor="test")
    long_ago = datetime(2026, 1, 15, 10, tzinfo=timezone.utc)
    old_key, _ = _start(app, "Dreigbrief bij het gemeentehuis", at=long_ago)
    new_key, _ = _start(app, "Bedreiging op sociale media")
    amsterdam_key, _ = _start(app, "Dreigbrief Amsterdam", municipality="GM0363", user="gemeente.amsterdam")
    west = browser_for("gemeente.westbetuwe")

    def found(query, viewer=west):
        response = viewer.get("/cases" + query)
        assert response.status_code == 200, response.get_data(as_text=True)[:400]
        return set(re.findall(r'<td[^>]*><a [^>]*href="/cases/[^"]+">([^<]+)</a>', response.get_data(as_text=True)))

    assert found("") == {old_key, new_key}
    assert found(f"?q={new_key[-4:].lower()}") == {new_key}  # part of the number, any case
    assert found("?q=DREIGBRIEF") == {old_key}  # a word of the title, any case; Amsterdam's is not theirs
    assert found("?q=sociale+media") == {new_key}
    assert found("?from=2026-01-15&until=2026-01-15") == {old_key}  # one local day, both ends included
    assert found("?until=2026-01-14") == set()
    assert found("?q=%25") == set()  # a % is a character, not a wildcard
    assert west.get("/cases?from=15-01-2026").status_code == 400
    assert west.get("/cases?process=onbekend").status_code == 400
    # another municipality's case is never found, whatever is asked
    assert found(f"?q={amsterdam_key}&municipality=GM0363") == set()
    assert found("?municipality=gm0363", browser_for("beheerder")) == {amsterdam_key}


def _listed(response) -> list:
    assert response.status_code == 200, response.get_data(as_text=True)[:400]
    return re.findall(r'<td[^>]*><a [^>]*href="/cases/[^"]+">([^<]+)</a>', response.get_data(as_text=True))


def test_search_by_office_holder_open_task_and_order(app, browser_for, as_user):
    with app.app_context():
        deploy_folders([PROJECT / "processes", PROJECT / "forms"], actor="test")
    mayor = _start_role(app, "Dreigbrief burgemeester", "burgemeester", datetime(2026, 3, 1, 9, tzinfo=timezone.utc))
    alderman = _start_role(app, "Dreigbrief wethouder", "wethouder", datetime(2026, 4, 1, 9, tzinfo=timezone.utc))
    west = browser_for("gemeente.westbetuwe")
    assert _listed(west.get("/cases?role=burgemeester")) == [mayor]
    assert _listed(west.get("/cases?role=wethouder")) == [alderman]
    assert west.get("/cases?role=koning").status_code == 400
    page = west.get("/cases").get_data(as_text=True)
    assert '<option value="burgemeester"' in page and "Burgemeester" in page  # offered by the form's labels

    # both wait for triage; once one is triaged, only the other is at that step
    gemeente = as_user("gemeente.westbetuwe")
    cases = {c["business_key"]: c for c in gemeente.get("/api/v1/process-instances").get_json()["items"]}
    from tests.scenarios.flow import Team

    Team(as_user).through_triage(cases[mayor]["id"])
    assert _listed(west.get("/cases?task=triage")) == [alderman]
    assert west.get("/cases?task=no_such_step").status_code == 400

    assert _listed(west.get("/cases")) == [alderman, mayor]  # newest first
    assert _listed(west.get("/cases?sort=started_at")) == [mayor, alderman]
    assert _listed(west.get("/cases?sort=business_key")) == sorted([mayor, alderman])
    assert west.get("/cases?sort=title").status_code == 400


def _start_role(app, title, role, at):
    with time_machine.travel(at, tick=False), app.app_context():
        case = start_case(
            "threat_response",
            report(case_title=title, office_holder_role=role),
            Actor.for_user(get_user("gemeente.westbetuwe")),
        )
        return case.business_key


def test_a_saved_search_opens_the_same_list_and_is_only_its_owners(app, browser_for):
    with app.app_context():
        deploy_folders([PROJECT / "processes", PROJECT / "forms"], actor="test")
    key, _ = _start(app, "Dreigbrief bij het gemeentehuis")
    _start(app, "Bedreiging op sociale media")
    west = browser_for("gemeente.westbetuwe")
    west.get("/cases?q=dreigbrief&status=running")
    saved = west.post("/cases/saved", {"name": "Lopende dreigbrieven", "q": "dreigbrief", "status": "running"})
    assert saved.status_code == 302 and saved.headers["Location"] == "/cases?q=dreigbrief&status=running"
    page = west.get("/cases").get_data(as_text=True)
    link = re.search(r'<a [^>]*href="([^"]+)">Lopende dreigbrieven</a>', page).group(1).replace("&amp;", "&")
    assert _listed(west.get(link)) == [key]
    again = west.post("/cases/saved", {"name": "Lopende dreigbrieven", "q": "x"}, follow_redirects=True)
    assert "u hebt al een zoekopdracht met die naam" in again.get_data(as_text=True)

    colleague = browser_for("gemeente.amsterdam")
    assert "Lopende dreigbrieven" not in colleague.get("/cases").get_data(as_text=True)
    search_id = int(re.search(r"/cases/saved/(\d+)/delete", page).group(1))
    assert colleague.post(f"/cases/saved/{search_id}/delete").status_code == 404
    assert west.post(f"/cases/saved/{search_id}/delete").status_code == 302
    assert "Lopende dreigbrieven" not in west.get("/cases").get_data(as_text=True)


def test_a_list_past_the_count_bound_says_more_and_pages_on(app, browser_for, monkeypatch):
    from engine.search import service as search_service

    with app.app_context():
        deploy_folders([PROJECT / "processes", PROJECT / "forms"], actor="test")
    keys = [_start(app, f"Dreigbrief {n}", at=datetime(2026, 2, n, 9, tzinfo=timezone.utc))[0] for n in (1, 2, 3)]
    monkeypatch.setattr("engine.web.pages.case_list.PAGE_SIZE", 1)
    monkeypatch.setattr(search_service, "COUNT_AT_MOST", 1)
    west = browser_for("gemeente.westbetuwe")
    first = west.get("/cases")
    html = first.get_data(as_text=True)
    assert _listed(first) == [keys[2]]
    assert "Meer dan 1 zaken" in html and "Pagina 1 van meer dan 1" in html
    assert 'href="/cases?page=2" rel="next"' in html
    # the count reaches past the page asked for: on the last page it is exact again
    last = west.get("/cases?page=3")
    html = last.get_data(as_text=True)
    assert _listed(last) == [keys[0]]
    assert "3 zaken" in html and "Pagina 3 van 3" in html and 'rel="next"' not in html
