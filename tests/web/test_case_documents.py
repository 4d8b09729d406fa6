"""The case page's document and note routes: the same rules as the API, CSRF-protected, 404 for strangers."""

from __future__ import annotations

import io

from tests.documents.test_documents import ELF, PDF


def _upload(client, case_id, data, name, json=False):
    headers = {"Accept": "application/json"} if json else {}
    return client.post(
        f"/cases/{case_id}/documents",
        {"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        headers=headers,
    )


def test_the_filepicker_upload_answers_json_and_refuses_an_executable(browser_for, case, app, tmp_path):
    app.config.update(VB_DOCUMENT_DIR=str(tmp_path / "documents"))
    case_id, _, _ = case
    gemeente = browser_for("gemeente.westbetuwe")
    gemeente.get(f"/cases/{case_id}")
    added = _upload(gemeente, case_id, PDF, "offerte.pdf", json=True)
    assert added.status_code == 201 and added.get_json()["content_type"] == "application/pdf"
    refused = _upload(gemeente, case_id, ELF, "offerte.pdf", json=True)
    assert refused.status_code == 422 and refused.get_json()["code"] == "unsupported_document_type"
    download = gemeente.get(f"/documents/{added.get_json()['id']}")
    assert download.data == PDF and download.headers["X-Content-Type-Options"] == "nosniff"

    other = browser_for("gemeente.amsterdam")
    other.get("/")
    assert other.get(f"/documents/{added.get_json()['id']}").status_code == 404
    assert _upload(other, case_id, PDF, "x.pdf", json=True).status_code == 404
    assert other.post(f"/cases/{case_id}/notes", {"text": "x"}).status_code == 404


def test_the_page_routes_need_the_csrf_token(browser_for, case, app, tmp_path):
    app.config.update(VB_DOCUMENT_DIR=str(tmp_path / "documents"))
    case_id, _, _ = case
    gemeente = browser_for("gemeente.westbetuwe")
    assert gemeente.post(f"/cases/{case_id}/notes", {"text": "x"}, csrf=False).status_code == 400
    page = gemeente.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "data-note" not in page
