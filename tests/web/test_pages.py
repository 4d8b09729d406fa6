"""The inbox, task, case and start pages through the Flask test client."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
import time_machine

from engine.db.extensions import db
from engine.identity.actor import Actor
from engine.identity.service import get_user
from engine.cases.service import start_case
from engine.instances.task_rows import HumanTask


def _config(page: str) -> dict:
    found = re.search(r'<script type="application/json" id="form-config">(.*?)</script>', page, re.S)
    return json.loads(found.group(1))


def _start(app, summary="x", municipality="GM0668", user="gemeente.westbetuwe"):
    with app.app_context():
        case = start_case(
            "simple_case", {"summary": summary, "municipality_code": municipality}, Actor.for_user(get_user(user))
        )
        task_id = db.session.scalar(sa.select(HumanTask.id).where(HumanTask.instance_id == case.id))
        return case.id, case.business_key, task_id


def test_inbox_counts_claims_and_releases(app, browser_for, case):
    _, business_key, task_id = case
    client = browser_for("gemeente.westbetuwe")
    page = client.get("/").get_data(as_text=True)
    assert 'data-count="unclaimed">1<' in page and 'data-count="mine">0<' in page
    assert business_key in page and "1 taak" in page

    response = client.post(f"/tasks/{task_id}/claim", {"next": "/?scope=mine"})
    assert response.headers["Location"] == "/?scope=mine"
    page = client.get("/?scope=mine").get_data(as_text=True)
    assert "U heeft &#39;Triage&#39; opgepakt." in page
    assert 'data-count="mine">1<' in page and business_key in page
    assert business_key not in client.get("/?scope=unclaimed").get_data(as_text=True)

    client.post(f"/tasks/{task_id}/unclaim", {"next": "/"})
    page = client.get("/?scope=unclaimed").get_data(as_text=True)
    assert business_key in page and 'data-count="mine">0<' in page


def test_overdue_tasks_are_counted_marked_and_filtered(app, browser_for, case):
    _, business_key, _ = case
    later = datetime.now(timezone.utc) + timedelta(days=3)
    with time_machine.travel(later, tick=False):
        fresh_id, fresh_key, _ = _start(app, "nieuw")
        client = browser_for("gemeente.westbetuwe")
        page = client.get("/").get_data(as_text=True)
        assert 'data-count="overdue">1<' in page
        overdue_row = re.search(r'<tr class="[^"]*\bis-overdue\b[^"]*"[^>]*>.*?</tr>', page, re.S).group(0)
        assert business_key in overdue_row and "te laat" in overdue_row
        only_overdue = client.get("/?due=overdue").get_data(as_text=True)
        assert business_key in only_overdue and fresh_key not in only_overdue
        latest_first = client.get("/?sort=-due").get_data(as_text=True)
        assert latest_first.index(fresh_key) < latest_first.index(business_key)
        earliest_first = client.get("/?sort=due").get_data(as_text=True)
        assert earliest_first.index(business_key) < earliest_first.index(fresh_key)


def test_national_roles_filter_by_municipality(app, browser_for, deploy_fixture):
    deploy_fixture("basic")
    west = _start(app, "west")
    amsterdam = _start(app, "amsterdam", municipality="GM0363", user="gemeente.amsterdam")
    admin = browser_for("beheerder")
    for case_id, _, task_id in (west, amsterdam):
        # hand each case to the police: triage with acute danger
        gemeente = "gemeente.westbetuwe" if case_id == west[0] else "gemeente.amsterdam"
        client = browser_for(gemeente)
        client.get(f"/tasks/{task_id}")
        assert (
            client.post(
                f"/tasks/{task_id}", {"variables": json.dumps({"acute_danger": True, "category": "bedreiging"})}
            ).status_code
            == 302
        )
    police = browser_for("politie")
    page = police.get("/").get_data(as_text=True)
    assert west[1] in page and amsterdam[1] in page and 'id="f-municipality"' in page
    assert '<option value="GM0363"' in page and '<option value="GM0668"' in page
    only_west = police.get("/?municipality=GM0668").get_data(as_text=True)
    assert west[1] in only_west and amsterdam[1] not in only_west
    assert admin.get("/").status_code == 200


def test_unknown_filter_values_are_a_400_that_says_what_to_choose(browser_for):
    client = browser_for("politie")
    response = client.get("/?sort=random")
    assert response.status_code == 400
    assert "Het filter &#39;sort&#39; heeft een waarde die niet bestaat. Kies uit: due, -due" in response.get_data(
        as_text=True
    )
    assert client.get("/?page=x").status_code == 400
    assert client.get("/inbox/updates.json?due=later").status_code == 400
    assert client.get("/cases?status=lost").status_code == 400


def test_inbox_paging(app, browser_for, deploy_fixture):
    deploy_fixture("basic")
    keys = [_start(app, f"zaak {n}")[1] for n in range(53)]
    client = browser_for("gemeente.westbetuwe")
    first = client.get("/?sort=oldest").get_data(as_text=True)
    assert "Pagina 1 van 2" in first and "53 taken" in first
    assert keys[0] in first and keys[52] not in first
    second = client.get("/?sort=oldest&page=2").get_data(as_text=True)
    assert keys[52] in second and keys[0] not in second
    assert "Pagina 2 van 2" in client.get("/?sort=oldest&page=99").get_data(as_text=True)


def test_live_refresh_reports_changes_only(app, browser_for, case):
    client = browser_for("gemeente.westbetuwe")
    body = client.get("/inbox/updates.json").get_json()
    assert body["changed"] is True and body["counts"]["unclaimed"] == 1
    same = client.get(f"/inbox/updates.json?signature={body['signature']}").get_json()
    assert same == {"changed": False, "counts": body["counts"], "signature": body["signature"]}
    _, new_key, _ = _start(app, "nog een")
    changed = client.get(f"/inbox/updates.json?signature={body['signature']}").get_json()
    assert changed["changed"] is True and changed["counts"]["unclaimed"] == 2
    assert new_key in changed["html"] and "<html" not in changed["html"]
    inbox = client.get("/").get_data(as_text=True)
    assert f'data-signature="{changed["signature"]}"' in inbox


def test_task_form_is_prefilled_and_refused_data_is_kept(app, browser_for, case):
    _, _, task_id = case
    client = browser_for("gemeente.westbetuwe")
    config = _config(client.get(f"/tasks/{task_id}").get_data(as_text=True))
    assert config["data"]["summary"] == "Dreigbrief" and config["data"]["municipality_code"] == "GM0668"
    labels = [c["label"] for c in config["schema"]["components"]]
    assert labels == ["Acuut gevaar", "Categorie", "Kosten"]
    assert config["read_only"] is False

    response = client.post(
        f"/tasks/{task_id}", {"variables": json.dumps({"acute_danger": True, "estimated_costs": 40})}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "<strong>Categorie</strong>: Vul dit veld in." in page
    config = _config(page)
    assert config["errors"] == {"category": ["Vul dit veld in."]}
    assert config["data"]["acute_danger"] is True and config["data"]["estimated_costs"] == 40

    wrong_type = client.post(
        f"/tasks/{task_id}", {"variables": json.dumps({"category": "bedreiging", "estimated_costs": -5})}
    )
    assert wrong_type.status_code == 422
    assert _config(wrong_type.get_data(as_text=True))["errors"] == {"estimated_costs": ["Vul 0 of meer in."]}
    garbage = client.post(f"/tasks/{task_id}", {"variables": "{not json"})
    assert garbage.status_code == 400

    done = client.post(
        f"/tasks/{task_id}", {"variables": json.dumps({"acute_danger": False, "category": "intimidatie"})}
    )
    assert done.status_code == 302 and done.headers["Location"] == "/"
    assert "Taak &#39;Triage&#39; is afgerond." in client.get("/").get_data(as_text=True)
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "Deze taak is op" in page and "afgerond door Gemeente West Betuwe (OOV)" in page
    again = client.post(f"/tasks/{task_id}", {"variables": json.dumps({"category": "intimidatie"})})
    assert again.status_code == 302
    assert "hij staat niet meer open" in client.get(again.headers["Location"]).get_data(as_text=True)


def test_case_page_shows_summary_timeline_markers_and_data(app, browser_for, case):
    case_id, business_key, task_id = case
    client = browser_for("gemeente.westbetuwe")
    client.get(f"/tasks/{task_id}")
    client.post(f"/tasks/{task_id}", {"variables": json.dumps({"acute_danger": True, "category": "bedreiging"})})
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert business_key in page and "In behandeling" in page and "Wethouder West Betuwe" in page
    assert "Gemeente West Betuwe (OOV) heeft 'Triage' afgerond." in page
    assert "Taak 'Politie beoordeelt' staat klaar." in page
    markers = json.loads(re.search(r'id="diagram-config">(.*?)</script>', page, re.S).group(1))
    assert markers["active"] == ["police_check"] and markers["waiting"] == []
    assert {"start", "triage", "score"} <= set(markers["completed"]) and "police_check" not in markers["completed"]
    assert markers["xml_url"] == f"/cases/{case_id}/diagram.bpmn"
    assert re.search(r"<dt>Categorie</dt><dd>\s*Bedreiging", page)
    xml = client.get(markers["xml_url"])
    assert xml.mimetype == "application/xml" and b'<bpmn:process id="simple_case"' in xml.data


def test_waiting_elements_are_marked_waiting(app, browser_for, deploy_fixture):
    deploy_fixture("events")
    with app.app_context():
        case = start_case("waiting_case", {"municipality_code": "GM0668"}, Actor.for_user(get_user("beheerder")))
        case_id = case.id
    page = browser_for("beheerder").get(f"/cases/{case_id}").get_data(as_text=True)
    markers = json.loads(re.search(r'id="diagram-config">(.*?)</script>', page, re.S).group(1))
    assert markers["waiting"] == ["wait"] and markers["active"] == []  # the event-based gateway waits
    assert "Wachten op het moment van '2 werkdagen'" in page  # the timer behind the gateway, by its name


def test_start_list_and_start_form(app, browser_for, deploy_fixture):
    deploy_fixture("basic")
    deploy_fixture("events")  # waiting_case has no start form: it is not offered
    client = browser_for("ambtsdrager.westbetuwe")
    listing = client.get("/start").get_data(as_text=True)
    assert 'href="/start/simple_case"' in listing and "/start/waiting_case" not in listing
    assert client.get("/start/waiting_case").status_code == 404
    config = _config(client.get("/start/simple_case").get_data(as_text=True))
    assert config["data"] == {"municipality_code": "GM0668"}
    refused = client.post("/start/simple_case", {"variables": json.dumps({"municipality_code": "GM0668"})})
    assert refused.status_code == 422
    assert _config(refused.get_data(as_text=True))["errors"] == {"summary": ["Vul dit veld in."]}
    response = client.post(
        "/start/simple_case",
        {"variables": json.dumps({"summary": "Bedreigd op straat", "municipality_code": "GM0668"})},
    )
    assert response.status_code == 302 and response.headers["Location"].startswith("/cases/")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Uw melding is ontvangen als zaak VB-" in page and "Bedreigd op straat" in page
    assert browser_for("bzk").get("/start/simple_case").status_code == 404  # BZK may not start it
    assert "/start/simple_case" not in browser_for("bzk").get("/start").get_data(as_text=True)


def test_case_list_shows_only_visible_cases(app, browser_for, case):
    _, business_key, _ = case
    assert business_key in browser_for("gemeente.westbetuwe").get("/cases").get_data(as_text=True)
    assert business_key in browser_for("ambtsdrager.westbetuwe").get("/cases?status=running").get_data(as_text=True)
    assert business_key not in browser_for("gemeente.amsterdam").get("/cases").get_data(as_text=True)


def test_english_pages(browser_for, case):
    case_id, _, task_id = case
    client = browser_for("gemeente.westbetuwe")
    client.post("/language", {"lang": "en"})
    assert ">Inbox</h1>" in client.get("/").get_data(as_text=True)
    config = _config(client.get(f"/tasks/{task_id}").get_data(as_text=True))
    assert [c["label"] for c in config["schema"]["components"]] == ["Acute danger", "Category", "Costs (EUR)"]
    assert [v["label"] for v in config["schema"]["components"][1]["values"]] == ["Threat", "Intimidation"]
    refused = client.post(f"/tasks/{task_id}", {"variables": json.dumps({})})
    assert _config(refused.get_data(as_text=True))["errors"] == {"category": ["This field is required."]}
    assert "Process diagram" in client.get(f"/cases/{case_id}").get_data(as_text=True)


def test_linked_cases_are_shown_when_visible(app, browser_for, case):
    parent_id, parent_key, _ = case
    with app.app_context():
        child = start_case(
            "simple_case",
            {"summary": "deelzaak", "municipality_code": "GM0668"},
            Actor.for_user(get_user("gemeente.westbetuwe")),
            parent_instance_id=parent_id,
        )
        child_id, child_key = child.id, child.business_key
    client = browser_for("gemeente.westbetuwe")
    parent_page = client.get(f"/cases/{parent_id}").get_data(as_text=True)
    assert "Gekoppelde zaken" in parent_page and f'href="/cases/{child_id}"' in parent_page
    assert "Deelzaak" in parent_page
    child_page = client.get(f"/cases/{child_id}").get_data(as_text=True)
    assert f'href="/cases/{parent_id}"' in child_page and "Hoofdzaak" in child_page and parent_key in child_page
    assert child_key not in browser_for("gemeente.amsterdam").get(f"/cases/{parent_id}").get_data(as_text=True)


def test_a_task_that_the_viewer_cannot_work_names_its_role_not_none(app, browser_for, case):
    """An administrator reads an unclaimed triage: no "opgepakt door None" under a header that says
    "niet opgepakt"."""
    _, _, task_id = case
    page = browser_for("beheerder").get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "None" not in page
    assert "opgepakt door" not in page
    assert "Deze taak is voor Gemeente" in page and "U kunt hem lezen, maar niet invullen." in page


def test_the_office_holders_personal_task_is_theirs_and_offers_no_release(app, browser_for, as_user):
    """A task the model assigns to the office holder (camunda:assignee) is for them, not for the lane's
    role, and cannot be released into the municipality's pool."""
    from engine.app.cli import deploy_folders
    from tests.scenarios.flow import Team
    from tests.support.api import PROJECT

    with app.app_context():
        deploy_folders([PROJECT / "processes", PROJECT / "forms"], actor="test")
    team = Team(as_user)
    case = team.start_threat(team.ambtsdrager, reporter_is_office_holder=True)
    team.through_triage(case["id"])
    task = team.ambtsdrager.task_for(case["id"], "choose_filing_method")
    assert task["assignee"] == "ambtsdrager.westbetuwe"

    client = browser_for("ambtsdrager.westbetuwe")
    page = client.get(f"/tasks/{task['id']}").get_data(as_text=True)
    facts = re.search(r'<dl class="facts">.*?</dl>', page, re.S).group(0)
    assert re.search(r"<dt>Voor</dt><dd>mij</dd>", facts), facts
    assert "Gemeente (werkgever)" not in facts
    assert "Taak vrijgeven" not in page and "/unclaim" not in page
    inbox = client.get("/").get_data(as_text=True)
    row = re.search(rf'<tr[^>]*data-task-id="{task["id"]}".*?</tr>', inbox, re.S).group(0)
    assert "Vrijgeven" not in row and "/unclaim" not in row and "mij" in row
    # A colleague of the municipality reads it as the office holder's.
    page = browser_for("gemeente.westbetuwe").get(f"/tasks/{task['id']}").get_data(as_text=True)
    facts = re.search(r'<dl class="facts">.*?</dl>', page, re.S).group(0)
    assert "Gemeente (werkgever)" not in facts


def test_a_completed_task_says_so_and_links_to_its_case(app, browser_for, case):
    case_id, _, task_id = case
    client = browser_for("gemeente.westbetuwe")
    client.get(f"/tasks/{task_id}")
    assert (
        client.post(
            f"/tasks/{task_id}", {"variables": json.dumps({"acute_danger": False, "category": "bedreiging"})}
        ).status_code
        == 302
    )
    response = client.get(f"/tasks/{task_id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page[:300]
    assert "Deze taak is op " in page and "afgerond door" in page and f'href="/cases/{case_id}"' in page
