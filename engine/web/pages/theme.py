"""A municipality's own theme: a stylesheet of NL Design System design tokens (docs/web.md, "Theming"),
served from this origin (the pages' Content-Security-Policy allows styles from 'self' only)."""

from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, send_file

from ..blueprint import bp


def theme_file() -> Path | None:
    name = current_app.config.get("VB_THEME_CSS")
    return Path(name) if name else None


@bp.get("/theme.css")
def theme_css():
    path = theme_file()
    if path is None or not path.is_file():
        abort(404)
    return send_file(path, mimetype="text/css", max_age=3600)
