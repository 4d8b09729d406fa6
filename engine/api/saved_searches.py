"""`/api/v1/saved-searches`: the caller's own saved case searches (list, save, delete)."""

from __future__ import annotations

from flask.views import MethodView

from ..core.apidoc import Blueprint
from ..identity.auth import current_actor, protect
from ..core.schemas import AUTH
from ..search import service
from ..search.schemas import NewSavedSearchSchema, SavedSearchSchema

blp = Blueprint(
    "saved_searches", __name__, url_prefix="/api/v1/saved-searches", description="The caller's saved case searches"
)
protect(blp)


def _body(row) -> dict:
    return {
        "id": row.id,
        "name": row.name,
        "query": row.query,
        "url": service.page_url(row),
        "created_at": row.created_at,
    }


@blp.route("")
class SavedSearches(MethodView):
    @blp.doc(security=AUTH)
    @blp.response(200, SavedSearchSchema(many=True))
    @blp.errors((404, "The caller is not a signed-in user (a webhook source keeps no searches)"))
    def get(self):
        """The caller's saved searches, by name."""
        return [_body(row) for row in service.saved_searches(current_actor())]

    @blp.doc(security=AUTH)
    @blp.arguments(NewSavedSearchSchema)
    @blp.response(201, SavedSearchSchema)
    @blp.errors(
        (404, "The caller is not a signed-in user"),
        (409, "A saved search of that name exists, or the caller keeps the most allowed"),
        (422, "A parameter the cases list does not know"),
    )
    def post(self, body):
        """Save a search of the cases list under a name."""
        return _body(service.save_search(current_actor(), body["name"], body["query"]))


@blp.route("/<row_id:search_id>")
class SavedSearch(MethodView):
    @blp.doc(security=AUTH)
    @blp.response(204)
    @blp.errors((404, "No such saved search of the caller"))
    def delete(self, search_id):
        """Delete one of the caller's saved searches."""
        service.delete_search(current_actor(), search_id)
        return None
