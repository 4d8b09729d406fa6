"""Sustained inbound webhook rate on loopback: gunicorn, signature checks, exactly-once bookkeeping.

    .venv/bin/python -m benchmarks.webhooks_inbound --backend postgresql --seconds 15

Phases, each for --seconds with --clients client processes, requests signed in advance with the
`standardwebhooks` package and written to the socket as prepared bytes, so the clients spend little per
request. Each client keeps one connection open, as an HTTP client library does; the server closes it after
VB_KEEPALIVE_REQUESTS requests (engine/app/gunicorn_conf.py) and the client opens a new one. With
--new-connections every request comes on a new connection, as behind a reverse proxy (nginx opens one per
request to its upstream by default):
  baseline    GET /healthz: HTTP, gunicorn and one database query; the ceiling on this machine
  api_start   POST /api/v1/process-instances (bearer token): the engine's own cost of starting a case,
              to compare the webhook start with
  started     politie melding.geregistreerd: verify, store the delivery, start a case (threat_response)
  correlated  politie aangifte.geregistreerd for the cases just started: verify, store, lock the case,
              load it, catch the message, run the engine, save
  buffered    om beslissing.genomen for the same cases (not waiting for it yet): verify, store, buffer
  duplicate   the 'started' deliveries again (4 times each): verify and answer from the stored outcome

Besides the rate, each phase prints the CPU time the server spent per request (gunicorn workers, and the
PostgreSQL backends serving them), what that gives if all cores did only this, the CPU the client
processes used per request (they share the machine's cores with the server), how busy the machine was,
and each worker's share of the server's CPU. Rate and CPU both move with
the state of a shared machine: 15-20 % between runs on the 2-CPU development machine.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import datetime, timezone

from standardwebhooks import Webhook

from .webhooks_setup import PROJECT, SECRET_ENV, SECRETS, BenchDatabase, load

CORES = os.cpu_count() or 1


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(database_url: str, workers: int, threads: int, log_path) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        VB_AUTO_MIGRATE="0",
        SECRET_KEY="benchmark",
        LOG_LEVEL="WARNING",
        VB_DEMO="1",  # it signs in as a demo user
        **SECRET_ENV,
    )
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "python:engine.app.gunicorn_conf",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "engine.app.wsgi:app",
        ],
        cwd=PROJECT,
        env=env,
        stdout=open(log_path, "wb"),
        stderr=subprocess.STDOUT,
    )
    for _ in range(300):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return proc, port
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"gunicorn did not start; see {log_path}")


def _token(port: int) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(
        "POST",
        "/api/v1/auth/token",
        json.dumps({"username": "beheerder", "password": "demo"}),
        {"Content-Type": "application/json"},
    )
    return json.loads(conn.getresponse().read())["access_token"]


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    if int(handle.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except (OSError, ValueError, IndexError):
                pass
    return found


def cpu_seconds(pids) -> float:
    """User + system CPU time the processes used so far (Linux /proc)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, ValueError, IndexError):
            pass
    return total / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """CPU used by the gunicorn workers and by the PostgreSQL backends serving them: unlike a rate, the
    CPU time per request hardly depends on what else runs on a shared machine."""

    def __init__(self, master: int, database_url: str, application_name: str | None):
        self.master, self.database_url, self.application_name = master, database_url, application_name

    def pids(self) -> tuple[list, list]:
        app = [self.master, *_children(self.master)]
        db = []
        if self.application_name:
            import sqlalchemy as sa

            engine = sa.create_engine(self.database_url)
            with engine.connect() as conn:
                db = [
                    r[0]
                    for r in conn.exec_driver_sql(
                        "SELECT pid FROM pg_stat_activity WHERE application_name = %s", (self.application_name,)
                    )
                ]
            engine.dispose()
        return app, db

    def read(self) -> tuple[float, float, dict]:
        """(app CPU seconds, database CPU seconds, CPU seconds of each worker)."""
        app, db = self.pids()
        return cpu_seconds(app), cpu_seconds(db), {pid: cpu_seconds([pid]) for pid in app if pid != self.master}


def signed_request(source: str, event_type: str, data: dict, msg_id: str | None = None) -> tuple:
    msg_id = msg_id or f"msg_{uuid.uuid4().hex}"
    now = datetime.now(timezone.utc)
    body = json.dumps({"type": event_type, "timestamp": now.isoformat(), "data": data})
    headers = {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(SECRETS[source]).sign(msg_id, now, body),
        "Content-Type": "application/json",
    }
    return ("POST", f"/webhooks/{source}", body.encode(), headers)


