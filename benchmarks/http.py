"""The request path: what an API call or a page costs over real HTTP, against the engine step behind it.

    make bench-http   (or: .venv/bin/python -m benchmarks.http [--requests 200] [--open-tasks 10000]
                                                             [--database-url postgresql://...] [--profile])

The app is served as `make run` serves it (gunicorn with engine/app/gunicorn_conf.py, --preload, 2 workers of 4
threads) on a fresh SQLite file in a temporary folder, or with --database-url in a PostgreSQL schema of its
own (dropped afterwards). Cases are started through the service layer: a caller with 1, one with 50 and one
with 500 open tasks (gemeente users of their own municipalities), and --open-tasks cases of `simple_case`
for gemeente.westbetuwe, whose inbox and case pages are measured.

Every request is measured from one client, on one kept-alive connection and with a new connection per
request; the server also reports its own time (`Server-Timing`, switched on by VB_SERVER_TIMING=1 for this
run only), so the WSGI server's and the connection's share shows. The task completion is measured in
interleaved rounds with (a) the floor of `make bench` (bare SpiffWorkflow, serialize, one SQLite commit) and
(b) the service-layer completion (`engine.tasks.service.complete`), all on the same three-step-per-case
model, so the ratios come from one run. With --profile it also prints where a request's time goes, per
layer, from cProfile over the same requests in this process (Flask's test client, same database).
"""

from __future__ import annotations

import argparse
import cProfile
import http.client
import json
import logging
import os
import pstats
import re
import secrets
import statistics
import subprocess
import time
from pathlib import Path
from urllib.parse import urlencode

from .engine_steps import FORM_DATA, MODELS, floor_run, host_run
from .webhooks_inbound import _free_port, melding, signed_request
from .webhooks_setup import PROJECT, SECRET_ENV, BenchDatabase, load

PASSWORD = "bench-http " + secrets.token_hex(8)
CALLERS = {"bench.one": ("GM0001", 1), "bench.fifty": ("GM0002", 50), "bench.fivehundred": ("GM0003", 500)}
STARTER = ("bench.starter", "GM0004")


def _percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


# --- the data --------------------------------------------------------------------------------------------


def build(app, open_tasks: int) -> dict:
    from engine.app.cli import deploy_folders
    from engine.identity.actor import Actor
    from engine.identity.service import create_user, get_user
    from engine.cases.service import start_case

    with app.app_context():
        deploy_folders([MODELS, PROJECT / "tests" / "fixtures" / "basic"], actor="bench")
        for username, (code, count) in CALLERS.items():
            actor = Actor.for_user(create_user(username, PASSWORD, ["gemeente"], code))
            for n in range(count):
                start_case("simple_case", {"summary": f"melding {n}", "municipality_code": code}, actor)
        create_user(STARTER[0], PASSWORD, ["gemeente"], STARTER[1])
        west = Actor.for_user(get_user("gemeente.westbetuwe"))
        started = time.perf_counter()
        cases = [
            start_case("simple_case", {"summary": f"melding {n}", "municipality_code": "GM0668"}, west).id
            for n in range(open_tasks)
        ]
        seconds = time.perf_counter() - started
    return {"cases": cases, "start_seconds": seconds}


# --- the server and the client -----------------------------------------------------------------------------


def serve(database_url: str, log_path: Path) -> tuple[subprocess.Popen, int]:
    """gunicorn as engine/app/serve.py starts it for `make run`."""
    from engine.core.config import serve_settings
    from engine.app.serve import _commands

    port = _free_port()
    command = [
        part
        for part in _commands(str(port), serve_settings()["workers"])["web"]
        if part not in ("--access-logfile", "-")
    ]
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        VB_AUTO_MIGRATE="0",
        SECRET_KEY="bench-http",
        LOG_LEVEL="WARNING",
        VB_DEMO="1",
        VB_SERVER_TIMING="1",
        **SECRET_ENV,
    )
    proc = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=open(log_path, "wb"), stderr=subprocess.STDOUT)
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


