"""The process owner's studio: edit, validate, test and deploy diagrams, decision tables and forms."""


def register(app, api) -> None:
    """The studio's and operations' JSON APIs and web pages, and their Dutch texts (a catalog of their own,
    merged with the web app's by Flask-Babel)."""
    directories = app.config.get("BABEL_TRANSLATION_DIRECTORIES", "translations")
    if "studio/translations" not in directories:
        app.config["BABEL_TRANSLATION_DIRECTORIES"] = directories + ";studio/translations"
    from ..operations.views import blp as operations_blp
    from .pages import bp as studio_pages
    from .views import blp as studio_blp

    from .cli import scenarios_command

    app.cli.add_command(scenarios_command)
    api.register_blueprint(studio_blp)
    api.register_blueprint(operations_blp)
    app.register_blueprint(studio_pages)