def _wire(port: int, request: tuple, keep_alive: bool) -> bytes:
    """The request as it goes on the wire (built before the phase, so the clients spend little per request)."""
    method, path, body, headers = request
    lines = [
        f"{method} {path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        f"Content-Length: {len(body or b'')}",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    if not keep_alive:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b"")


def _exchange(sock: socket.socket | None, port: int, wire: bytes) -> tuple[socket.socket | None, int, bytes]:
    """Send one request (on `sock`, or on a new connection) and read its response: (socket to reuse or
    None, status, body). Only what gunicorn sends is understood: a Content-Length body."""
    if sock is None:
        sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    sock.sendall(wire)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection before answering")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    fields = {k.strip().lower(): v.strip() for k, _, v in (line.partition(b":") for line in lines[1:])}
    length = int(fields.get(b"content-length", b"0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection in the middle of a response")
        body += chunk
    if fields.get(b"connection", b"").lower() == b"close":
        sock.close()
        sock = None
    return sock, status, body


def _client(port: int, requests_: list, keep_alive: bool, start_at: float, seconds: float, out) -> None:
    wires = [_wire(port, request, keep_alive) for request in requests_]
    statuses, outcomes, keys, latencies = Counter(), Counter(), [], []
    sock = None
    while time.time() < start_at:
        time.sleep(0.001)
    deadline = start_at + seconds
    done_at = start_at
    cpu_at_start = time.process_time()
    for (_, path, body, headers), wire in zip(requests_, wires):
        if time.time() >= deadline:
            break
        began = time.perf_counter()
        sock, status, payload = _exchange(sock, port, wire)
        latencies.append(time.perf_counter() - began)
        done_at = time.time()
        statuses[status] += 1
        if path.startswith("/webhooks/") and status in (200, 202):
            result = json.loads(payload)
            outcomes[result["outcome"]] += 1
            if result["outcome"] == "started":
                keys.append((result["business_key"], body, headers))
    if sock is not None:
        sock.close()
    out.put((statuses, outcomes, keys, latencies, done_at - start_at, time.process_time() - cpu_at_start))


def machine_cpu() -> tuple[float, float]:
    """(busy, idle) seconds of all CPUs together since boot (Linux /proc/stat; iowait counts as idle)."""
    with open("/proc/stat") as handle:
        fields = [int(v) for v in handle.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK"), idle / os.sysconf("SC_CLK_TCK")


def run_phase(
    port: int, name: str, requests_: list, clients: int, seconds: float, meter: CpuMeter, keep_alive: bool = True
) -> dict:
    """Send `requests_` (split over the clients) for at most `seconds`; returns counts, the rate and the
    server-side CPU time per request."""
    cpu_before = meter.read()
    machine_before = machine_cpu()
    queue = multiprocessing.Queue()
    slices = [requests_[i::clients] for i in range(clients)]
    start_at = time.time() + 0.5 + len(requests_) / 20000  # the clients build their requests first
    procs = [
        multiprocessing.Process(target=_client, args=(port, s, keep_alive, start_at, seconds, queue)) for s in slices
    ]
    for proc in procs:
        proc.start()
    results = [queue.get() for _ in procs]
    for proc in procs:
        proc.join()
    statuses, outcomes, keys, latencies = Counter(), Counter(), [], []
    elapsed = client_cpu = 0.0
    for s, o, k, lat, took, cpu in results:
        client_cpu += cpu
        statuses.update(s)
        outcomes.update(o)
        keys.extend(k)
        latencies.extend(lat)
        elapsed = max(elapsed, took)
    total = sum(statuses.values())
    cpu_after = meter.read()
    machine_after = machine_cpu()
    busy, idle = (after - before for after, before in zip(machine_after, machine_before))
    per_worker = sorted((cpu_after[2][pid] - cpu_before[2].get(pid, 0.0) for pid in cpu_after[2]), reverse=True)
    app_ms = (cpu_after[0] - cpu_before[0]) / total * 1000 if total else 0.0
    db_ms = (cpu_after[1] - cpu_before[1]) / total * 1000 if total else 0.0
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else 0.0

    return {
        "phase": name,
        "requests": total,
        "seconds": elapsed,
        "rate": total / elapsed if elapsed else 0.0,
        "statuses": dict(statuses),
        "outcomes": dict(outcomes),
        "keys": keys,
        "p50_ms": pct(0.5),
        "p95_ms": pct(0.95),
        "max_ms": pct(1.0),
        "app_cpu_ms": app_ms,
        "db_cpu_ms": db_ms,
        "client_cpu_ms": client_cpu / total * 1000 if total else 0.0,
        "machine_busy": busy / (busy + idle) if busy + idle else 0.0,
        "worker_share": [cpu / sum(per_worker) for cpu in per_worker] if sum(per_worker) else [],
        "other_cpu_ms": (busy - client_cpu - (cpu_after[0] - cpu_before[0]) - (cpu_after[1] - cpu_before[1]))
        / total
        * 1000
        if total
        else 0.0,
    }


def melding(i: int) -> dict:
    return {
        "meldingnummer": f"BENCH-{i}",
        "gemeentecode": "GM0668",
        "ambt": "raadslid",
        "categorie": "intimidatie",
        "acuut_gevaar": False,
        "gemeld_op": "2026-03-02T09:15:00+01:00",
    }


def report(result: dict, baseline: float) -> None:
    ratio = result["rate"] / baseline if baseline else 0
    cpu = result["app_cpu_ms"] + result["db_cpu_ms"]
    capacity = CORES * 1000 / cpu if cpu else 0
    print(
        f"  {result['phase']:<10} {result['rate']:8.1f} req/s  ({result['requests']} in {result['seconds']:.1f} s, "
        f"p50 {result['p50_ms']:.1f} ms, p95 {result['p95_ms']:.1f} ms, max {result['max_ms']:.0f} ms, {ratio:.2f}x "
        f"baseline)  "
        f"statuses {result['statuses']} outcomes {result['outcomes']}",
        flush=True,
    )
    print(
        f"  {'':<10} server CPU {result['app_cpu_ms']:.2f} ms app + {result['db_cpu_ms']:.2f} ms database per request"
        f" -> {capacity:.0f} req/s if {CORES} cores did only this; the clients used {result['client_cpu_ms']:.2f} ms",
        flush=True,
    )
    shares = " / ".join(f"{share:.0%}" for share in result["worker_share"])
    print(
        f"  {'':<10} the machine was {result['machine_busy']:.0%} busy; other processes and the kernel used "
        f"{result['other_cpu_ms']:.2f} ms per request; the workers' shares of the app CPU: {shares}",
        flush=True,
    )


def bench(backend: str, seconds: float, clients: int, workers: int, threads: int, keep_alive: bool) -> dict:
    database = BenchDatabase(backend)
    try:
        database.prepare()
        application_name = f"vb-bench-{os.getpid()}" if backend == "postgresql" else None
        url = database.url + f"&application_name={application_name}" if application_name else database.url
        proc, port = start_gunicorn(url, workers, threads, database.workdir / "gunicorn.log")
        meter = CpuMeter(proc.pid, database.url, application_name)
        try:
            connections = "keep-alive connections" if keep_alive else "a new connection per request"
            print(
                f"[{backend}] gunicorn {workers} workers x {threads} threads, {clients} client processes with "
                f"{connections}, {seconds:.0f} s per phase; {load()}",
                flush=True,
            )
            capacity = int(seconds * 2000)

            def phase(name: str, requests_: list) -> dict:
                result = run_phase(port, name, requests_, clients, seconds, meter, keep_alive)
                report(result, baseline["rate"] if name != "baseline" else result["rate"])
                return result

            baseline = phase("baseline", [("GET", "/healthz", None, {})] * capacity)
            token = _token(port)
            api_body = json.dumps(
                {"process_id": "threat_response", "variables": {"municipality_code": "GM0668"}}
            ).encode()
            api_start = phase(
                "api_start",
                [
                    (
                        "POST",
                        "/api/v1/process-instances",
                        api_body,
                        {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                    )
                ]
                * (capacity // 4),
            )
            started = phase(
                "started",
                [signed_request("politie", "melding.geregistreerd", melding(i)) for i in range(capacity // 4)],
            )
            keys = [k for k, _, _ in started["keys"]]
            correlated = phase(
                "correlated",
                [
                    signed_request(
                        "politie",
                        "aangifte.geregistreerd",
                        {"zaakreferentie": k, "registratienummer": f"PL-{i}", "geregistreerd_op": "2026-03-02"},
                    )
                    for i, k in enumerate(keys)
                ],
            )
            buffered = phase(
                "buffered",
                [
                    signed_request(
                        "om",
                        "beslissing.genomen",
                        {"zaakreferentie": k, "beslissing": "dagvaarding", "beslisdatum": "2026-05-01"},
                    )
                    for k in keys
                ],
            )
            duplicate = phase(
                "duplicate", [("POST", "/webhooks/politie", body, headers) for _, body, headers in started["keys"] * 4]
            )
            print(f"[{backend}] after: {load()}", flush=True)
            print(f"[{backend}] webhook start / API start: {started['rate'] / api_start['rate']:.2f}", flush=True)
            return {p["phase"]: p["rate"] for p in (baseline, api_start, started, correlated, buffered, duplicate)}
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    finally:
        database.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--new-connections",
        action="store_true",
        help="a new connection for every request, as a reverse proxy makes them (default: each "
        "client keeps one connection open)",
    )
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    for backend in backends:
        bench(backend, args.seconds, args.clients, args.workers, args.threads, not args.new_connections)


if __name__ == "__main__":
    main()
