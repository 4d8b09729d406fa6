"""The studio's editors speak the page's language: on a Dutch page the BPMN, DMN and form editors show their
own texts (palette, context pad, menus, properties panel, decision table) in Dutch, on an English page in
English. Each editor keeps the texts it was asked for that its table lacks (`window.vbStudio.texts.missing`);
after every part of the editor has been shown on the real threat response's files, that list is empty."""

from __future__ import annotations

import pytest

from tests.studio import studio_web as studio
from tests.studio.target import TARGET

pytestmark = pytest.mark.browser

# Shows every kind of element of the diagram once: selected (context pad, properties panel with every group
# opened) and with its replace menu open; then the process itself, and the lint overlays.
_SHOW_EVERY_PART_OF_THE_BPMN_EDITOR = """async () => {
    const modeler = window.vbStudio.modeler;
    const registry = modeler.get('elementRegistry');
    const selection = modeler.get('selection');
    const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    const kind = (e) => {
        const bo = e.businessObject;
        const defs = (bo.eventDefinitions || []).map((d) => d.$type).join(',');
        return [e.type, defs, bo.attachedToRef ? 'boundary' : '', e.type === 'bpmn:SequenceFlow' &&
                bo.conditionExpression ? 'conditional' : ''].join('|');
    };
    const seen = new Map();
    for (const element of registry.getAll()) {
        if (element.type === 'label' || element.labelTarget) continue;
        if (!seen.has(kind(element))) seen.set(kind(element), element);
    }
    const openGroups = async () => {
        for (let round = 0; round < 3; round += 1) {
            const closed = [...document.querySelectorAll('[data-properties] .bio-properties-panel-group-header:not(.open)')];
            if (!closed.length) break;
            closed.forEach((header) => header.click());
            await pause(150);
        }
        document.querySelectorAll('.bio-properties-panel-collapsible-entry-header').forEach((h) => h.click());
        await pause(150);
    };
    const shown = [];
    for (const element of seen.values()) {
        selection.select(element);
        await pause(150);
        await openGroups();
        const replace = document.querySelector('.djs-context-pad .entry[data-action="replace"]');
        if (replace) {
            replace.dispatchEvent(new MouseEvent('click', {bubbles: true}));
            await pause(150);
            const popup = modeler.get('popupMenu');
            if (popup.isOpen()) popup.close();
        }
        shown.push(element.id);
    }
    selection.select(null);
    await pause(150);
    await openGroups();
    return shown;
}"""


_OPEN_EVERY_GROUP = """async () => {
    for (let round = 0; round < 3; round += 1) {
        const closed = [...document.querySelectorAll('.bio-properties-panel-group-header:not(.open)')];
        if (!closed.length) break;
        closed.forEach((header) => header.click());
        await new Promise((resolve) => setTimeout(resolve, 200));
    }
}"""


# Selects one field of each type of the form in the editor, and the form itself, with every group opened.
_SHOW_EVERY_PART_OF_THE_FORM_EDITOR = """async () => {
    const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    const openGroups = async () => {
        for (let round = 0; round < 3; round += 1) {
            const closed = [...document.querySelectorAll('[data-properties] .bio-properties-panel-group-header:not(.open)')];
            if (!closed.length) break;
            closed.forEach((header) => header.click());
            await pause(200);
        }
    };
    const seen = new Map();
    for (const field of document.querySelectorAll('.fjs-editor-container .fjs-children .fjs-element[data-id]')) {
        const type = [...field.querySelector('.fjs-form-field')?.classList || []]
            .find((c) => c.startsWith('fjs-form-field-') && c !== 'fjs-form-field-label');
        if (type && !seen.has(type)) seen.set(type, field);
    }
    for (const field of seen.values()) {
        field.click();
        await pause(200);
        await openGroups();
    }
    return [...seen.keys()];
}"""


def _select_field(user, field_type: str):
    user.page.evaluate(
        """type => {
        const editor = window.vbStudio.editor;
        editor.get('selection').set(editor.get('formFieldRegistry').getAll().find((f) => f.type === type));
    }""",
        field_type,
    )
    user.page.wait_for_timeout(200)


def _missing(user) -> list:
    return sorted(user.page.evaluate("[...window.vbStudio.texts.missing]"))


def _title(user, selector: str) -> str:
    """What an icon button says: its accessible name (diagram-js's palette) or its tooltip (the context pad)."""
    entry = user.page.locator(selector).first
    return entry.get_attribute("aria-label") or entry.get_attribute("title")


