"""Documents and notes on the case page: add a note, upload a document, download one."""

from __future__ import annotations

from flask import flash, jsonify, redirect, request, url_for

from ...accesslog.service import PAGE
from ...documents import service as documents
from ...documents.download import download_response
from ...core.errors import ApiError, Unprocessable
from ...notes import service as notes
from ..blueprint import bp
from ..i18n import _
from ...identity.auth import current_actor
from ..session_auth import login_required


@bp.post("/cases/<case_id>/notes")
@login_required
def add_case_note(case_id):
    actor = current_actor(sessions=True)
    text = (request.form.get("text") or "").strip()
    if not text or len(text) > 10_000:
        flash(_("Write a note of 1 to 10,000 characters."), "error")
    else:
        notes.add_note(case_id, actor, text, request.form.get("restricted") == "on")
        flash(_("Your note has been added."), "success")
    return redirect(url_for("web.case_page", case_id=case_id) + "#timeline-heading")


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


@bp.post("/cases/<case_id>/documents")
@login_required
def add_case_document(case_id):
    """From the case page's upload form (answers with the page), or from a task form's filepicker before the
    form is sent (answers JSON: the new document, or the error)."""
    actor = current_actor(sessions=True)
    if _wants_json():
        return _upload_json(case_id, actor)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Choose a file to upload."), "error")
        return redirect(url_for("web.case_page", case_id=case_id) + "#documents-heading")
    try:
        documents.get_visible_case(case_id, actor)
        data = documents.read_upload(upload.stream)
        added = documents.add_document(
            case_id,
            actor,
            data,
            upload.filename,
            request.form.get("title") or None,
            request.form.get("category") or None,
        )
    except ApiError as err:
        if err.status == 404:
            raise
        flash(_("The document was not added: %(reason)s", reason=err.message), "error")
    else:
        flash(_("Document '%(name)s' has been added.", name=added["title"]), "success")
    return redirect(url_for("web.case_page", case_id=case_id) + "#documents-heading")


@bp.get("/documents/<document_id>")
@login_required
def download_document(document_id):
    return download_response(*documents.document_content(document_id, current_actor(sessions=True), channel=PAGE))


def _upload_json(case_id, actor):
    upload = request.files.get("file")
    try:
        if upload is None:
            raise Unprocessable(_("Choose a file to upload."), errors={"file": [_("Choose a file to upload.")]})
        documents.get_visible_case(case_id, actor)
        data = documents.read_upload(upload.stream)
        added = documents.add_document(
            case_id, actor, data, upload.filename or "", None, request.form.get("category") or None
        )
    except ApiError as err:
        return jsonify(err.to_dict()), err.status
    return jsonify(added), 201
