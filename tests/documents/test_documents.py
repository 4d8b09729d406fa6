"""Documents of a case: sealed at rest (file or PostgreSQL), typed by their content, read only by who may
see the case and read the document's category, every download logged, purged with the case."""

from __future__ import annotations

import hashlib
import io

import pytest
import sqlalchemy as sa

from tests.scenarios.conftest import deploy_real  # noqa: F401 (a fixture)
from tests.scenarios.flow import Team, to_threat_assessment_with_support

SECRET = b"Offerte beveiliging Dorpsstraat 12 Geldermalsen"
PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"3 0 obj << /Length 47 >> stream\n" + SECRET + b"\nendstream endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
)
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200
EML = (
    b"From: politie@example.org\r\nTo: burgemeester@example.org\r\nSubject: Advies\r\n"
    b"Date: Mon, 7 Dec 2026 10:00:00 +0100\r\n\r\n" + SECRET + b"\r\n"
)


@pytest.fixture(params=["file", "database"])
def store(request, app, tmp_path):
    if request.param == "database" and not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("the database store is for PostgreSQL")
    app.config.update(VB_DOCUMENT_STORE=request.param, VB_DOCUMENT_DIR=str(tmp_path / "documents"))
    return request.param


def upload(user, case_id, data, filename="offerte.pdf", **form):
    return user.post(
        f"/api/v1/process-instances/{case_id}/documents",
        data={"file": (io.BytesIO(data), filename), **form},
        content_type="multipart/form-data",
    )


def stored_bytes(app, store, tmp_path) -> bytes:
    if store == "file":
        return b"".join(p.read_bytes() for p in (tmp_path / "documents").rglob("*") if p.is_file())
    with app.app_context():
        from engine.db.extensions import db

        return b"".join(db.session.scalars(sa.text("SELECT content FROM case_document")).all())


def test_a_quote_reaches_bzk_byte_for_byte_and_is_stored_sealed(deploy_real, as_user, app, store, tmp_path):
    team = Team(as_user).login("gemeente", "politie", "bzk", "admin")
    case_id = team.start_threat()["id"]
    team.to_application(case_id)
    added = upload(team.gemeente, case_id, PDF, category="kosten", title="Offerte alarm")
    # BZK takes part, and so reads the case's cost documents, once the application has reached it
    team.gemeente.complete(team.gemeente.task_for(case_id, "submit_application")["id"], APPLICATION)
    assert added.status_code == 201, added.get_json()
    body = added.get_json()
    assert body["content_type"] == "application/pdf" and body["size"] == len(PDF)
    assert body["sha256"] == hashlib.sha256(PDF).hexdigest() and body["created_by"] == "gemeente.westbetuwe"
    assert body["filename"] == "offerte.pdf" and body["title"] == "Offerte alarm" and body["category"] == "kosten"

    listed = team.bzk.get(f"/api/v1/process-instances/{case_id}/documents").get_json()
    assert [d["id"] for d in listed] == [body["id"]]
    download = team.bzk.get(f"/api/v1/documents/{body['id']}/content")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Disposition"].startswith('attachment; filename="offerte.pdf"')

    sealed = stored_bytes(app, store, tmp_path)
    assert sealed and SECRET not in sealed and b"%PDF" not in sealed
    with app.app_context():
        from engine.db.extensions import db

        meta = b"".join(db.session.scalars(sa.text("SELECT meta FROM case_document")).all())
    assert b"offerte" not in meta and b"Offerte" not in meta


def test_downloads_are_in_the_read_log(deploy_real, as_user, app, store):
    team = Team(as_user).login("gemeente")
    case_id = team.start_threat()["id"]
    document_id = upload(team.gemeente, case_id, PDF).get_json()["id"]
    team.gemeente.get(f"/api/v1/documents/{document_id}/content")
    with app.app_context():
        from engine.accesslog.models import AccessLogEntry
        from engine.db.extensions import db

        rows = db.session.scalars(sa.select(AccessLogEntry).where(AccessLogEntry.activity == "document.content")).all()
    assert [(r.username, r.instance_id) for r in rows] == [("gemeente.westbetuwe", case_id)]


def test_an_executable_named_pdf_is_refused_by_its_content(deploy_real, as_user, app, store, tmp_path):
    team = Team(as_user).login("gemeente")
    case_id = team.start_threat()["id"]
    refused = upload(team.gemeente, case_id, ELF, "offerte.pdf")
    assert refused.status_code == 422
    body = refused.get_json()
    assert body["code"] == "unsupported_document_type" and body["found"] == "application/x-executable"
    assert "ELF executable" in body["message"] and "offerte" not in body["message"]
    windows = upload(team.gemeente, case_id, b"MZ\x90\x00" + b"\x00" * 60 + b"PE\x00\x00" + b"\x00" * 100, "a.pdf")
    assert windows.status_code == 422 and "application/x-msdownload" in windows.get_json()["found"]
    assert team.gemeente.get(f"/api/v1/process-instances/{case_id}/documents").get_json() == []


def test_an_email_file_is_accepted_by_its_headers(deploy_real, as_user, app, store):
    team = Team(as_user).login("gemeente")
    case_id = team.start_threat()["id"]
    added = upload(team.gemeente, case_id, EML, "advies.eml")
    assert added.status_code == 201 and added.get_json()["content_type"] == "message/rfc822"


