"""The process owner's studio: edit, validate, test and deploy diagrams, decision tables and forms."""


def register(app, api) -> None:
    """The studio's and operations' JSON APIs and web pages."""
    from ..operations.views import blp as operations_blp
    from .pages import bp as studio_pages
    from .views import blp as studio_blp

    api.register_blueprint(studio_blp)
    api.register_blueprint(operations_blp)
    app.register_blueprint(studio_pages)
