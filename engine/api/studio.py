"""The studio's JSON API under /api/v1/studio (bearer token, or the studio pages' session with CSRF)."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView

from ..core.apidoc import Blueprint
from ..core.errors import NotFound
from ..db.extensions import MAX_ROW_ID
from ..access import policy
from ..core.schemas import AUTH, ApiErrorSchema
from ..studio import service
from ..identity.auth import current_actor
from ..studio.access import protect_api
from ..studio.schemas import (
    DeploySchema,
    FileContentSchema,
    FileDetailSchema,
    NewFileSchema,
    RunTestsSchema,
    StudioDeployErrorSchema,
    StudioDeploymentSchema,
    TestReportSchema,
    ValidateSchema,
    ValidationReportSchema,
    VersionSchema,
    WorkspaceFileSchema,
)
from ..studio.workspace import discard_draft

blp = Blueprint(
    "studio",
    __name__,
    url_prefix="/api/v1/studio",
    description="The process owner's studio: drafts, validation, scenario tests, deployment, versions",
)
protect_api(blp, policy.can_deploy)


def _overrides(body) -> dict:
    return {item["file_name"]: item["content"] for item in body.get("files") or []}


@blp.route("/files")
class Files(MethodView):
    @blp.doc(security=AUTH)
    @blp.response(200, WorkspaceFileSchema(many=True))
    def get(self):
        """Every file of the workspace: deployed version, and whether a draft differs from it."""
        return service.list_files()

    @blp.doc(security=AUTH)
    @blp.arguments(NewFileSchema)
    @blp.response(201, ValidationReportSchema)
    @blp.alt_response(422, schema=ApiErrorSchema, description="A file name the studio cannot store")
    def post(self, body):
        """Add a file (a new diagram, decision, form or scenario test, or an import) as a draft."""
        return service.save(body["file_name"], body["content"], current_actor(sessions=True))


@blp.route("/files/<path:file_name>")
class File(MethodView):
    @blp.doc(security=AUTH)
    @blp.response(200, FileDetailSchema)
    def get(self, file_name):
        """A file's text: the draft when there is one, and the deployed text beside it."""
        return service.file_detail(file_name)

    @blp.doc(security=AUTH)
    @blp.arguments(FileContentSchema)
    @blp.response(200, ValidationReportSchema)
    def put(self, body, file_name):
        """Save a draft (kept even when it has problems) and validate the workspace with it."""
        return service.save(file_name, body["content"], current_actor(sessions=True))

    @blp.doc(security=AUTH)
    @blp.response(204)
    def delete(self, file_name):
        """Discard a draft (back to the deployed text), or delete a scenario test file."""

        discard_draft(file_name)


@blp.route("/validate")
class Validate(MethodView):
    @blp.doc(security=AUTH)
    @blp.arguments(ValidateSchema)
    @blp.response(200, ValidationReportSchema)
    def post(self, body):
        """Validate the workspace (with unsaved texts, if given): XML schema, the engine's parse, the host's
        checks, unreachable elements and messages without a sender."""
        return service.validate(_overrides(body))


@blp.route("/tests/run")
class RunTests(MethodView):
    @blp.doc(security=AUTH)
    @blp.arguments(RunTestsSchema)
    @blp.response(200, TestReportSchema)
    def post(self, body):
        """Run the scenario tests against the workspace, in memory: no case is created."""
        return service.run_tests(_overrides(body), body.get("only"))


@blp.route("/deploy")
class Deploy(MethodView):
    @blp.doc(security=AUTH)
    @blp.arguments(DeploySchema)
    @blp.response(201, StudioDeploymentSchema)
    @blp.alt_response(
        422, schema=StudioDeployErrorSchema, description="Problems or failing scenario tests; nothing deployed"
    )
    def post(self, body):
        """Deploy the drafts: validated, gated by every scenario test, then one atomic deployment."""
        return service.deploy_drafts(current_actor(sessions=True), body.get("files"))


@blp.route("/processes/<process_id>/versions")
class Versions(MethodView):
    @blp.doc(security=AUTH)
    @blp.response(200, VersionSchema(many=True))
    def get(self, process_id):
        """Every version of a process, newest first, with who deployed it, when, and what changed."""
        return service.process_versions(process_id)


@blp.route("/processes/<process_id>/versions/<version>/xml")
class VersionXml(MethodView):
    @blp.doc(security=AUTH)
    @blp.response(200, {"type": "string"}, content_type="application/xml")
    def get(self, process_id, version):
        """The BPMN XML of one version."""
        # ASCII digits only ('²' is a digit to str.isdigit, not to int), within the version column's INTEGER
        if not (version.isascii() and version.isdigit()) or int(version) > MAX_ROW_ID:
            raise NotFound(f"Process '{process_id}' has no version '{version}'.")
        return Response(service.version_xml(process_id, int(version)), mimetype="application/xml")


@blp.route("/export.zip")
class Export(MethodView):
    @blp.doc(security=AUTH)
    @blp.response(200, {"type": "string", "format": "binary"}, content_type="application/zip")
    def get(self):
        """The deployed files (and scenario tests) as a zip in the processes/ and forms/ layout."""
        return Response(
            service.export_zip(),
            mimetype="application/zip",
            headers={"Content-Disposition": 'attachment; filename="veilig-bestuur-processes.zip"'},
        )