def _group_label(user, group_id: str) -> str:
    return user.page.locator(
        f'[data-group-id="{group_id}"] .bio-properties-panel-group-header-title'
    ).first.inner_text()


def test_the_bpmn_editor_speaks_dutch_on_a_dutch_page_and_english_on_an_english_one(web, studio_deployed):
    user = web()
    user.sign_in("procesbeheerder")
    studio.open_editor(user, TARGET.bpmn_file)
    assert user.page.evaluate("window.vbStudio.texts.language") == "nl"
    assert _title(user, '.djs-palette .entry[data-action="hand-tool"]') == "Handgereedschap activeren"
    studio.select_element(user, TARGET.user_task)
    assert _group_label(user, "group-general") == "Algemeen"
    assert _group_label(user, "group-CamundaPlatform__UserAssignment") == "Toewijzing"
    assert _title(user, '.djs-context-pad .entry[data-action="replace"]') == "Element wijzigen"
    shown = user.page.evaluate(_SHOW_EVERY_PART_OF_THE_BPMN_EDITOR)
    assert len(shown) >= 8, shown  # the threat response has many kinds of element
    assert _missing(user) == []
    studio.publish(user, "bpmn-editor-dutch")

    user.switch_language("en")
    studio.open_editor(user, TARGET.bpmn_file)
    assert user.page.evaluate("window.vbStudio.texts.language") == "en"
    assert _title(user, '.djs-palette .entry[data-action="hand-tool"]') == "Activate hand tool"
    studio.select_element(user, TARGET.user_task)
    assert _group_label(user, "group-general") == "General"
    assert _missing(user) == []


def _rule_menu(user) -> str:
    """The context menu of a rule and a column of the edited decision table, as text."""
    cell = f'td[data-row-id="{TARGET.decision.rule}"][data-col-id="{TARGET.decision.column}"]'
    user.page.locator(cell).click(button="right")
    menu = user.page.locator(".context-menu").first
    menu.wait_for()
    text = menu.inner_text()
    user.page.keyboard.press("Escape")
    return text


def test_the_decision_table_editor_speaks_dutch_on_a_dutch_page(web, studio_deployed):
    user = web()
    user.sign_in("procesbeheerder")
    studio.open_editor(user, TARGET.dmn_file)
    table = user.page.locator(".dmn-decision-table-container")
    table.wait_for()
    assert "Hitbeleid:" in table.inner_text() and "Als" in table.inner_text()
    user.page.locator(".dmn-decision-table-container th.input-cell").first.click()  # the input's editor
    user.page.wait_for_timeout(200)
    user.page.keyboard.press("Escape")
    assert "Regel hierboven toevoegen" in _rule_menu(user)
    assert _missing(user) == []

    user.switch_language("en")
    studio.open_editor(user, TARGET.dmn_file)
    assert "Hit policy:" in user.page.locator(".dmn-decision-table-container").inner_text()
    assert "Add rule above" in _rule_menu(user)


def test_the_form_editor_speaks_dutch_and_its_properties_panel_is_wide_enough(web, studio_deployed):
    user = web()
    user.sign_in("procesbeheerder")
    studio.open_editor(user, TARGET.form_file)
    page = user.page
    types = page.evaluate(_SHOW_EVERY_PART_OF_THE_FORM_EDITOR)
    assert len(types) >= 5, types
    _select_field(user, TARGET.required_field_type)
    page.evaluate(_OPEN_EVERY_GROUP)
    panel = page.locator("[data-properties] .bio-properties-panel").first
    assert panel.bounding_box()["width"] >= 400  # 26rem or more: labels and expressions fit on their line
    assert "Algemeen" in panel.inner_text() and "Validatie" in panel.inner_text()
    assert page.locator('[data-entry-id="required"] label').first.inner_text() == "Verplicht"
    palette = page.locator(".fjs-palette-container")
    assert "Componenten" in palette.inner_text() and "Tekstveld" in palette.inner_text()
    # the form's own texts are the process owner's, in whichever language they wrote them
    assert (
        page.locator("[data-properties] .bio-properties-panel-header-label").inner_text()
        == page.locator(f".fjs-editor-container .fjs-form-field-{TARGET.required_field_type} label").first.inner_text()
    )
    assert _missing(user) == []
    studio.publish(user, "form-editor-dutch")

    user.switch_language("en")
    studio.open_editor(user, TARGET.form_file)
    _select_field(user, TARGET.required_field_type)
    page.evaluate(_OPEN_EVERY_GROUP)
    assert "General" in page.locator("[data-properties] .bio-properties-panel").first.inner_text()
    assert "Text field" in page.locator(".fjs-palette-container").inner_text()
