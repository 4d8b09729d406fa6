"""Form errors, municipality isolation and the language switch, in Chromium."""

from __future__ import annotations

import re

import pytest

from engine.app.cli import deploy_folders
from engine.db.extensions import db
from engine.identity.actor import Actor
from engine.identity.service import get_user
from engine.cases.service import start_case
from engine.instances.task_rows import HumanTask
from tests.scenarios.flow import report
from tests.support.api import FIXTURES, PROJECT


@pytest.fixture
def reported_case(app):
    """A simple_case reported by the West Betuwe office holder; returns (case id, business key, task id)."""
    with app.app_context():
        deploy_folders([FIXTURES / "basic"], actor="test")
        actor = Actor.for_user(get_user("ambtsdrager.westbetuwe"))
        case = start_case(
            "simple_case", {"summary": "Bedreiging via sociale media", "municipality_code": "GM0668"}, actor
        )
        task = db.session.query(HumanTask).filter_by(instance_id=case.id).one()
        return case.id, case.business_key, task.id


def test_missing_required_field_is_shown_next_to_it_and_nothing_typed_is_lost(web, reported_case, app):
    case_id, _, task_id = reported_case
    user = web()
    user.sign_in("gemeente.westbetuwe")
    user.goto(f"/tasks/{task_id}")
    user.wait_for_form()
    user.fill("Acuut gevaar", True)
    user.fill("Kosten", "2750")
    user.submit_form("Taak afronden")

    assert user.page.url.endswith(f"/tasks/{task_id}")
    assert user.error_of("Categorie") == "Vul dit veld in."
    assert user.error_of("Kosten") == ""
    assert user.value_of("Kosten") == "2750"
    assert user.field("Acuut gevaar").locator("input").is_checked()
    user.screenshot("missing-category")
    with app.app_context():
        assert db.session.get(HumanTask, task_id).status == "open"

    # Correcting the one field is enough: what was typed before is submitted with it.
    user.fill("Categorie", "Intimidatie")
    assert user.error_of("Categorie") == ""
    user.submit_form("Taak afronden")
    assert "Taak 'Triage' is afgerond." in user.notice()
    user.goto(f"/cases/{case_id}")
    data = user.page.locator("[data-case-data]").inner_text()
    assert "2.750" in data and "Intimidatie" in data  # shown as a Dutch reader writes it


def test_server_side_error_is_shown_next_to_the_field_and_keeps_the_input(web, app):
    with app.app_context():
        deploy_folders([FIXTURES / "basic"], actor="test")
    user = web()
    user.sign_in("gemeente.westbetuwe")
    user.goto("/start/simple_case")
    user.wait_for_form()
    assert user.value_of("Gemeentecode") == "GM0668"  # prefilled with the user's own municipality
    user.fill("Wat is er gebeurd?", "Intimiderende brief bij het gemeentehuis")
    user.fill("Gemeentecode", "GM0363")  # a valid code, but not theirs: only the server knows
    user.submit_form("Melding versturen")

    assert user.page.url.endswith("/start/simple_case")
    user.wait_for_form()
    expected = "U kunt alleen melden voor uw eigen gemeente (GM0668)."
    assert user.error_of("Gemeentecode") == expected
    assert expected in user.page.locator("#error-summary").inner_text()
    assert user.value_of("Wat is er gebeurd?") == "Intimiderende brief bij het gemeentehuis"
    assert user.value_of("Gemeentecode") == "GM0363"
    user.screenshot("server-error")


def test_another_municipality_never_sees_the_case(web, reported_case):
    case_id, business_key, task_id = reported_case
    own = web()
    own.sign_in("gemeente.westbetuwe")
    assert own.page.locator("#inbox-results", has_text=business_key).count() == 1

    other = web()
    other.sign_in("gemeente.amsterdam")
    assert other.page.locator("#inbox-results").inner_text().count(business_key) == 0
    assert other.page.locator("[data-count='unclaimed']").inner_text() == "0"
    for path in (f"/cases/{case_id}", f"/tasks/{task_id}", f"/cases/{case_id}/diagram.bpmn"):
        response = other.goto(path)
        assert response.status == 404, path
        assert business_key not in other.page.content()
    other.goto(f"/cases/{case_id}")
    assert other.page.locator("h1").inner_text() == "Pagina niet gevonden"
    other.screenshot("guessed-url-404")
    other.goto("/cases")
    assert business_key not in other.page.locator("main").inner_text()
    other.goto("/?municipality=GM0668&scope=all")
    assert business_key not in other.page.locator("main").inner_text()


