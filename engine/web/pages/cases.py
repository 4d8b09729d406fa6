"""The case page: summary, deadlines, case data, timeline, process diagram and linked cases."""

from __future__ import annotations

from flask import Response, render_template, request

from ..blueprint import bp
from ..case_view import diagram_xml, load_case_page
from ...identity.auth import current_actor
from ..session_auth import login_required
from ...identity.service import display_names
from .inbox import process_names


@bp.get("/cases/<case_id>")
@login_required
def case_page(case_id):
    actor = current_actor(sessions=True)
    all_steps = request.args.get("steps") == "all"
    page = load_case_page(case_id, actor, all_steps=all_steps)
    people = (
        [page.instance.started_by]
        + [e.actor for e in page.events]
        + [t.assignee for t in page.open_tasks]
        + [d["created_by"] for d in page.documents]
        + [n.author for n in page.timeline if n.event == "note"]
    )
    return render_template(
        "case.html",
        page=page,
        case=page.instance,
        names=display_names(people),
        process_names=process_names(),
        all_steps=all_steps,
    )


@bp.get("/cases/<case_id>/diagram.bpmn")
@login_required
def case_diagram(case_id):
    return Response(diagram_xml(case_id, current_actor(sessions=True)), mimetype="application/xml")
