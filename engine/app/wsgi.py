"""The WSGI entry point for gunicorn: `gunicorn engine.app.wsgi:app`."""

from .. import create_app
from ..core.gc_tuning import tune
from ..profiling import server_timing
from ..webhooks import warn_missing_secrets

app = create_app()
warn_missing_secrets(app)  # here, where deliveries are received; not in every command that loads the app
tune(app.config["VB_GC_THRESHOLDS"])  # with --preload once in the master, else in each worker
if server_timing.enabled():  # make bench-http only
    app.wsgi_app = server_timing.ServerTiming(app.wsgi_app)
