"""Who hears of a task: the inbox's rule (access/policy.py) applied to every user with an address."""

import pytest
import sqlalchemy as sa

from engine.db.extensions import db
from engine.identity.models import User
from engine.notifications import recipients
from engine.notifications.models import ASSIGNED, NEW_TASK
from tests.notifications.conftest import SUB_ROLE_USERS


def _told(app, **task):
    row = {"id": "t1", "instance_id": "c1", "assignee": None, "municipality_code": "GM0668", **task}
    with app.app_context():
        return sorted((user.username, kind) for user, kind in recipients.for_task(row, recipients.addressable()))


def test_a_municipal_task_goes_to_that_municipality_only(app):
    assert _told(app, candidate_groups=["gemeente"]) == [("gemeente.westbetuwe", NEW_TASK)]
    assert _told(app, candidate_groups=["gemeente"], municipality_code="GM0363") == [("gemeente.amsterdam", NEW_TASK)]


def test_a_police_task_goes_to_the_units_that_cover_the_municipality(app):
    # West Betuwe (GM0668) lies in unit Oost-Nederland; the national unit sees every municipality
    assert _told(app, candidate_groups=["politie"]) == [("politie", NEW_TASK), ("politie.oost", NEW_TASK)]
    assert ("politie.amsterdam", NEW_TASK) in _told(app, candidate_groups=["politie"], municipality_code="GM0363")


def test_an_assigned_task_goes_to_its_assignee_alone(app):
    assert _told(app, candidate_groups=["gemeente"], assignee="gemeente.amsterdam") == [
        ("gemeente.amsterdam", ASSIGNED)
    ]


def test_the_sub_roles_are_told_of_their_parent_roles_tasks_and_the_driehoek_is_not(app):
    with app.app_context():
        db.session.execute(
            sa.update(User).where(User.username.in_(SUB_ROLE_USERS)).values(email=User.username + "@example.org")
        )
        db.session.commit()
    assert _told(app, candidate_groups=["gemeente"]) == [
        ("gemeente.westbetuwe", NEW_TASK),
        ("griffie.westbetuwe", NEW_TASK),
        ("secretaris.westbetuwe", NEW_TASK),
    ]
    assert _told(app, candidate_groups=["gemeente.griffie"]) == [("griffie.westbetuwe", NEW_TASK)]
    assert _told(app, candidate_groups=["om"]) == [("hoofdofficier", NEW_TASK), ("om", NEW_TASK)]
    assert _told(app, candidate_groups=["gemeente.locoburgemeester"]) == [("locoburgemeester.westbetuwe", NEW_TASK)]


@pytest.mark.parametrize("groups", [["ivp"], ["bzk"], ["om"]])
def test_a_national_task_goes_to_its_role(app, groups):
    assert _told(app, candidate_groups=groups) == [(groups[0], NEW_TASK)]


def test_users_without_an_address_or_deactivated_get_nothing(app):
    with app.app_context():
        db.session.execute(sa.update(User).where(User.username == "ivp").values(email=None))
        db.session.execute(sa.update(User).where(User.username == "bzk").values(is_active=False))
        db.session.commit()
    assert _told(app, candidate_groups=["ivp"]) == [] and _told(app, candidate_groups=["bzk"]) == []


def _told_in_step(app, **task):
    # as a case step reads them: on the step's own connection, where rows seen before are not made again
    from engine.db.prepared import Raw

    row = {"id": "t1", "instance_id": "c1", "assignee": None, "municipality_code": "GM0668", **task}
    with app.app_context():
        users = recipients.addressable(connection=Raw())
        told = sorted((user.username, kind, user.mode(kind)) for user, kind in recipients.for_task(row, users))
        db.session.rollback()
        return told


def test_a_step_sees_a_changed_user_at_once(app):
    from engine.notifications.models import NotificationPreference

    gemeente = [("gemeente.westbetuwe", NEW_TASK, "immediately")]
    assert _told_in_step(app, candidate_groups=["gemeente"]) == gemeente
    assert _told_in_step(app, candidate_groups=["gemeente"]) == gemeente  # the same row again
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "gemeente.westbetuwe"))
        user.municipality_code = "GM0363"
        db.session.commit()
    assert ("gemeente.westbetuwe", NEW_TASK, "immediately") not in _told_in_step(app, candidate_groups=["gemeente"])
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "gemeente.westbetuwe"))
        user.municipality_code, user.roles = "GM0668", ["ivp"]
        db.session.commit()
    assert _told_in_step(app, candidate_groups=["gemeente"]) == []
    assert ("gemeente.westbetuwe", NEW_TASK, "immediately") in _told_in_step(app, candidate_groups=["ivp"])
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "gemeente.westbetuwe"))
        user.roles = ["gemeente"]
        db.session.add(NotificationPreference(user_id=user.id, modes={NEW_TASK: "daily"}))
        db.session.commit()
    assert _told_in_step(app, candidate_groups=["gemeente"]) == [("gemeente.westbetuwe", NEW_TASK, "daily")]
    with app.app_context():
        db.session.execute(sa.update(User).where(User.username == "gemeente.westbetuwe").values(is_active=False))
        db.session.commit()
    assert _told_in_step(app, candidate_groups=["gemeente"]) == []
