"""The notifications page: a user sets their address, mail language, digest hour and per kind how they
hear of it; bad input is answered 422 on the page with what to fix and changes nothing."""

import sqlalchemy as sa

from engine.db.extensions import db
from engine.identity.models import User
from engine.notifications.models import NotificationPreference

FORM = {
    "email": "j.jansen@westbetuwe.example",
    "language": "en",
    "digest_hour": "7",
    "mode_new_task": "daily",
    "mode_assigned": "immediately",
    "mode_due_tomorrow": "off",
    "mode_overdue": "immediately",
    "mode_case_news": "daily",
}


def _stored(app, username):
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == username))
        row = db.session.get(NotificationPreference, user.id)
        return user.email, user.language, (row.modes, row.digest_hour) if row else None


def test_the_page_shows_the_demo_address_and_the_defaults(browser_for):
    page = browser_for("gemeente.westbetuwe").get("/account/notifications")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'value="gemeente.westbetuwe@example.org"' in html
    assert 'id="mode_new_task_immediately" name="mode_new_task" value="immediately"\n               checked' in html
    assert ">Een nieuwe taak voor mijn rol</legend>" in html


def test_saving_the_settings(app, browser_for):
    user = browser_for("gemeente.westbetuwe")
    user.get("/account/notifications")
    response = user.post("/account/notifications", FORM)
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/notifications")
    email, language, (modes, hour) = _stored(app, "gemeente.westbetuwe")
    assert (email, language, hour) == ("j.jansen@westbetuwe.example", "en", 7)
    assert modes == {
        "new_task": "daily",
        "assigned": "immediately",
        "due_tomorrow": "off",
        "overdue": "immediately",
        "case_news": "daily",
    }
    assert "Uw instellingen voor meldingen zijn opgeslagen." in user.get("/account/notifications").get_data(
        as_text=True
    )


def test_a_wrong_address_is_refused_with_what_to_fix(app, browser_for):
    user = browser_for("gemeente.westbetuwe")
    user.get("/account/notifications")
    response = user.post("/account/notifications", {**FORM, "email": "j.jansen at westbetuwe"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'aria-invalid="true"' in html and "naam@voorbeeld.nl" in html
    assert _stored(app, "gemeente.westbetuwe") == ("gemeente.westbetuwe@example.org", "nl", None)


def test_a_mode_that_does_not_exist_is_refused(app, browser_for):
    user = browser_for("gemeente.westbetuwe")
    user.get("/account/notifications")
    response = user.post("/account/notifications", {**FORM, "mode_overdue": "hourly"})
    assert response.status_code == 422 and 'href="#mode_overdue_immediately"' in response.get_data(as_text=True)
    assert _stored(app, "gemeente.westbetuwe")[2] is None


def test_the_page_needs_a_sign_in(browser_for):
    response = browser_for().get("/account/notifications")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
