"""A document's bytes as an HTTP answer that no browser renders or sniffs (the API and the case page)."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response


def attachment(filename: str) -> str:
    """A Content-Disposition no file name can break out of: an ASCII fallback and the RFC 5987 form."""
    fallback = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "._- ") else "_" for ch in filename) or "document"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def download_response(described: dict, data: bytes) -> Response:
    response = Response(data, mimetype=described["content_type"])
    response.headers["Content-Disposition"] = attachment(described["filename"])
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