# Words that are the same in Dutch and English.
SAME_IN_BOTH = {"Status"}
# The page's own texts. Left out: what the case or the diagram says (business keys, names of people, of
# processes and of tasks), which is data in whatever language it was written.
UI_TEXT = (
    "main h2, nav a, th, main label, main button, dt, .counts a, select:not(#f-process) option, "
    "#f-process option[value=''], .narrow h1, .narrow p, "
    ".breadcrumb a, .site-footer, .site-header__brand, .legend li, .fjs-form-field-label, "
    ".timeline li span, .notice, .result-count, .filters__reset, .site-header__user, form[action='/logout']"
)


def _ui_texts(user) -> list:
    texts = user.page.locator(UI_TEXT).all_inner_texts()
    return [re.sub(r"\s+", " ", t).strip() for t in texts if t.strip()]


@pytest.mark.parametrize("path_of", ["inbox", "task", "case", "start", "login"])
def test_language_switch_changes_every_visible_label(web, reported_case, path_of):
    case_id, _, task_id = reported_case
    path = {
        "inbox": "/",
        "task": f"/tasks/{task_id}",
        "case": f"/cases/{case_id}",
        "start": "/start/simple_case",
        "login": "/login",
    }[path_of]
    user = web()
    if path_of != "login":
        user.sign_in("gemeente.westbetuwe")
    user.goto(path)
    if path_of in ("task", "start"):
        user.wait_for_form()
    if path_of == "case":
        user.wait_for_diagram()
    assert user.page.locator("html").get_attribute("lang") == "nl"
    dutch = _ui_texts(user)
    user.screenshot(f"{path_of}-nl")

    user.switch_language("en")
    assert user.page.url.endswith(path), "switching language stays on the same page"
    if path_of in ("task", "start"):
        user.wait_for_form()
    if path_of == "case":
        user.wait_for_diagram()
    assert user.page.locator("html").get_attribute("lang") == "en"
    english = _ui_texts(user)
    user.screenshot(f"{path_of}-en")

    assert len(dutch) == len(english) and len(dutch) > 5
    unchanged = [(nl, en) for nl, en in zip(dutch, english) if nl == en and nl not in SAME_IN_BOTH]
    assert not unchanged, f"not translated: {unchanged}"

    user.switch_language("nl")
    assert _ui_texts(user) == dutch


def test_inbox_refreshes_itself_when_a_task_arrives(web, reported_case, app):
    app.config["VB_INBOX_POLL_SECONDS"] = 1
    user = web()
    user.sign_in("gemeente.westbetuwe")
    user.page.evaluate("window.__loadedOnce = true")  # gone if the page were reloaded
    assert user.page.locator("#inbox-results tbody tr").count() == 1
    with app.app_context():
        case = start_case(
            "simple_case",
            {"summary": "Tweede melding", "municipality_code": "GM0668"},
            Actor.for_user(get_user("ambtsdrager.westbetuwe")),
        )
        new_key = case.business_key
    user.page.locator("#inbox-results tbody tr", has_text=new_key).wait_for(timeout=10_000)
    assert user.page.evaluate("window.__loadedOnce") is True
    assert user.page.locator("[data-count='unclaimed']").inner_text() == "2"
    assert user.page.locator("#inbox-live").inner_text() == "De lijst is bijgewerkt."


def test_a_task_can_be_done_with_the_keyboard_alone(web, reported_case):
    _, business_key, task_id = reported_case
    user = web()
    page = user.page
    user.goto("/login")
    page.locator("#username").focus()
    page.keyboard.type("gemeente.westbetuwe")
    page.keyboard.press("Tab")
    page.keyboard.type("demo")
    page.keyboard.press("Enter")
    page.wait_for_url(user.base_url + "/")
    # the task link in the inbox, reached with Tab
    link = page.locator(f"#task-{task_id}")
    for _ in range(40):
        page.keyboard.press("Tab")
        if link.evaluate("el => el === document.activeElement"):
            break
    else:
        raise AssertionError("the task link cannot be reached with Tab")
    page.keyboard.press("Enter")
    user.wait_for_form()
    checkbox = user.field("Acuut gevaar").locator("input")
    checkbox.focus()
    page.keyboard.press("Space")
    assert checkbox.is_checked()
    page.keyboard.press("Tab")
    assert user.field("Categorie").locator("input").evaluate("el => el === document.activeElement")
    focused = user.field("Categorie").locator(".fjs-dropdownlist-item.focused")
    focused.wait_for()
    for _ in range(5):  # arrow down to the second option, as a person would, watching the highlight
        if focused.inner_text() == "Intimidatie":
            break
        page.keyboard.press("ArrowDown")
        page.wait_for_timeout(50)
    page.keyboard.press("Enter")
    assert user.value_of("Categorie") == "Intimidatie"
    submit = page.locator("form.task-form button[type=submit]")
    submit.focus()
    assert submit.evaluate("el => getComputedStyle(el).outlineStyle") != "none", "focus is visible"
    page.keyboard.press("Enter")
    page.wait_for_url(user.base_url + "/")
    assert "Taak 'Triage' is afgerond." in user.notice()


