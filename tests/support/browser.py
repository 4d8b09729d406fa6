"""A person at a browser: sign in, go to pages, fill form-js forms, take screenshots.

Fields are found by their visible label (in the page's language), as a person would find them.
"""

from __future__ import annotations

import re
from pathlib import Path

DEFAULT_TIMEOUT_MS = 15_000
AXE = Path(__file__).resolve().parents[2] / "frontend" / "node_modules" / "axe-core" / "axe.min.js"


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

    def accessibility_violations(self) -> list[str]:
        """axe-core's WCAG 2.1 A/AA violations of the page as it is now (frontend/node_modules/axe-core, run
        through the DevTools protocol, so the page's Content-Security-Policy does not stop it)."""
        self.page.evaluate(AXE.read_text())
        found = self.page.evaluate("""async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa',
            'wcag21a', 'wcag21aa']})).violations.map(v => v.id + ': ' + v.nodes.map(n => n.target).join(' '))""")
        return found

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

    def field(self, label: str, within=None):
        """The form-js field whose label reads `label` (the required-marker asterisk aside); inside `within`
        (a row of a dynamic list) when given. A radio group or checklist is found by the label above its
        options, a date field by the label above its date input."""
        scope = within if within is not None else self.page
        return scope.locator(".fjs-form-field").filter(
            has=self.page.locator("label.fjs-form-field-label", has_text=re.compile(rf"^{re.escape(label)}\*?$"))
        )

    def fill(self, label: str, value, within=None):
        """Fill in a field as a person does: type into text, number and date inputs, tick boxes, pick from
        a select, a radio group or a checklist by the option's visible label. A dynamic list takes a list of
        rows, each a dict of label -> value; a checklist takes a list of option labels; a date field takes
        an ISO date ('2026-11-25') or date and time ('2026-11-23T10:00')."""
        field = self.field(label, within)
        if "fjs-form-field-dynamiclist" in (field.first.get_attribute("class") or ""):
            return self.fill_list(label, value)
        assert field.count() == 1, f"{field.count()} fields labelled '{label}'"
        classes = field.get_attribute("class") or ""
        if "fjs-form-field-checkbox" in classes:
            field.locator("input[type=checkbox]").set_checked(bool(value))
        elif "fjs-form-field-select" in classes:
            if not field.locator(".fjs-dropdownlist").is_visible():  # focus (e.g. on the first error) opens it
                field.locator(".fjs-select-display").click()
            field.locator(".fjs-dropdownlist-item", has_text=re.compile(rf"^\s*{re.escape(str(value))}\s*$")).click()
            shown = field.locator(".fjs-select-display").inner_text()
            assert shown == str(value), f"the select '{label}' shows {shown!r} after choosing {value!r}"
        elif "fjs-form-field-radio" in classes or "fjs-form-field-checklist" in classes:
            wanted = [value] if isinstance(value, str) else list(value)
            for option in wanted:
                box = (
                    field.locator(".fjs-inline-label")
                    .filter(has=self.page.locator("label", has_text=re.compile(rf"^{re.escape(option)}$")))
                    .locator("input")
                )
                assert box.count() == 1, f"'{label}' has no option '{option}'"
                box.check()
        elif "fjs-form-field-datetime" in classes:
            self._fill_datetime(field, str(value))
        elif "fjs-form-field-textarea" in classes:
            self._type(field.locator("textarea"), str(value))
        else:
            self._type(field.locator("input").first, str(value))

    @staticmethod
    def _type(box, text: str):
        """Click into the box and type, replacing what it held, as a person does."""
        box.click()
        box.press("ControlOrMeta+a")
        box.press_sequentially(text, delay=5)

    def _fill_datetime(self, field, value: str):
        date, _, time = value.partition("T")
        date_input = field.locator("input.flatpickr-input")
        # Typed in the form's own format (its placeholder, e.g. dd-mm-yyyy for nl-NL) and confirmed with Enter;
        # Escape closes the calendar. (Tab would move on into the next field and open its dropdown.)
        year, month, day = date.split("-")
        shown = (
            (date_input.get_attribute("placeholder") or "yyyy-mm-dd")
            .replace("yyyy", year)
            .replace("mm", month)
            .replace("dd", day)
        )
        date_input.fill(shown)
        date_input.press("Enter")
        date_input.press("Escape")
        if time:
            time_input = field.locator(".fjs-timepicker input")
            time_input.fill(time[:5])
            time_input.press("Enter")
            time_input.press("Escape")

    def fill_list(self, label: str, rows: list, add_button: str = "Rij toevoegen"):
        """A form-js dynamic list: add rows with its add button (found by its name in the page's language)
        until there are as many as `rows`, then fill each row's fields by their labels."""
        group = self.page.locator(".fjs-form-field-dynamiclist").filter(
            has=self.page.locator(
                ":scope > label.fjs-form-field-label", has_text=re.compile(rf"^{re.escape(label)}\*?$")
            )
        )
        assert group.count() == 1, f"no dynamic list labelled '{label}'"
        row_locator = group.locator(".fjs-repeat-row-container")
        while row_locator.count() < len(rows):
            before = row_locator.count()
            group.get_by_role("button", name=add_button, exact=True).click()
            assert row_locator.count() == before + 1, f"the list '{label}' did not grow by one row"
        assert row_locator.count() == len(rows), f"the list '{label}' has more rows than {len(rows)}"
        for index, values in enumerate(rows):
            for field_label, value in values.items():
                self.fill(field_label, value, within=row_locator.nth(index))

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

    def form_errors(self) -> list:
        """What a refused form says: the server's error summary and the errors under the fields."""
        texts = self.page.locator(".error-summary:not([hidden]) li").all_inner_texts()
        fields = self.page.locator(".fjs-form-field:not(.fjs-form-field-grouplike)").filter(
            has=self.page.locator(".fjs-form-field-error li")
        )
        for index in range(fields.count()):
            field = fields.nth(index)
            label = field.locator("label.fjs-form-field-label").first.inner_text().strip().rstrip("*").strip()
            texts.append(f"{label}: {' '.join(field.locator('.fjs-form-field-error li').all_inner_texts())}")
        return texts

    def notice(self) -> str:
        notices = self.page.locator(".notice")
        return " ".join(notices.all_inner_texts())
