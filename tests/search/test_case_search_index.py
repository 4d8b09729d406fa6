"""The case search at scale: the text index of business key and title (trigrams: pg_trgm on PostgreSQL, FTS5
on SQLite) follows every write of the case row, its two ways of asking give the same cases, and a search
with more matches than the count's bound says so (`total_exact: false`) instead of counting them all."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
import sqlalchemy as sa
import time_machine

from engine.app.cli import deploy_folders
from engine.db.extensions import db
from engine.identity.actor import Actor
from engine.cases import service as instances_service
from engine.instances import text_index
from engine.instances.models import ProcessInstance
from engine.retention.service import purge
from engine.search import service as search_service
from tests.scenarios.flow import Team, report
from tests.support.api import PROJECT


@pytest.fixture
def cases(app, as_user):
    with app.app_context():
        deploy_folders([PROJECT / "processes", PROJECT / "forms"], actor="test")
    west = as_user("gemeente.westbetuwe")
    started = {}
    for name, title, role, day in (
        ("mayor", 'Dreigbrief "100%" burgemeester_x', "burgemeester", 1),
        ("alderman", "Online haat wethouder", "wethouder", 2),
        ("council", "Dreigbrief raadslid", "raadslid", 3),
    ):
        with time_machine.travel(datetime(2026, 3, day, 9, tzinfo=timezone.utc), tick=False):
            started[name] = west.start("threat_response", report(case_title=title, office_holder_role=role))
    with time_machine.travel(datetime(2026, 3, 4, 9, tzinfo=timezone.utc), tick=False):
        started["amsterdam"] = as_user("gemeente.amsterdam").start(
            "threat_response", report(case_title="Dreigbrief Amsterdam", municipality_code="GM0363")
        )
    return started


def _page(api, **params) -> dict:
    response = api.get("/api/v1/process-instances", query_string=params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _keys(api, **params) -> set:
    return {item["business_key"] for item in _page(api, **params)["items"]}


def test_a_search_past_the_bound_says_there_are_more(cases, as_user, monkeypatch):
    admin, west = as_user("beheerder"), as_user("gemeente.westbetuwe")
    page = _page(admin)
    assert (page["total"], page["total_exact"], len(page["items"])) == (4, True, 4)
    monkeypatch.setattr(search_service, "COUNT_AT_MOST", 2)
    page = _page(admin, limit=1)
    assert (page["total"], page["total_exact"], len(page["items"])) == (2, False, 1)
    # a page past the bound is counted to its end: there the count knows whether more follow
    page = _page(admin, limit=1, offset=2)
    assert (page["total"], page["total_exact"]) == (3, False)
    assert _page(admin, limit=1, offset=3) | {"items": []} == {"total": 4, "total_exact": True, "items": []}
    # the bound counts only what the caller may see: West Betuwe's three, not Amsterdam's
    page = _page(west, limit=3)
    assert (page["total"], page["total_exact"]) == (3, True)
    assert cases["amsterdam"]["business_key"] not in {item["business_key"] for item in page["items"]}
    assert _page(west, q="dreigbrief") | {"items": []} == {"total": 2, "total_exact": True, "items": []}


@pytest.mark.parametrize("few", [1000, 0], ids=["from-the-index", "walked"])
def test_both_ways_of_a_text_search_find_the_same_cases(cases, as_user, monkeypatch, few):
    """Few matches are taken from the index (SQLite); many are a LIKE on the cases in order: same answers."""
    monkeypatch.setattr(text_index, "FEW", few)
    west, admin = as_user("gemeente.westbetuwe"), as_user("beheerder")
    mayor, council = cases["mayor"]["business_key"], cases["council"]["business_key"]
    assert _keys(west, q="DREIGBRIEF") == {mayor, council}
    assert _keys(admin, q="dreigbrief") == {mayor, council, cases["amsterdam"]["business_key"]}
    assert _keys(west, q="brief raad") == {council}  # a part across a space
    assert _keys(west, q=mayor[-5:].lower()) == {mayor}  # part of the number, any case
    assert _keys(west, q="100%") == {mayor} and _keys(west, q='"100') == {mayor}
    assert _keys(west, q="r_x") == {mayor} and _keys(west, q="r_") == {mayor}
    assert _keys(west, q="0%") == {mayor}  # short or not, % is a character, not a wildcard
    assert _keys(west, q="ooo") == set() and _keys(west, q="!") == set()  # O is not in a case number
    assert _keys(west, q="Amsterdam") == set()  # another municipality's case is never found


@pytest.mark.parametrize("walk_past", [10_000, 0], ids=["started-from", "walked"])
def test_both_ways_of_a_domain_criterion_find_the_same_cases(cases, as_user, monkeypatch, walk_past):
    monkeypatch.setattr(instances_service, "WALK_PAST", walk_past)
    west, admin = as_user("gemeente.westbetuwe"), as_user("beheerder")
    mayor = cases["mayor"]["business_key"]
    assert _keys(west, office_holder_role="burgemeester") == {mayor}
    assert _keys(admin, office_holder_role="wethouder") == {cases[n]["business_key"] for n in ("alderman", "amsterdam")}
    assert len(_keys(admin, open_task="triage")) == 4
    police = as_user("politie")
    assert _keys(police) == set()  # the police took part in none of them
    Team(as_user).to_threat_assessment(cases["mayor"]["id"])
    assert mayor not in _keys(west, open_task="triage")
    assert _keys(west, open_task="threat_assessment") == {mayor}
    # the police's task makes the case theirs to see: by the role they took part in, not by its municipality
    assert _keys(police) == {mayor} == _keys(police, open_task="threat_assessment", office_holder_role="burgemeester")
    assert _keys(police, q="dreigbrief") == {mayor}
    # a regional unit: the police's part only within its municipalities, with a criterion as without
    assert _keys(as_user("politie.oost"), open_task="threat_assessment") == {mayor} == _keys(as_user("politie.oost"))
    assert _keys(as_user("politie.amsterdam"), open_task="threat_assessment") == set()


def test_the_text_index_follows_the_case_row(app, cases, as_user):
    admin = as_user("beheerder")
    mayor = cases["mayor"]
    with app.app_context():
        db.session.execute(
            sa.update(ProcessInstance).where(ProcessInstance.id == mayor["id"]).values(title="Vernieling bij de woning")
        )
        db.session.commit()
    assert _keys(admin, q="vernieling") == {mayor["business_key"]}
    assert mayor["business_key"] not in _keys(admin, q="burgemeester_x")
    with app.app_context():
        db.session.execute(
            sa.update(ProcessInstance).where(ProcessInstance.id == mayor["id"]).values(status="cancelled")
        )
        db.session.commit()
        purge(mayor["id"], Actor.system("test"), "erasure request")  # the purge empties the title
    assert _keys(admin, q="vernieling") == set()
    assert _keys(admin, q=mayor["business_key"]) == {mayor["business_key"]}  # the number stays
    council = cases["council"]
    with app.app_context():
        db.session.execute(sa.delete(ProcessInstance).where(ProcessInstance.id == council["id"]))
        db.session.commit()
        if db.engine.dialect.name == "sqlite":
            left = db.session.execute(sa.text("SELECT count(*) FROM case_search_row")).scalar()
            assert left == 3  # the deleted case's key row went with it
            matches = db.session.execute(
                sa.text("SELECT count(*) FROM case_search_text WHERE case_search_text MATCH '\"raadslid\"'")
            ).scalar()
            assert matches == 0
    assert _keys(admin, q="raadslid") == set()


def test_the_indexes_are_what_the_search_uses(app, cases):
    """The plans name the indexes: a search of 100,000 cases depends on them."""
    with app.app_context():
        connection = db.session.connection()
        if db.engine.dialect.name == "postgresql":
            definitions = dict(
                connection.exec_driver_sql(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'process_instance'"
                ).all()
            )
            for column in ("business_key", "title"):  # what the search's lower(column) LIKE '%...%' can use
                assert (
                    f"USING gin (lower(({column})::text) public.gin_trgm_ops)"
                    in definitions[f"ix_process_instance_{column}_trgm"]
                )
        else:
            plan = " ".join(
                row[-1]
                for row in connection.exec_driver_sql(
                    "EXPLAIN QUERY PLAN SELECT r.instance_id FROM case_search_text t JOIN case_search_row r "
                    "ON r.id = t.rowid WHERE case_search_text MATCH '\"dreigbrief\"'"
                )
            )
            assert "VIRTUAL TABLE" in plan, plan
        plan = " ".join(
            str(row[-1])
            for row in connection.exec_driver_sql(
                ("EXPLAIN " if db.engine.dialect.name == "postgresql" else "EXPLAIN QUERY PLAN ")
                + "SELECT instance_id FROM task_candidate WHERE group_name = 'politie'"
            )
        )
        assert "ix_task_candidate_group_name_instance" in plan, plan
        db.session.rollback()


def test_the_migration_indexes_the_cases_already_there(app, cases, as_user):
    """Down to 0019 and up again with cases in the database: the upgrade fills the text index and the
    candidate rows' case from what is there."""
    from flask_migrate import downgrade, upgrade

    with app.app_context():
        directory = app.extensions["migrate"].directory
        db.session.remove()
        downgrade(directory=directory, revision="0021")
        upgrade(directory=directory)
        db.session.remove()
        db.engine.dispose()
        left = db.session.execute(sa.text("SELECT count(*) FROM task_candidate WHERE instance_id IS NULL")).scalar()
        assert left == 0
    admin = as_user("beheerder")
    assert _keys(admin, q="dreigbrief") == {cases[n]["business_key"] for n in ("mayor", "council", "amsterdam")}
    assert _keys(as_user("gemeente.westbetuwe"), q=cases["alderman"]["business_key"][-4:]) == {
        cases["alderman"]["business_key"]
    }
    assert len(_keys(admin, open_task="triage")) == 4
