"""The process plumbing around the app factory: the WSGI entry point and the server of `make run`, gunicorn's
settings, the flask commands, the health check."""
