"""The case page shows values as people read them: yes/no, option labels, lists, local dates, euros, names."""

import re

from tests.scenarios.flow import Team, assessment, cost_decision
from tests.web.conftest import WebClient


def _data_section(page: str) -> str:
    """The case data section with its steps' sections, up to the next section of the page."""
    start = page.index('<section aria-labelledby="data-heading"')
    end = re.compile(r'<section aria-labelledby="(?!data-step-)').search(page, start + 1)
    return page[start : end.start() if end else len(page)]


def test_a_walked_threat_case_reads_as_a_dutch_case_file(app, deploy_real, as_user):
    team = Team(as_user).login("gemeente", "politie", "bzk")
    case = team.start_threat()
    team.to_threat_assessment(case["id"])
    team.do(team.politie, case["id"], "threat_assessment", assessment())
    team.do(team.gemeente, case["id"], "cost_decision", cost_decision())
    page = WebClient(app).sign_in("gemeente.westbetuwe").get(f"/cases/{case['id']}").get_data(as_text=True)
    data = _data_section(page)
    text = re.sub(r"<[^>]+>", " ", data)
    assert not re.search(r"\b(true|false|True|False|None)\b", text), text
    assert "[&#34;" not in data and '["' not in data
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text), "no ISO dates or timestamps"
    assert "€\xa048.000" in text and "€\xa0120.000.000" in text  # the estimated costs and the budget
    assert "<li>" in data  # the advised measures as a list
    assert re.search(r"\bnee\b", text)  # a checkbox left empty
    assert "West Maas en Waal (GM0668)" in page  # the municipality by its CBS name

    english = WebClient(app).sign_in("gemeente.westbetuwe")
    english.post("/language", {"lang": "en"})
    text = re.sub(r"<[^>]+>", " ", _data_section(english.get(f"/cases/{case['id']}").get_data(as_text=True)))
    assert "€48,000" in text and re.search(r"\bno\b", text)


def test_the_timeline_shows_what_people_did_and_the_engine_steps_on_request(app, deploy_real, as_user):
    team = Team(as_user).login("gemeente")
    case = team.start_threat()
    team.through_triage(case["id"])
    client = WebClient(app).sign_in("gemeente.westbetuwe")

    def items(url):
        page = client.get(url).get_data(as_text=True)
        timeline = re.search(r'<ol class="timeline">(.*?)</ol>', page, re.S).group(1)
        return page, re.findall(r"<li class=\"timeline__item[^\"]*\">.*?</li>", timeline, re.S)

    page, short = items(f"/cases/{case['id']}")
    _, full = items(f"/cases/{case['id']}?steps=all")
    hidden = int(re.search(r"Alle stappen tonen \((\d+) automatische stappen? verborgen\)", page).group(1))
    assert hidden > 0 and len(full) == len(short) + hidden
    assert any("Triage" in item and "afgerond" in item for item in short)
    assert not any("element-completed" in item and "Melding registreren" in item for item in short)
    assert any("Melding registreren" in item for item in full)


def test_the_case_data_is_grouped_by_the_step_that_collected_it(app, deploy_real, as_user):
    team = Team(as_user).login("gemeente", "politie", "bzk")
    case = team.start_threat()
    team.to_threat_assessment(case["id"])
    team.do(team.politie, case["id"], "threat_assessment", assessment())
    page = WebClient(app).sign_in("gemeente.westbetuwe").get(f"/cases/{case['id']}").get_data(as_text=True)
    data = _data_section(page)
    steps = re.findall(r'<section class="data-step".*?<h3[^>]*>(.*?)</h3>(.*?)</section>', data, re.S)
    names = [re.sub(r"\s+", " ", name).strip() for name, _ in steps]
    assert names == ["Melding", "Triage en eerste contact", "Dreiging inschatten, beveiliging adviseren"]
    report, triage, threat = (body for _, body in steps)
    assert "Korte titel" in report and "Dreiging" not in report
    assert "<dt>Dreiging</dt>" in threat and "Korte titel" not in threat
    assert "Politie, Landelijke Eenheid" in threat  # who completed the step


def test_the_case_page_says_what_an_open_case_waits_for(deploy_fixture, as_user, app):
    deploy_fixture("events")
    admin = as_user("beheerder")
    case = admin.start("waiting_case", {"municipality_code": "GM0668"})
    page = WebClient(app).sign_in("gemeente.westbetuwe")
    text = page.get(f"/cases/{case['id']}").get_data(as_text=True)
    waits = re.search(r"<ul [^>]*data-waits>(.*?)</ul>", text, re.S).group(1)
    assert "Waarom deze zaak nog openstaat" in text
    assert "Wachten op een bericht: 'Aangifte geregistreerd'" in waits
    assert re.search(r"Wachten op het moment van '2 werkdagen': <time datetime=", waits), waits

    gemeente = as_user("gemeente.westbetuwe")
    delivered = gemeente.post(
        "/api/v1/messages", json={"name": "aangifte_geregistreerd", "business_key": case["business_key"]}
    )
    assert delivered.status_code == 200, delivered.get_json()
    text = page.get(f"/cases/{case['id']}").get_data(as_text=True)
    assert "data-waits" not in text and "Waarom deze zaak nog openstaat" not in text