def test_text_typed_right_after_a_number_field_is_kept(web, app, as_user):
    """form-js's number field sends its value once more 300 ms after it is left; text typed into another
    box in that moment, and not yet taken up by the form, must not be wiped by the redrawn form."""
    from tests.scenarios.flow import Team, assessment

    with app.app_context():
        deploy_folders([PROJECT / "processes", PROJECT / "forms"], actor="test")
    team = Team(as_user)
    case = team.start_threat()
    team.to_threat_assessment(case["id"])
    team.do(team.politie, case["id"], "threat_assessment", assessment())
    task = team.gemeente.task_for(case["id"], "cost_decision")

    user = web()
    user.sign_in("gemeente.westbetuwe")
    user.goto(f"/tasks/{task['id']}")
    user.wait_for_form()
    user.field("Geraamde kosten (EUR)").locator("input").click()
    user.page.keyboard.type("48000")
    user.field("Toelichting").locator("textarea").click()  # leaves the number field
    user.page.keyboard.type("Offerte", delay=10)  # done well within 300 ms
    user.page.wait_for_timeout(700)
    assert user.value_of("Toelichting") == "Offerte"
    assert user.value_of("Geraamde kosten (EUR)") == "€\u00a048.000"  # shown formatted once left


def test_the_rows_of_a_dynamic_list_are_added_and_removed_in_the_page_language(web, app, as_user):
    from tests.scenarios.flow import Team

    with app.app_context():
        deploy_folders([PROJECT / "processes", PROJECT / "forms"], actor="test")
    team = Team(as_user)
    case = team.start_threat()
    team.to_application(case["id"])
    task = team.gemeente.task_for(case["id"], "submit_application")

    user = web()
    user.sign_in("gemeente.westbetuwe")
    user.goto(f"/tasks/{task['id']}")
    user.wait_for_form()
    group = user.page.locator(".fjs-form-field-dynamiclist")
    add = group.get_by_role("button", name="Rij toevoegen", exact=True)
    # form-js writes "Add new" into the button; what shows is the Dutch text after it, the English hidden.
    assert add.evaluate("el => getComputedStyle(el, '::after').content") == '"Rij toevoegen"'
    assert add.evaluate("el => getComputedStyle(el).fontSize") == "0px"
    add.click()
    add.click()
    assert group.locator(".fjs-repeat-row-container").count() == 2
    assert group.get_by_role("button", name="Rij 2 verwijderen").count() == 1
    group.get_by_role("button", name="Rij 1 verwijderen").click()
    assert group.locator(".fjs-repeat-row-container").count() == 1
    assert group.get_by_role("button", name="Rij 1 verwijderen").count() == 1  # renumbered, still Dutch
    user.screenshot("dynamic-list")
    user.switch_language("en")
    user.wait_for_form()
    assert user.page.locator(".fjs-form-field-dynamiclist").get_by_role("button", name="Add a row").count() == 1


def _threat_report_form(web, app):
    """The project's own processes deployed, and the gemeente's report form open."""
    with app.app_context():
        deploy_folders([PROJECT / "processes", PROJECT / "forms"], actor="test")
    user = web()
    user.sign_in("gemeente.westbetuwe")
    user.goto("/start/threat_response")
    user.wait_for_form()
    return user