class Client:
    """One caller: a kept-alive connection, or a new one per request (`fresh`); keeps the session cookie."""

    def __init__(self, port: int, headers: dict | None = None):
        self.port, self.headers, self.conn, self.cookies = port, dict(headers or {}), None, {}

    def _send(self, method, path, body, headers):
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        started = time.perf_counter()
        self.conn.request(method, path, body, headers)
        response = self.conn.getresponse()
        data = response.read()
        return response, data, (time.perf_counter() - started) * 1000

    def request(self, method, path, body=None, headers=None, fresh=False):
        if fresh and self.conn is not None:
            self.conn.close()
            self.conn = None
        all_headers = {**self.headers, **(headers or {})}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if fresh:
            all_headers["Connection"] = "close"
        try:
            response, data, elapsed = self._send(method, path, body, all_headers)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # the server closed a kept-alive connection (VB_KEEPALIVE_REQUESTS): open it again, as a client does
            self.conn.close()
            self.conn = None
            response, data, elapsed = self._send(method, path, body, all_headers)
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        if fresh or (response.getheader("Connection") or "").lower() == "close":
            self.conn.close()
            self.conn = None
        timing = re.search(r"app;dur=([\d.]+)", response.getheader("Server-Timing") or "")
        return response.status, data, elapsed, float(timing.group(1)) if timing else None

    def json(self, method, path, payload, fresh=False):
        return self.request(method, path, json.dumps(payload).encode(), {"Content-Type": "application/json"}, fresh)


def token_client(port: int, username: str, password: str) -> Client:
    client = Client(port)
    status, data, *_ = client.json("POST", "/api/v1/auth/token", {"username": username, "password": password})
    assert status == 200, (username, status, data)
    client.headers["Authorization"] = f"Bearer {json.loads(data)['access_token']}"
    return client


