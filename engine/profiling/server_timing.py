"""`Server-Timing: app;dur=<ms>` on every response when `VB_SERVER_TIMING=1`, for `make bench-http`.

The time is the application's (Flask, from the WSGI call to the last byte of the body), so a client can
tell it from what the WSGI server and the connection add. Off by default: the header tells a caller how
long the server worked, which a deployment has no reason to publish.
"""

from __future__ import annotations

import time

from ..core.config import serve_settings


def enabled() -> bool:
    return serve_settings()["server_timing"]


class ServerTiming:
    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        held = {}

        def hold(status, headers, exc_info=None):
            held["args"] = (status, headers, exc_info)
            return lambda data: None  # the apps here return their body; none writes through this

        result = self.app(environ, hold)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        status, headers, exc_info = held["args"]
        elapsed = (time.perf_counter() - started) * 1000
        start_response(status, [*headers, ("Server-Timing", f"app;dur={elapsed:.3f}")], exc_info)
        return [body]
