"""The server closes a keep-alive connection after VB_KEEPALIVE_REQUESTS requests (engine/app/gunicorn_conf.py),
so a client that keeps its connection open is not tied to one worker for good."""

import socket

import pytest

from tests.support.server import LiveServer

pytestmark = pytest.mark.e2e  # against a real gunicorn server


@pytest.fixture
def live(app, database_url):
    server = LiveServer(database_url, workers=2, threads=2, env={"VB_KEEPALIVE_REQUESTS": "3"}).start()
    yield server
    server.stop()


def _get(sock: socket.socket, port: int) -> tuple[bytes, bool]:
    """One GET /healthz on an open connection: (response head, whether the server closed the connection)."""
    sock.sendall(f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(4096)
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")
    )
    while len(body) < length:
        body += sock.recv(4096)
    sock.settimeout(0.5)
    try:
        closed = sock.recv(1, socket.MSG_PEEK) == b""
    except TimeoutError:
        closed = False
    sock.settimeout(10)
    return head, closed


def test_a_keep_alive_connection_is_closed_after_its_last_request(live):
    with socket.create_connection(("127.0.0.1", live.port), timeout=10) as sock:
        heads = []
        for _ in range(3):
            head, closed = _get(sock, live.port)
            heads.append((head.split(b"\r\n")[0], b"connection: close" in head.lower(), closed))
    assert heads == [
        (b"HTTP/1.1 200 OK", False, False),
        (b"HTTP/1.1 200 OK", False, False),
        (b"HTTP/1.1 200 OK", True, True),
    ]
