"""The process owner's studio: edit, validate, test and deploy diagrams, decision tables and forms."""


def init_app(app) -> None:
    """The studio's and operations' Dutch texts: a catalog of their own, merged with the web app's by
    Flask-Babel. (The factory registers their pages, JSON API and command.)"""
    directories = app.config.get("BABEL_TRANSLATION_DIRECTORIES", "translations")
    if "studio/translations" not in directories:
        app.config["BABEL_TRANSLATION_DIRECTORIES"] = directories + ";studio/translations"
