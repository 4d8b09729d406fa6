"""gunicorn settings of the web app: `gunicorn -c python:engine.app.gunicorn_conf ... engine.app.wsgi:app`.

Used by `make run`, the Docker image, the end-to-end tests and the benchmarks, so all run the same server.

Keep-alive connections are closed after `VB_KEEPALIVE_REQUESTS` requests (100; 0: never), as nginx's
`keepalive_requests` does. A gunicorn worker keeps every connection it accepted, and each worker runs
Python on one core at a time: a sender that keeps a few connections open would otherwise stay on the
worker(s) that happened to accept them, loading one while another idles (measured in docs/webhooks.md:
287 to 346 deliveries/s from run to run, by how 8 connections fell on 3 workers). A closed connection is
opened again by the client, and the worker with the most time to spare is the first to accept it.
"""

from __future__ import annotations

from ..core.config import serve_settings

KEEPALIVE_REQUESTS = serve_settings()["keepalive_requests"]


def pre_request(worker, req):
    """gunicorn's hook before each request: the last request of a connection answers `Connection: close`."""
    if KEEPALIVE_REQUESTS and req.req_number >= KEEPALIVE_REQUESTS:
        req.must_close = True
