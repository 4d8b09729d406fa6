"""Finding a case on /cases: by (part of) its number, a word of its title, its process, municipality and
the period it was opened in; only among the cases the user may see."""
import re
from datetime import datetime, timezone

import time_machine

from engine.identity.actor import Actor
from engine.identity.service import get_user
from engine.instances.service import start_case
from engine.cli import deploy_folders
from tests.scenarios.flow import report
from tests.support.api import PROJECT


def _start(app, title, municipality="GM0668", user="gemeente.westbetuwe", at=None):
    with time_machine.travel(at or datetime.now(timezone.utc), tick=False), app.app_context():
        case = start_case("threat_response", report(case_title=title, municipality_code=municipality),
                          Actor.for_user(get_user(user)))
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
        return set(re.findall(r'<td><a href="/cases/[^"]+">([^<]+)</a>', response.get_data(as_text=True)))

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
