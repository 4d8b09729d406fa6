"""Documents and notes on the case page, in Chromium: a note shows in the timeline, a restricted one only to the
author's organisation; a document uploaded on the page is listed with who added it and downloads as it was."""

from __future__ import annotations

from engine.app.cli import deploy_folders
from tests.documents.test_documents import PDF
from tests.support.api import FIXTURES


def test_notes_show_in_the_timeline_and_restricted_ones_stay_in_the_organisation(web, app, as_user, tmp_path):
    app.config.update(VB_DOCUMENT_DIR=str(tmp_path / "documents"))
    with app.app_context():
        deploy_folders([FIXTURES / "basic"], actor="test")
    case = as_user("ambtsdrager.westbetuwe").start(
        "simple_case", {"summary": "Bedreiging via sociale media", "municipality_code": "GM0668"}
    )

    gemeente = web()
    gemeente.sign_in("gemeente.westbetuwe")
    gemeente.goto(f"/cases/{case['id']}")
    gemeente.page.get_by_label("Nieuwe notitie").fill("Wethouder gebeld, belt morgen terug")
    gemeente.page.get_by_role("button", name="Notitie toevoegen").click()
    gemeente.page.get_by_label("Nieuwe notitie").fill("Alleen voor OOV: overweegt aangifte")
    gemeente.page.get_by_label("Alleen voor mijn eigen organisatie").check()
    gemeente.page.get_by_role("button", name="Notitie toevoegen").click()
    timeline = gemeente.page.locator(".timeline [data-note]")
    assert timeline.count() == 2
    assert "Wethouder gebeld, belt morgen terug" in timeline.nth(0).inner_text()
    assert "alleen eigen organisatie" in timeline.nth(1).inner_text()

    path = tmp_path / "offerte.pdf"
    path.write_bytes(PDF)
    gemeente.page.get_by_label("Bestand (pdf, afbeelding, kantoordocument of e-mail)").set_input_files(str(path))
    gemeente.page.get_by_label("Titel").fill("Offerte camera")
    gemeente.page.get_by_role("button", name="Document uploaden").click()
    row = gemeente.page.locator("[data-documents] tbody tr")
    assert row.count() == 1 and "Offerte camera" in row.inner_text() and "Gemeente West Betuwe" in row.inner_text()
    with gemeente.page.expect_download() as download:
        row.get_by_role("link", name="Offerte camera").click()
    assert download.value.suggested_filename == "offerte.pdf"
    assert open(download.value.path(), "rb").read() == PDF
    assert gemeente.accessibility_violations() == []

    holder = web()
    holder.sign_in("ambtsdrager.westbetuwe")  # same municipality: the restricted note is for its organisation
    holder.goto(f"/cases/{case['id']}")
    assert holder.page.locator(".timeline [data-note]").count() == 2

    beheerder = web()  # another organisation that sees every case: the open note only
    beheerder.sign_in("beheerder")
    beheerder.goto(f"/cases/{case['id']}")
    notes = beheerder.page.locator(".timeline [data-note]")
    assert notes.count() == 1 and "Wethouder gebeld" in notes.nth(0).inner_text()
    assert "overweegt aangifte" not in beheerder.page.content()


def test_a_pdf_picked_in_the_compensation_application_reaches_bzk(web, app, as_user, tmp_path):
    from tests.scenarios.flow import Team
    from tests.support.api import PROJECT

    app.config.update(VB_DOCUMENT_DIR=str(tmp_path / "documents"))
    with app.app_context():
        deploy_folders([PROJECT / "processes", PROJECT / "forms"], actor="test")
    team = Team(as_user)
    case = team.start_threat()
    team.to_application(case["id"])
    task = team.gemeente.task_for(case["id"], "submit_application")
    path = tmp_path / "offerte-alarm.pdf"
    path.write_bytes(PDF)

    user = web()
    user.sign_in("gemeente.westbetuwe")
    user.goto(f"/tasks/{task['id']}")
    user.wait_for_form()
    user.fill_list(
        "Maatregelen en bedragen", [{"Maatregel": "Alarminstallatie met opvolging", "Bedrag (EUR)": "48000"}]
    )
    user.fill_all({"Kenmerk beveiligingsadvies": "ADV-2026-17", "Datum aanvraag": "2026-12-01"})
    user.field("Offerte of factuur van de maatregelen").locator("input[type=file]").set_input_files(str(path))
    user.submit_form("Taak afronden")
    # the picked file is uploaded first, then the form is sent: on to the inbox
    user.page.wait_for_url(lambda url: f"/tasks/{task['id']}" not in url, timeout=15_000)

    decision = team.bzk.task_for(case["id"], "decide_compensation")
    (document_id,) = team.bzk.get(f"/api/v1/tasks/{decision['id']}").get_json()["data"]["quote_documents"]
    download = team.bzk.get(f"/api/v1/documents/{document_id}/content")
    assert download.status_code == 200 and download.data == PDF
    listed = team.bzk.get(f"/api/v1/process-instances/{decision['process_instance_id']}/documents").get_json()
    assert [(d["filename"], d["category"], d["created_by"]) for d in listed] == [
        ("offerte-alarm.pdf", "kosten", "gemeente.westbetuwe")
    ]
