"""A search with a criterion of few cases (an open task at a step) starts, on PostgreSQL, from those cases
intersected with each of the viewer's lists (`policy.visible_among`). That must select exactly the cases
the viewer's clause selects among them, for every kind of viewer, and the search must give the same page
either way."""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from engine.app.cli import deploy_folders
from engine.definitions.models import ProcessVersion
from engine.db.extensions import db
from engine.access import policy
from engine.identity.actor import Actor
from engine.identity.police_units import municipalities_of
from engine.cases import service as instances_service
from engine.instances.models import ProcessInstance
from engine.search.service import find_cases
from engine.instances.task_rows import OPEN, HumanTask, TaskCandidate
from tests.support.api import PROJECT

UNIT = "Oost-Nederland"
IN_UNIT = sorted(municipalities_of(UNIT))[:2]
ELSEWHERE = ["GM0363", "GM0518"]
GROUPS = ["politie", "om", "gemeente", "gemeente.burgemeester", "bzk"]
STEPS = ["triage", "threat_assessment", "cost_decision"]

VIEWERS = {
    "national police": Actor("politie.landelijk", frozenset({"politie"})),
    "regional police": Actor("politie.oost", frozenset({"politie"}), police_unit=UNIT),
    "om": Actor("om.officier", frozenset({"om"})),
    "police and om": Actor("beide", frozenset({"politie", "om"})),
    "mayor": Actor("burgemeester", frozenset({"gemeente", "gemeente.burgemeester"}), IN_UNIT[0]),
    "gemeente": Actor("gemeente.x", frozenset({"gemeente"}), IN_UNIT[0]),
    "office holder": Actor("ambtsdrager", frozenset({"ambtsdrager"})),
    "beheerder": Actor("beheerder", frozenset({"beheerder"})),
}


@pytest.fixture
def cases(app):
    """120 cases in and outside the regional unit (some without a municipality), started by or assigned to
    some of the viewers, with one to three tasks each for various groups, open or done, at various steps."""
    rng = random.Random(7)
    with app.app_context():
        deploy_folders([PROJECT / "processes", PROJECT / "forms"], actor="test")
        version_id = db.session.scalar(
            sa.select(ProcessVersion.id).where(ProcessVersion.process_id == "threat_response")
        )
        users = [viewer.username for viewer in VIEWERS.values()] + ["iemand"] * 8
        for i in range(120):
            case_id = str(uuid.UUID(int=rng.getrandbits(128)))
            municipality = rng.choice(IN_UNIT + ELSEWHERE + [None])
            started = datetime(2026, 1, 1, tzinfo=timezone.utc) + timedelta(hours=i)
            db.session.add(
                ProcessInstance(
                    id=case_id,
                    process_version_id=version_id,
                    process_id="threat_response",
                    business_key=f"VB-T-{i:04d}",
                    municipality_code=municipality,
                    status="running",
                    lock_version=1,
                    started_by=rng.choice(users),
                    started_at=started,
                    updated_at=started,
                    title=f"Zaak {i}",
                    active_elements=[],
                )
            )
            for _ in range(rng.randint(1, 3)):
                task_id = str(uuid.UUID(int=rng.getrandbits(128)))
                step = rng.choice(STEPS)
                db.session.add(
                    HumanTask(
                        id=task_id,
                        instance_id=case_id,
                        process_id="threat_response",
                        element_id=step,
                        name=step,
                        candidate_groups=[],
                        municipality_code=municipality,
                        priority=50,
                        created_at=started,
                        status=OPEN if rng.random() < 0.6 else "completed",
                        assignee=rng.choice(users) if rng.random() < 0.3 else None,
                    )
                )
                for group in rng.sample(GROUPS, rng.randint(1, 2)):
                    db.session.add(TaskCandidate(task_id=task_id, instance_id=case_id, group_name=group))
        db.session.commit()
    yield


def _ids(select) -> set:
    return set(db.session.scalars(select))


@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("viewer", sorted(VIEWERS))
def test_the_few_cases_a_viewer_may_see_are_those_the_clause_selects(app, cases, viewer, step):
    actor = VIEWERS[viewer]
    few = sa.select(HumanTask.instance_id).where(HumanTask.status == OPEN, HumanTask.element_id == step)
    with app.app_context():
        by_clause = _ids(sa.select(ProcessInstance.id).where(ProcessInstance.id.in_(few), policy.case_clause(actor)))
        among = _ids(sa.select(ProcessInstance.id).where(ProcessInstance.id.in_(policy.visible_among(actor, few))))
        assert among == by_clause
        if viewer not in ("beheerder", "office holder"):  # the data gives every other viewer some and not all
            assert 0 < len(by_clause) < len(_ids(few))


@pytest.mark.parametrize("viewer", ["national police", "regional police", "police and om", "mayor", "gemeente"])
def test_a_step_search_gives_the_same_page_whether_or_not_it_starts_from_the_step(app, cases, viewer, monkeypatch):
    actor = VIEWERS[viewer]
    with app.app_context():
        rows, total, exact = find_cases(actor, limit=3, offset=0, open_task="threat_assessment")
        monkeypatch.setattr(instances_service, "_starts_from_few", lambda actor: False)
        plain_rows, plain_total, plain_exact = find_cases(actor, limit=3, offset=0, open_task="threat_assessment")
        monkeypatch.setattr(instances_service, "_starts_from_few", lambda actor: True)
        forced_rows, forced_total, _ = find_cases(actor, limit=3, offset=0, open_task="threat_assessment")
    assert total > 3 and exact and plain_exact  # more than a page
    assert [r.id for r in rows] == [r.id for r in plain_rows] == [r.id for r in forced_rows]
    assert total == plain_total == forced_total