def test_who_may_not_read_a_document_gets_404(deploy_real, as_user, app, store):
    team = Team(as_user).login("gemeente", "politie", "ivp")
    case_id = team.start_threat()["id"]
    to_threat_assessment_with_support(team, case_id)
    police = upload(team.politie, case_id, PDF, "advies.pdf", category="politieadvies").get_json()
    support = upload(team.gemeente, case_id, PDF, "verwijzing.pdf", category="ondersteuning").get_json()
    # The IVP has no part in the threat case (the office holder reaches it in its own case): nothing of it
    assert team.ivp.get(f"/api/v1/process-instances/{case_id}").status_code == 404
    assert team.ivp.get(f"/api/v1/documents/{police['id']}/content").status_code == 404
    assert team.ivp.get(f"/api/v1/documents/{support['id']}/content").status_code == 404
    assert team.ivp.get(f"/api/v1/process-instances/{case_id}/documents").status_code == 404
    assert team.gemeente.get(f"/api/v1/documents/{support['id']}/content").status_code == 200
    other = as_user("gemeente.amsterdam")
    for document in (police, support):
        missing = other.get(f"/api/v1/documents/{document['id']}/content")
        assert missing.status_code == 404 and missing.get_json()["code"] == "not_found"
    assert other.get(f"/api/v1/process-instances/{case_id}/documents").status_code == 404
    assert upload(other, case_id, PDF).status_code == 404
    assert team.gemeente.get("/api/v1/documents/not-a-uuid/content").status_code == 404


def test_bad_uploads_get_a_precise_4xx(deploy_real, as_user, app, store):
    team = Team(as_user).login("gemeente")
    case_id = team.start_threat()["id"]
    url = f"/api/v1/process-instances/{case_id}/documents"
    no_file = team.gemeente.post(url, data={"title": "x"}, content_type="multipart/form-data")
    assert no_file.status_code == 422 and "file" in no_file.get_json()["errors"]
    unknown = team.gemeente.post(
        url, data={"file": (io.BytesIO(PDF), "a.pdf"), "kind": "x"}, content_type="multipart/form-data"
    )
    assert unknown.status_code == 422 and unknown.get_json()["accepted"] == ["file", "title", "category"]
    wrong_category = upload(team.gemeente, case_id, PDF, category="geheim")
    assert wrong_category.status_code == 422 and "category" in wrong_category.get_json()["errors"]
    app.config["VB_DOCUMENT_MAX_BYTES"] = len(PDF) - 1
    too_large = upload(team.gemeente, case_id, PDF)
    assert too_large.status_code == 413 and too_large.get_json()["code"] == "request_entity_too_large"
    assert team.gemeente.get(url).get_json() == []


def test_documents_are_purged_with_the_case(deploy_real, as_user, app, store, tmp_path):
    team = Team(as_user).login("gemeente", "admin")
    case_id = team.start_threat()["id"]
    document_id = upload(team.gemeente, case_id, PDF).get_json()["id"]
    with app.app_context():
        from engine.db.extensions import db
        from engine.identity.actor import Actor
        from engine.instances.models import ProcessInstance
        from engine.retention.service import purge

        db.session.execute(sa.update(ProcessInstance).where(ProcessInstance.id == case_id).values(status="cancelled"))
        db.session.commit()
        purge(case_id, Actor.system("test"), "erasure request")
        assert db.session.scalar(sa.text("SELECT count(*) FROM case_document")) == 0
    assert not any(p.is_file() for p in (tmp_path / "documents").rglob("*"))
    assert team.gemeente.get(f"/api/v1/documents/{document_id}/content").status_code == 404


APPLICATION = {
    "requested_measures": [{"measure": "alarm_opvolging", "amount": 30_000}, {"measure": "camera", "amount": 18_000}],
    "measures_details": "Alarm met opvolging en camera's bij de woning.",
    "advice_reference": "ADV-2026-17",
    "application_date": "2026-12-01",
}


def test_a_pdf_in_the_compensation_application_reaches_bzks_decision(deploy_real, as_user, app, store):
    team = Team(as_user).login("gemeente", "politie", "bzk")
    case_id = team.start_threat()["id"]
    team.to_application(case_id)
    task = team.gemeente.task_for(case_id, "submit_application")
    owner = task["process_instance_id"]
    document = upload(team.gemeente, owner, PDF, "offerte-alarm.pdf", category="kosten").get_json()

    refused = team.gemeente.complete(task["id"], dict(APPLICATION, quote_documents=["not-a-document"]), expect=422)
    assert "quote_documents" in refused["errors"]
    stranger = "00000000-0000-4000-8000-000000000000"
    refused = team.gemeente.complete(task["id"], dict(APPLICATION, quote_documents=[stranger]), expect=422)
    assert stranger in refused["errors"]["quote_documents"][0]
    team.gemeente.complete(task["id"], dict(APPLICATION, quote_documents=[document["id"]]))

    decision = team.bzk.task_for(case_id, "decide_compensation")
    data = team.bzk.get(f"/api/v1/tasks/{decision['id']}").get_json()["data"]
    assert data["quote_documents"] == [document["id"]]  # a reference in the case data, never the bytes
    download = team.bzk.get(f"/api/v1/documents/{data['quote_documents'][0]}/content")
    assert download.status_code == 200 and download.data == PDF


def test_the_database_store_needs_postgresql(app):
    from engine.documents.storage import StoreMisconfigured, check

    class Probe:
        config = {"VB_DOCUMENT_STORE": "database", "SQLALCHEMY_DATABASE_URI": "sqlite:///x.sqlite3"}

    with pytest.raises(StoreMisconfigured, match="needs PostgreSQL"):
        check(Probe)
    Probe.config["VB_DOCUMENT_STORE"] = "s3"
    with pytest.raises(StoreMisconfigured, match="use 'file' or 'database'"):
        check(Probe)
    Probe.config.update(VB_DOCUMENT_STORE="database", SQLALCHEMY_DATABASE_URI="postgresql+psycopg://db/x")
    check(Probe)