def web_client(port: int, username: str, password: str) -> Client:
    client = Client(port)
    _, page, *_ = client.request("GET", "/login")
    csrf = re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()
    status, *_ = client.request(
        "POST",
        "/login",
        urlencode({"username": username, "password": password, "csrf_token": csrf}).encode(),
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 302, (username, status)
    return client


def measure(name, call, count, warmup=10) -> dict:
    """`call(fresh)` returns (status, body, client ms, server ms); runs it `count` times after a warm-up."""
    for _ in range(warmup):
        call()
    client, server = [], []
    for _ in range(count):
        status, body, elapsed, at_server = call()
        assert status in (200, 201, 202), (name, status, body[:300])
        client.append(elapsed)
        if at_server is not None:
            server.append(at_server)
    return {
        "name": name,
        "p50": statistics.median(client),
        "p95": _percentile(client, 0.95),
        "server_p50": statistics.median(server),
        "server_p95": _percentile(server, 0.95),
    }


# --- the task completion: floor, service layer and HTTP in interleaved rounds --------------------------------


def http_completions(client: Client, cases: int, fresh: bool) -> tuple[list, list]:
    """Start `cases` bench_ten_steps cases over HTTP and complete each of their user tasks over HTTP."""
    timings, server = [], []
    for _ in range(cases):
        status, data, *_ = client.json(
            "POST",
            "/api/v1/process-instances",
            {"process_id": "bench_ten_steps", "variables": {"municipality_code": "GM0668"}},
        )
        assert status == 201, (status, data[:300])
        open_tasks = json.loads(data)["open_tasks"]
        while open_tasks:
            status, data, elapsed, at_server = client.json(
                "POST", f"/api/v1/tasks/{open_tasks[0]['id']}/complete", {"variables": dict(FORM_DATA)}, fresh
            )
            assert status == 200, (status, data[:300])
            timings.append(elapsed / 1000)
            server.append(at_server / 1000)
            open_tasks = json.loads(data)["next_tasks"]
    return timings, server


# --- where the time goes -------------------------------------------------------------------------------------

LAYERS = (
    ("authentication", lambda f: "engine/identity/auth.py" in f[0] and f[2] in ("current_actor", "current_user")),
    ("parsing", lambda f: "webargs" in f[0] and f[2] == "parse"),
    ("authorisation", lambda f: "engine/access/policy.py" in f[0]),
    (
        "service",
        lambda f: (
            re.search(r"engine/\w+/(service|store|session)\.py$", f[0]) is not None
            and f[2] not in ("user_for_token", "user_for_web_session")
        ),
    ),
    (
        "serialization",
        lambda f: (
            ("marshmallow/schema.py" in f[0] and f[2] == "dump")
            or ("flask/json" in f[0] and f[2] in ("response", "dumps"))
            or ("jinja2/environment.py" in f[0] and f[2] == "render")
        ),
    ),
    ("commit", lambda f: "sqlalchemy/orm/session.py" in f[0] and f[2] == "commit"),
    (
        "SQL round trips",
        lambda f: (
            f[2] in ("<method 'execute' of 'sqlite3.Cursor' objects>",)
            or ("psycopg/cursor.py" in f[0] and f[2] == "execute")
        ),
    ),
)


def _entered(stats: dict, belongs) -> float:
    """Time spent inside the functions `belongs` picks, counted where they are entered from outside."""
    total = 0.0
    for func, (_, _, _, _, callers) in stats.items():
        if belongs(func):
            total += sum(values[3] for caller, values in callers.items() if not belongs(caller))
    return total


def profile(app, requests: dict, count: int) -> list:
    """Per layer, the share of each request's application time, from cProfile in this process."""
    rows = []
    for name, call in requests.items():
        for _ in range(5):
            call()
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(count):
            call()
        profiler.disable()
        stats = pstats.Stats(profiler).stats
        whole = _entered(stats, lambda f: "flask/app.py" in f[0] and f[2] == "wsgi_app") or 1e-9
        rows.append((name, {layer: _entered(stats, belongs) / whole for layer, belongs in LAYERS}))
    return rows


# --- the run -----------------------------------------------------------------------------------------------


def _row(r: dict, *ratios) -> str:
    return (
        f"| {r['name']} | {r['p50']:.2f} | {r['p95']:.2f} | {r['server_p50']:.2f} | {r['server_p95']:.2f} |"
        + "".join(f" {x} |" for x in ratios)
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--cases", type=int, default=30, help="bench_ten_steps cases per completion variant")
    parser.add_argument("--open-tasks", type=int, default=10_000)
    parser.add_argument("--database-url", default=None, help="PostgreSQL (a schema of its own); default SQLite")
    parser.add_argument("--profile", action="store_true", help="also print the time per layer (cProfile)")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)
    if args.database_url:
        os.environ["BENCH_DATABASE_URL"] = args.database_url
    database = BenchDatabase("postgresql" if args.database_url else "sqlite")
    proc = None
    try:
        app = database.prepare()
        print(
            f"Building on {database.backend}: callers with 1, 50 and 500 open tasks, {args.open_tasks} cases for "
            "gemeente.westbetuwe ...",
            flush=True,
        )
        data = build(app, args.open_tasks)
        print(
            f"  {args.open_tasks} cases started through the service layer in {data['start_seconds']:.1f} s; {load()}",
            flush=True,
        )
        proc, port = serve(database.url, database.workdir / "gunicorn.log")
        return report(app, port, data, args, database.workdir)
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(10)
        database.close()


def report(app, port: int, data: dict, args, workdir: Path) -> int:
    import random

    n = args.requests
    west = token_client(port, "gemeente.westbetuwe", "demo")
    callers = {username: token_client(port, username, PASSWORD) for username in CALLERS}
    starter = token_client(port, STARTER[0], PASSWORD)
    page = web_client(port, "gemeente.westbetuwe", "demo")
    webhook = Client(port)
    case_ids = data["cases"]
    random.seed(1)
    deliveries = iter(signed_request("politie", "melding.geregistreerd", melding(i)) for i in range(10 * n + 100))

    def deliver(fresh=False):
        method, path, body, headers = next(deliveries)
        return webhook.request(method, path, body, headers, fresh)

    def start(fresh=False):
        return starter.json(
            "POST",
            "/api/v1/process-instances",
            {"process_id": "simple_case", "variables": {"summary": "melding", "municipality_code": STARTER[1]}},
            fresh,
        )

    calls = {
        "GET /healthz": lambda fresh=False: west.request("GET", "/healthz", fresh=fresh),
        "GET /api/v1/tasks (1 open)": lambda fresh=False: callers["bench.one"].request(
            "GET", "/api/v1/tasks", fresh=fresh
        ),
        "GET /api/v1/tasks (50 open)": lambda fresh=False: callers["bench.fifty"].request(
            "GET", "/api/v1/tasks", fresh=fresh
        ),
        "GET /api/v1/tasks (500 open)": lambda fresh=False: callers["bench.fivehundred"].request(
            "GET", "/api/v1/tasks", fresh=fresh
        ),
        "GET /api/v1/process-instances/{id}": lambda fresh=False: west.request(
            "GET", f"/api/v1/process-instances/{random.choice(case_ids)}", fresh=fresh
        ),
        "POST /api/v1/process-instances (case start)": start,
        f"inbox page ({len(case_ids)} open tasks)": lambda fresh=False: page.request("GET", "/", fresh=fresh),
        "case page": lambda fresh=False: page.request("GET", f"/cases/{random.choice(case_ids)}", fresh=fresh),
        "webhook delivery (politie melding.geregistreerd)": deliver,
    }

    # the completion: floor, service layer, HTTP keep-alive and HTTP new connection, interleaved
    floor_run(3, workdir)
    host_run(app, 2)
    http_completions(west, 2, False)
    floor, host, kept, kept_server, fresh, fresh_server = [], [], [], [], [], []
    for _ in range(3):
        floor += floor_run(args.cases // 3, workdir)
        host += host_run(app, args.cases // 3)
        timings, server = http_completions(west, args.cases // 3, False)
        kept += timings
        kept_server += server
        timings, server = http_completions(west, args.cases // 3, True)
        fresh += timings
        fresh_server += server
    floor_ms, host_ms = statistics.median(floor) * 1000, statistics.median(host) * 1000
    print(f"\nTask completion, {len(floor)} steps each (bench_ten_steps), ms; ratios of medians, same run:\n")
    print("| completion | p50 | p95 | server p50 | server p95 | / floor | / service |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, values, server in (
        ("floor (bare SpiffWorkflow + serialize + commit)", floor, None),
        ("service layer (tasks.service.complete)", host, None),
        ("HTTP, keep-alive", kept, kept_server),
        ("HTTP, new connection per request", fresh, fresh_server),
    ):
        p50 = statistics.median(values) * 1000
        server_p50 = f"{statistics.median(server) * 1000:.2f}" if server else "-"
        server_p95 = f"{_percentile(server, 0.95) * 1000:.2f}" if server else "-"
        print(
            f"| {name} | {p50:.2f} | {_percentile(values, 0.95) * 1000:.2f} | {server_p50} | {server_p95} | "
            f"{p50 / floor_ms:.1f}x | {p50 / host_ms:.1f}x |"
        )

    print(f"\nRequests, {n} each after 10 warm-up, ms (client: over HTTP; server: Server-Timing):\n")
    print("| request | p50 | p95 | server p50 | server p95 | new conn. p50 | new conn. p95 |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    results = {}
    for name, call in calls.items():
        kept_row = measure(name, call, n)
        fresh_row = measure(name, lambda call=call: call(fresh=True), n)
        results[name] = kept_row
        print(_row(kept_row, f"{fresh_row['p50']:.2f}", f"{fresh_row['p95']:.2f}"))
    print(f"\n{load()}")

    goals = [
        ("completion, keep-alive <= 3x service layer", statistics.median(kept) * 1000 <= 3 * host_ms),
        ("completion, keep-alive <= 5x floor", statistics.median(kept) * 1000 <= 5 * floor_ms),
        (
            "GET /api/v1/tasks (50) < 2 ms median at the server",
            results["GET /api/v1/tasks (50 open)"]["server_p50"] < 2,
        ),
        ("pages p95 < 20 ms at the server", all(results[k]["server_p95"] < 20 for k in results if "page" in k)),
    ]
    print("Goals: " + "; ".join(f"{text}: {'met' if ok else 'NOT met'}" for text, ok in goals))

    if args.profile:
        print_profile(app, n)
    return 0


def print_profile(app, n: int) -> None:
    """The same kinds of request in this process under cProfile: each layer's share of the app's time."""
    from .web_pages import signed_in

    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"username": "bench.fifty", "password": PASSWORD}).get_json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    west = app.test_client()
    token = west.post("/api/v1/auth/token", json={"username": "gemeente.westbetuwe", "password": "demo"}).get_json()
    west_headers = {"Authorization": f"Bearer {token['access_token']}"}
    pages = signed_in(app, "gemeente.westbetuwe")
    state = {"task": None}

    def complete():
        if state["task"] is None:
            body = west.post(
                "/api/v1/process-instances",
                headers=west_headers,
                json={"process_id": "bench_ten_steps", "variables": {"municipality_code": "GM0668"}},
            ).get_json()
            state["task"] = body["open_tasks"][0]["id"]
        body = west.post(
            f"/api/v1/tasks/{state['task']}/complete", headers=west_headers, json={"variables": dict(FORM_DATA)}
        ).get_json()
        state["task"] = body["next_tasks"][0]["id"] if body["next_tasks"] else None

    rows = profile(
        app,
        {
            "task completion": complete,
            "GET /api/v1/tasks (50 open)": lambda: client.get("/api/v1/tasks", headers=headers),
            "inbox page": lambda: pages.get("/"),
        },
        max(20, n // 4),
    )
    layers = [layer for layer, _ in LAYERS]
    print(
        "\nWhere the application's time goes (cProfile, share of Flask's wsgi_app; layers are inclusive, "
        "so SQL is also inside the others):\n"
    )
    print("| request | " + " | ".join(layers) + " |")
    print("|---|" + "---:|" * len(layers))
    for name, shares in rows:
        print(f"| {name} | " + " | ".join(f"{shares[layer] * 100:.0f} %" for layer in layers) + " |")
    print("The WSGI server's share is the client time minus the server time in the tables above.")


if __name__ == "__main__":
    raise SystemExit(main())
