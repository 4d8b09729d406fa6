from __future__ import annotations

from flask import request
from flask.views import MethodView

from ..core.apidoc import CASE_DATA, Blueprint
from ..core.errors import Unprocessable
from ..identity.auth import current_actor, protect
from ..core.schemas import AUTH
from ..documents import service
from ..documents.download import download_response
from ..documents.schemas import CONTENT_RESPONSE, UPLOAD_BODY, DocumentSchema

blp = Blueprint("documents", __name__, url_prefix="/api/v1", description="Documents of a case")
protect(blp)

_FIELDS = ("file", "title", "category")


def _upload_parts():
    """The multipart parts; an unknown part or a missing file is a 422 that names what the body takes."""
    unknown = sorted((set(request.form) | set(request.files)) - set(_FIELDS))
    if unknown:
        raise Unprocessable(
            f"Unknown part {', '.join(repr(n) for n in unknown)}; the body takes: {', '.join(_FIELDS)}.",
            errors={n: ["Unknown field."] for n in unknown},
            accepted=list(_FIELDS),
        )
    upload = request.files.get("file")
    if upload is None:
        raise Unprocessable(
            "Send the document as the multipart/form-data part 'file'.",
            errors={"file": ["Missing data for required field."]},
        )
    return upload, request.form.get("title"), request.form.get("category")


@blp.route("/process-instances/<process_instance_id>/documents")
class CaseDocuments(MethodView):
    @blp.doc(security=AUTH, requestBody=UPLOAD_BODY)
    @blp.response(201, DocumentSchema)
    @blp.errors(
        (404, "No such case, or not visible to the caller"),
        (413, "The file is larger than VB_DOCUMENT_MAX_BYTES (code `request_entity_too_large`)"),
        (
            422,
            "No `file` part, an unknown part, a category the caller does not read, or content that is "
            "not an accepted type (code `unsupported_document_type`, `found` names what it is)",
        ),
        *CASE_DATA,
    )
    def post(self, process_instance_id):
        """Add a document to a case (multipart/form-data: `file`, optional `title` and `category`)."""
        actor = current_actor()
        upload, title, category = _upload_parts()
        service.get_visible_case(process_instance_id, actor)  # 404 before reading a byte of the upload
        data = service.read_upload(upload.stream)
        return service.add_document(process_instance_id, actor, data, upload.filename or "", title, category)

    @blp.doc(security=AUTH)
    @blp.response(200, DocumentSchema(many=True))
    @blp.errors((404, "No such case, or not visible to the caller"), *CASE_DATA)
    def get(self, process_instance_id):
        """The documents of a case that the caller reads (their categories), oldest first."""
        return service.list_documents(process_instance_id, current_actor())


@blp.route("/documents/<document_id>/content")
class DocumentContent(MethodView):
    @blp.doc(security=AUTH, responses={"200": CONTENT_RESPONSE})
    @blp.errors((404, "No such document, or not readable by the caller (its case or its category)"), *CASE_DATA)
    def get(self, document_id):
        """Download a document (an attachment, never shown inline)."""
        return download_response(*service.document_content(document_id, current_actor()))
