"""The pages are drawn by NL Design System components from their design tokens: the app's own theme
(engine/web/static/css/theme.css) gives the tokens their values, and a municipality's theme file
(VB_THEME_CSS, scoped to VB_THEME_CLASS) changes the pages by tokens alone, with no other CSS."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

_STYLE = """selector => {
    const style = getComputedStyle(document.querySelector(selector));
    return {background: style.backgroundColor, color: style.color, border: style.borderTopColor};
}"""


def test_the_pages_take_their_look_from_the_design_tokens_and_a_municipality_theme(web, app, tmp_path):
    visitor = web()
    visitor.goto("/login")
    button = visitor.page.evaluate(_STYLE, "main .utrecht-button--primary-action")
    assert button["background"] == "rgb(21, 66, 115)"  # --vb-color-accent of the app's theme
    header = visitor.page.evaluate(_STYLE, ".utrecht-page-header")
    assert header["background"] == "rgb(21, 66, 115)"
    assert visitor.page.evaluate("document.documentElement.className") == "vb-theme"
    assert (
        visitor.page.locator(".utrecht-textbox").count() >= 2
        and visitor.page.locator(".nl-heading--level-1").count() == 1
    )

    theme = tmp_path / "gemeente.css"
    theme.write_text(
        ".gemeente-theme {\n"
        "  --utrecht-button-primary-action-background-color: rgb(0, 98, 51);\n"
        "  --utrecht-page-header-background-color: rgb(0, 70, 36);\n"
        "  --utrecht-textbox-border-color: rgb(0, 98, 51);\n"
        "}\n"
    )
    app.config.update(VB_THEME_CSS=str(theme), VB_THEME_CLASS="gemeente-theme")
    try:
        themed = web()
        themed.goto("/login")
        assert themed.page.evaluate("document.documentElement.className") == "vb-theme gemeente-theme"
        assert themed.page.evaluate(_STYLE, "main .utrecht-button--primary-action")["background"] == "rgb(0, 98, 51)"
        assert themed.page.evaluate(_STYLE, ".utrecht-page-header")["background"] == "rgb(0, 70, 36)"
        assert themed.page.evaluate(_STYLE, "main .utrecht-textbox")["border"] == "rgb(0, 98, 51)"
        # what the municipality did not set keeps the app's value
        assert themed.page.evaluate(_STYLE, ".utrecht-page-footer")["color"] == "rgb(83, 83, 83)"
    finally:
        app.config.update(VB_THEME_CSS=None, VB_THEME_CLASS="")


def test_the_theme_file_is_served_only_when_one_is_configured(client, app, tmp_path):
    assert client.get("/theme.css").status_code == 404
    theme = tmp_path / "gemeente.css"
    theme.write_text(".gemeente-theme { --utrecht-button-primary-action-background-color: #006233; }\n")
    app.config.update(VB_THEME_CSS=str(theme))
    try:
        response = client.get("/theme.css")
        assert response.status_code == 200 and response.mimetype == "text/css"
        assert b"--utrecht-button-primary-action-background-color" in response.data
    finally:
        app.config.update(VB_THEME_CSS=None)
