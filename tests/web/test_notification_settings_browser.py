"""The notifications page in Chromium: reached from the header, used with the keyboard alone, and clean
under axe-core's WCAG 2.1 AA rules in Dutch and English, also when it shows an error."""

from __future__ import annotations

import sqlalchemy as sa

from engine.db.extensions import db
from engine.identity.models import User
from engine.notifications.models import NotificationPreference


def test_the_settings_by_keyboard_in_both_languages(web, app):
    user = web()
    user.sign_in("gemeente.westbetuwe")
    user.page.get_by_role("link", name="Meldingen").click()
    user.page.wait_for_load_state()
    assert user.page.url.endswith("/account/notifications")
    assert user.page.locator("h1").inner_text() == "Meldingen"
    assert user.accessibility_violations() == []
    user.screenshot("notifications-nl")

    user.page.locator("#email").focus()
    user.page.keyboard.press("Control+A")
    user.page.keyboard.type("j.jansen at westbetuwe")
    with user.page.expect_navigation():
        user.page.keyboard.press("Enter")  # submits the form
    assert user.page.locator("#email-error").is_visible()
    assert user.accessibility_violations() == []

    user.page.locator("#email").fill("j.jansen@westbetuwe.example")
    user.page.locator("#mode_new_task_immediately").focus()
    user.page.keyboard.press("ArrowDown")  # radio buttons of a group move with the arrow keys
    assert user.page.locator("#mode_new_task_daily").is_checked()
    user.page.locator("#digest_hour").select_option("7")
    user.page.locator("form.form button[type=submit]").focus()
    with user.page.expect_navigation():
        user.page.keyboard.press("Enter")
    assert "opgeslagen" in user.notice()
    with app.app_context():
        stored = db.session.scalar(sa.select(User).where(User.username == "gemeente.westbetuwe"))
        prefs = db.session.get(NotificationPreference, stored.id)
        assert stored.email == "j.jansen@westbetuwe.example"
        assert prefs.modes["new_task"] == "daily" and prefs.digest_hour == 7

    user.switch_language("en")
    assert user.page.locator("h1").inner_text() == "Notifications"
    assert user.page.locator("legend").first.inner_text() == "A new task for my role"
    assert user.accessibility_violations() == []
    user.screenshot("notifications-en")
