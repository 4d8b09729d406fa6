from __future__ import annotations

from flask.views import MethodView

from ..core.apidoc import CASE_DATA, Blueprint
from ..identity.auth import current_actor, protect
from ..core.schemas import AUTH
from ..notes import service
from ..notes.schemas import NewNoteSchema, NoteSchema

blp = Blueprint("notes", __name__, url_prefix="/api/v1/process-instances", description="Notes on a case")
protect(blp)


@blp.route("/<process_instance_id>/notes")
class CaseNotes(MethodView):
    @blp.doc(security=AUTH)
    @blp.arguments(NewNoteSchema)
    @blp.response(201, NoteSchema)
    @blp.errors(
        (403, "The privacy officer writes no notes"), (404, "No such case, or not visible to the caller"), *CASE_DATA
    )
    def post(self, body, process_instance_id):
        """Add a note to a case, for every role that sees it or (`restricted`) the author's organisation only."""
        return service.add_note(process_instance_id, current_actor(), body["text"], body["restricted"])

    @blp.doc(security=AUTH)
    @blp.response(200, NoteSchema(many=True))
    @blp.errors((404, "No such case, or not visible to the caller"), *CASE_DATA)
    def get(self, process_instance_id):
        """The notes of a case the caller reads, oldest first."""
        return service.notes_of(process_instance_id, current_actor())
