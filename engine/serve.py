"""Serve the app for `make run`: gunicorn on 127.0.0.1:$PORT."""
from __future__ import annotations

import os
import sys


def main() -> None:
    port = os.environ.get("PORT", "5000")
    args = [
        sys.executable, "-m", "gunicorn", "--preload", "--bind", f"127.0.0.1:{port}", "--workers", os.environ.get("WEB_CONCURRENCY", "2"),
        "--threads", "4", "--access-logfile", "-", "engine.wsgi:app",
    ]
    print(f"Serving on http://127.0.0.1:{port}  (Ctrl+C to stop)", flush=True)
    os.execv(args[0], args)


if __name__ == "__main__":
    sys.exit(main())