def test_the_date_picker_speaks_the_page_language(web, app):
    """form-js's date picker (flatpickr) and the format shown in an empty date field."""
    user = _threat_report_form(web, app)
    date_input = user.page.locator(".fjs-form-field-datetime input").first
    assert "jjjj" in date_input.get_attribute("placeholder")
    date_input.click()
    calendar = user.page.locator(".flatpickr-calendar.open")
    months = calendar.locator(".flatpickr-monthDropdown-month").all_inner_texts()
    assert months[:3] == ["januari", "februari", "maart"]
    assert calendar.locator(".flatpickr-weekday").first.inner_text().strip() == "ma"  # weeks start on Monday
    user.screenshot("date-picker-nl")

    user.page.keyboard.press("Escape")
    user.switch_language("en")
    user.wait_for_form()
    date_input = user.page.locator(".fjs-form-field-datetime input").first
    assert "yyyy" in date_input.get_attribute("placeholder")
    date_input.click()
    months = user.page.locator(".flatpickr-calendar.open .flatpickr-monthDropdown-month").all_inner_texts()
    assert months[:3] == ["January", "February", "March"]


def test_focus_goes_to_the_first_error_escape_closes_a_dropdown_and_the_logo_is_no_tab_stop(web, reported_case):
    _, _, task_id = reported_case
    user = web()
    page = user.page
    user.sign_in("gemeente.westbetuwe")
    user.goto(f"/tasks/{task_id}")
    user.wait_for_form()
    # the bpmn.io logo stays visible, but Tab passes it by
    logo = page.locator("a.fjs-powered-by-link")
    assert logo.is_visible() and logo.get_attribute("tabindex") == "-1"
    # a refused submit puts the focus on the first field in error, not on the button
    submit = page.locator("form.task-form button[type=submit]")
    submit.focus()
    page.keyboard.press("Enter")
    category = user.field("Categorie").locator("input")
    page.wait_for_function("el => el === document.activeElement", arg=category.element_handle(), timeout=2000)
    assert user.error_of("Categorie") == "Vul dit veld in."
    # the select's options are open while it has the focus; Escape closes them and keeps the focus there
    options = user.field("Categorie").locator(".fjs-dropdownlist")
    options.wait_for()
    page.keyboard.press("Escape")
    assert not options.is_visible()
    assert category.evaluate("el => el === document.activeElement")
    page.keyboard.press("Enter")  # the hidden list picks nothing
    assert user.value_of("Categorie") != "Bedreiging"
    page.keyboard.press("ArrowDown")  # opens them again
    assert options.is_visible()


def test_enter_in_a_date_field_keeps_the_focus_there(web, app):
    user = _threat_report_form(web, app)
    date_input = user.page.locator(".fjs-form-field-datetime input.flatpickr-input").first
    date_input.fill("01-12-2026")
    date_input.press("Enter")
    user.page.wait_for_timeout(100)  # flatpickr closes its calendar after the key
    assert date_input.evaluate("el => el === document.activeElement"), user.page.evaluate(
        "() => document.activeElement.outerHTML.slice(0, 120)"
    )
    assert date_input.input_value().endswith("12-2026")  # the date typed was taken


def test_a_server_refusal_puts_the_focus_on_the_first_field_in_error(web, app):
    with app.app_context():
        deploy_folders([FIXTURES / "basic"], actor="test")
    user = web()
    user.sign_in("gemeente.westbetuwe")
    user.goto("/start/simple_case")
    user.wait_for_form()
    user.fill("Wat is er gebeurd?", "Intimiderende brief")
    user.fill("Gemeentecode", "GM0363")  # not theirs: only the server refuses it
    user.submit_form("Melding versturen")
    user.wait_for_form()
    code = user.field("Gemeentecode").locator("input")
    user.page.wait_for_function("el => el === document.activeElement", arg=code.element_handle(), timeout=2000)


def test_the_inbox_fits_a_320_pixel_screen(web, app):
    with app.app_context():
        deploy_folders([PROJECT / "processes", PROJECT / "forms"], actor="test")
        start_case("threat_response", report(), Actor.for_user(get_user("gemeente.westbetuwe")))
    for username in ("gemeente.westbetuwe", "beheerder"):
        user = web(viewport=(320, 640))
        user.sign_in(username)
        user.goto("/")
        width = user.page.evaluate("() => document.documentElement.scrollWidth")
        widest = user.page.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter((el) => el.getBoundingClientRect().right > 321)
            .map((el) => el.tagName + '.' + el.className + '#' + el.id).slice(0, 8)""")
        assert width <= 320, f"{username}: the inbox is {width} px wide at 320 px: {widest}"
