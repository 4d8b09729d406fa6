from flask.views import MethodView

from ..core.apidoc import Blueprint
from ..core.errors import Forbidden
from ..access import policy
from ..identity.auth import current_actor, protect
from ..core.schemas import AUTH, ApiErrorSchema
from ..definitions import approvals
from ..definitions.models import ProcessVersion
from ..definitions.schemas import (
    ApprovalArgsSchema,
    ApprovalSchema,
    DeploymentErrorSchema,
    DeploymentFilesSchema,
    DeploymentSchema,
    ProcessDefinitionSchema,
    ProcessVersionSchema,
    ProcessXmlSchema,
    RefusalSchema,
)
from ..definitions.service import (
    Upload,
    bpmn_file_of,
    deploy,
    form_definition,
    get_latest_version,
    latest_process_versions,
    process_versions,
    recent_deployments,
)
from functools import wraps

blp = Blueprint("definitions", __name__, url_prefix="/api/v1", description="Deployed processes, decisions and forms")
protect(blp)


def _definition(version: ProcessVersion, actor) -> dict:
    start_form = None
    for start in version.model.get("start_events", []):
        if start.get("form") and not start.get("timer"):
            file_id = version.model.get("forms", {}).get(start["form"]["ref"]) or version.model.get(
                "form_files", {}
            ).get(start["form"]["ref"])
            if file_id:
                start_form = form_definition(file_id).schema
    return {
        "process_id": version.process_id,
        "name": version.name,
        "version": version.version,
        "id": version.id,
        "executable": version.executable,
        "deployment_id": version.deployment_id,
        "created_at": version.created_at,
        "can_start": version.executable and policy.can_start(actor, version.model.get("starter_groups", [])),
        "start_form": start_form,
        "timer_start": [s["timer"] for s in version.model.get("start_events", []) if s.get("timer")],
    }


@blp.route("/process-definitions")
class ProcessDefinitions(MethodView):
    @blp.doc(security=AUTH)
    @blp.response(200, ProcessDefinitionSchema(many=True))
    def get(self):
        """The latest deployed version of every process, with its start form."""
        actor = current_actor()
        return [_definition(v, actor) for v in latest_process_versions()]


@blp.route("/process-definitions/<process_id>/versions")
class ProcessDefinitionVersions(MethodView):
    @blp.doc(security=AUTH)
    @blp.response(200, ProcessVersionSchema(many=True))
    def get(self, process_id):
        """Every deployed version of one process, newest first."""
        current_actor()
        return process_versions(process_id)


@blp.route("/process-definitions/<process_id>/xml")
class ProcessDefinitionXml(MethodView):
    @blp.doc(security=AUTH)
    @blp.response(200, ProcessXmlSchema)
    def get(self, process_id):
        """The BPMN XML of the latest version of a process (for diagram viewers)."""
        current_actor()
        version = get_latest_version(process_id)
        row = bpmn_file_of(version)
        return {"process_id": process_id, "version": version.version, "file_name": row.file_name, "xml": row.content}


def deployers_only(view):
    """Checked before the upload is parsed, so a caller without the role learns nothing about its files."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not policy.can_deploy(current_actor()):
            raise Forbidden("Deploying needs the role procesbeheerder or beheerder.")
        return view(*args, **kwargs)

    return wrapper


@blp.route("/deployments")
class Deployments(MethodView):
    @deployers_only
    @blp.doc(security=AUTH)
    @blp.arguments(DeploymentFilesSchema, location="files")
    @blp.response(201, DeploymentSchema)
    @blp.alt_response(422, schema=DeploymentErrorSchema, description="Per-file problems; nothing was deployed")
    @blp.errors(
        (
            403,
            "Deploying needs the role procesbeheerder or beheerder; or (code `approval_required`, with "
            "`approval_id` and `changes`) the deployment lowers the protection of case data and waits for "
            "a second person's approval",
        )
    )
    def post(self, files):
        """Deploy one or more files atomically: all are validated first, then only changed files get a new version."""
        actor = current_actor()
        uploads = [Upload(f.filename or "", f.read()) for f in files["files"]]
        return deploy(uploads, actor.username, source="api")

    @blp.doc(security=AUTH)
    @blp.response(200, DeploymentSchema(many=True))
    @blp.errors((403, "Listing deployments needs the role procesbeheerder or beheerder"))
    def get(self):
        """Recent deployments, newest first."""
        actor = current_actor()
        if not policy.can_deploy(actor):
            raise Forbidden("Listing deployments needs the role procesbeheerder or beheerder.")
        rows = recent_deployments()
        return [{"id": d.id, "created_at": d.created_at, "created_by": d.created_by, **(d.summary or {})} for d in rows]


def _decider():
    actor = current_actor()
    if not actor.has_role("procesbeheerder", "beheerder", "privacy"):
        raise Forbidden("Approval requests are for process owners and the privacy officer.")
    return actor


@blp.route("/deployments/approvals")
class Approvals(MethodView):
    @blp.doc(security=AUTH)
    @blp.arguments(ApprovalArgsSchema, location="query")
    @blp.response(200, ApprovalSchema(many=True))
    @blp.errors((403, "Not a process owner or the privacy officer"))
    def get(self, args):
        """Deployments that lower the protection of case data and wait for (or got) a second person's approval."""
        _decider()
        return [approvals.as_dict(a) for a in approvals.list_approvals(args.get("status"))]


@blp.route("/deployments/approvals/<row_id:approval_id>/approve")
class Approve(MethodView):
    @blp.doc(security=AUTH)
    @blp.response(200, ApprovalSchema)
    @blp.alt_response(
        403, schema=ApiErrorSchema, description="Not a process owner or privacy officer, or your own request"
    )
    @blp.alt_response(409, schema=ApiErrorSchema, description="Decided already")
    def post(self, approval_id):
        """Approve a request: its deployer can then deploy exactly those files, once."""
        return approvals.as_dict(approvals.approve(approval_id, _decider()))


@blp.route("/deployments/approvals/<row_id:approval_id>/refuse")
class Refuse(MethodView):
    @blp.doc(security=AUTH)
    @blp.arguments(RefusalSchema)
    @blp.response(200, ApprovalSchema)
    @blp.alt_response(
        403, schema=ApiErrorSchema, description="Not a process owner or privacy officer, or your own request"
    )
    @blp.alt_response(409, schema=ApiErrorSchema, description="Decided already")
    def post(self, body, approval_id):
        """Refuse a request, with the reason."""
        return approvals.as_dict(approvals.refuse(approval_id, _decider(), body["reason"]))
