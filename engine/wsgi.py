"""The WSGI entry point for gunicorn: `gunicorn engine.wsgi:app`."""
from . import create_app

app = create_app()
