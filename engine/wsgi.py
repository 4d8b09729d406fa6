"""The WSGI entry point for gunicorn: `gunicorn engine.wsgi:app`."""
from . import create_app
from .gc_tuning import tune

app = create_app()
tune(app.config["VB_GC_THRESHOLDS"])  # with --preload once in the master, else in each worker
