"""A person at a browser: sign in, go to pages, fill form-js forms, take screenshots.

Fields are found by their visible label (in the page's language), as a person would find them.
"""
from __future__ import annotations

import re
from pathlib import Path

DEFAULT_TIMEOUT_MS = 15_000


class WebSession:
    def __init__(self, browser, base_url: str, artifacts: Path, counter: list, viewport=(1280, 900)):
        self.base_url = base_url
        self.artifacts = artifacts
        self.context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, locale="nl-NL")
        self.context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("console", self._console)
        self.page.on("response", self._response)
        self.page.on("pageerror", lambda err: self.problems.append(f"page error: {err}"))
        self._counter = counter  # shared by the test's sessions, so screenshots sort in the order taken

    def _console(self, message):
        # Pages answered with 404 or 422 on purpose are checked by their status in the tests; a failed
        # script, style or fetch is caught in `_response`. Any other console error is a defect (a CSP
        # violation included).
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.problems.append(f"console: {message.text}")

    def _response(self, response):
        if response.status >= 400 and response.request.resource_type != "document":
            self.problems.append(f"{response.status} for {response.request.resource_type} {response.url}")

    def close(self):
        self.context.close()

    # --- navigation ------------------------------------------------------------------------------

    def goto(self, path: str):
        return self.page.goto(self.base_url + path)

    def sign_in(self, username: str, password: str = "demo"):
        self.goto("/")
        self.page.locator("#username").fill(username)
        self.page.locator("#password").fill(password)
        self.page.locator("form.form button[type=submit]").click()
        self.page.wait_for_load_state()
        assert "/login" not in self.page.url, f"sign-in of {username} failed"

    def sign_out(self):
        self.page.locator("form[action='/logout'] button").click()
        self.page.wait_for_url(re.compile(r"/login"))

    def switch_language(self, code: str):
        self.page.locator(f"form.language-switch button[value='{code}']").click()
        self.page.wait_for_load_state()

    def screenshot(self, label: str, full_page: bool = True) -> Path:
        self._counter[0] += 1
        path = self.artifacts / f"{self._counter[0]:02d}-{label}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path

    # --- forms (form-js) -------------------------------------------------------------------------

    def wait_for_form(self):
        self.page.locator("[data-task-form][data-ready='true']").wait_for()

    def wait_for_diagram(self):
        self.page.locator("[data-case-diagram][data-ready='true']").wait_for()

    def field(self, label: str):
        """The form-js field whose label reads `label` (the required-marker asterisk aside)."""
        return self.page.locator(".fjs-form-field").filter(
            has=self.page.locator("label.fjs-form-field-label", has_text=re.compile(rf"^{re.escape(label)}\*?$")))

    def fill(self, label: str, value):
        field = self.field(label)
        classes = field.get_attribute("class") or ""
        if "fjs-form-field-checkbox" in classes:
            field.locator("input[type=checkbox]").set_checked(bool(value))
        elif "fjs-form-field-select" in classes:
            field.locator(".fjs-select-display").click()
            field.locator(".fjs-dropdownlist-item", has_text=str(value)).click()
            shown = field.locator(".fjs-select-display").inner_text()
            assert shown == str(value), f"the select '{label}' shows {shown!r} after choosing {value!r}"
        elif "fjs-form-field-textarea" in classes:
            field.locator("textarea").fill(str(value))
        else:
            field.locator("input").first.fill(str(value))

    def fill_all(self, values: dict):
        for label, value in values.items():
            self.fill(label, value)

    def value_of(self, label: str) -> str:
        field = self.field(label)
        classes = field.get_attribute("class") or ""
        if "fjs-form-field-select" in classes:
            return field.locator(".fjs-select-display").inner_text()
        if "fjs-form-field-textarea" in classes:
            return field.locator("textarea").input_value()
        return field.locator("input").first.input_value()

    def error_of(self, label: str) -> str:
        """The error text form-js shows under the field (empty when there is none)."""
        errors = self.field(label).locator(".fjs-form-field-error")
        return errors.inner_text() if errors.count() else ""

    def submit_form(self, button_text: str):
        self.page.locator("form.task-form button[type=submit]", has_text=button_text).click()
        self.page.wait_for_load_state()

    def notice(self) -> str:
        notices = self.page.locator(".notice")
        return " ".join(notices.all_inner_texts())
