"""Setting up a second factor and signing in with it, in Chromium: the code is computed from the key the
page shows, as an authenticator app would; the pages pass axe-core's WCAG 2.1 AA rules in Dutch and English."""

from __future__ import annotations

import time

import pyotp


def test_enrolment_is_forced_for_a_mandatory_role_and_the_next_sign_in_asks_the_code(web, app):
    app.config["VB_TOTP_REQUIRED_ROLES"] = "gemeente"
    user = web()
    user.sign_in("gemeente.westbetuwe")
    assert user.page.url.endswith("/account/second-factor")
    user.goto("/")  # no other page opens before a second factor is set up
    assert user.page.url.endswith("/account/second-factor")
    assert "Uw rol heeft een tweede factor nodig" in user.page.locator("main").inner_text()
    assert user.accessibility_violations() == []

    user.page.locator("form[action='/account/second-factor/setup'] button").click()
    user.page.wait_for_load_state()
    assert user.page.locator(".totp-qr svg").count() == 1
    assert user.accessibility_violations() == []
    user.screenshot("enrolment-nl")
    secret = user.page.locator("#totp-secret").inner_text().strip()

    user.page.locator("#code").fill("000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    user.page.locator("form[action='/account/second-factor/confirm'] button").click()
    user.page.wait_for_load_state()
    assert user.page.locator("#code-error").is_visible()
    assert user.page.locator("#totp-secret").inner_text().strip() == secret  # the same enrolment goes on

    user.page.locator("#code").fill(pyotp.TOTP(secret).now())
    user.page.locator("form[action='/account/second-factor/confirm'] button").click()
    user.page.wait_for_load_state()
    codes = [c.strip() for c in user.page.locator(".recovery-codes code").all_inner_texts()]
    assert len(codes) == 10
    assert user.accessibility_violations() == []
    user.screenshot("recovery-codes")
    user.page.get_by_role("link", name="Ik heb ze bewaard, verder").click()
    user.page.wait_for_load_state()
    assert (
        user.page.url.rstrip("/").endswith(user.base_url.split("//")[1].split("/")[0])
        or "/account" not in user.page.url
    )
    user.sign_out()

    # the next sign-in: the password, then the code page
    user.page.locator("#username").fill("gemeente.westbetuwe")
    user.page.locator("#password").fill("demo")
    user.page.locator("form.form button[type=submit]").click()
    user.page.wait_for_load_state()
    assert user.page.url.endswith("/login/code")
    assert user.accessibility_violations() == []
    user.switch_language("en")
    assert user.page.locator("h1").inner_text() == "Sign-in code"
    assert user.accessibility_violations() == []
    user.screenshot("code-en")
    user.page.locator("#code").fill("123456" if pyotp.TOTP(secret).now() != "123456" else "654321")
    user.page.locator("form.form button[type=submit]").click()
    user.page.wait_for_load_state()
    assert "not correct" in user.page.locator("#code-error").inner_text()
    # the code of the next time step (an app a little ahead): the enrolment's own code is used up
    user.page.locator("#code").fill(pyotp.TOTP(secret).at(time.time() + 30))
    user.page.locator("form.form button[type=submit]").click()
    user.page.wait_for_load_state()
    assert "/login" not in user.page.url and "/account" not in user.page.url
    assert user.page.get_by_role("navigation", name="Main menu").is_visible()

    # a recovery code instead of the app, once
    user.sign_out()
    for attempt in range(2):
        user.page.locator("#username").fill("gemeente.westbetuwe")
        user.page.locator("#password").fill("demo")
        user.page.locator("form.form button[type=submit]").click()
        user.page.wait_for_load_state()
        user.page.locator("#code").fill(codes[0])
        user.page.locator("form.form button[type=submit]").click()
        user.page.wait_for_load_state()
        if attempt == 0:
            assert "/login" not in user.page.url
            user.goto("/account/second-factor")
            assert "9 recovery codes are left" in user.page.locator("main").inner_text()
            assert user.accessibility_violations() == []
            user.sign_out()
        else:
            assert user.page.url.endswith("/login/code") and user.page.locator("#code-error").is_visible()
