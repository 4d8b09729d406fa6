"""Configuration from environment variables (12-factor); one place that reads the environment."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


_JSON_COLUMNS = json.JSONEncoder(default=str, separators=(",", ":"))  # built once: every step writes JSON columns


def json_dumps(value) -> str:
    """JSON columns: anything the engine left that JSON does not know (a date, a Decimal) is stored as text."""
    return _JSON_COLUMNS.encode(value)


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _database_url(instance_path: Path) -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{instance_path / 'veilig-bestuur.sqlite3'}"
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def instance_secret_file(path: Path, make) -> Path:
    """A secret kept in a file under instance/ (never in the repository): written once with `make()`, mode
    0600; a file another process created at the same moment wins."""
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process created it just now
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(make() + "\n")
    return path


def _instance_secret(instance_path: Path) -> str:
    """Without SECRET_KEY, a random key kept in instance/secret_key."""
    return instance_secret_file(instance_path / "secret_key", lambda: secrets.token_hex(32)).read_text().strip()


def engine_options(database_url: str) -> dict:
    """A server database may drop idle connections (a restart, a proxy's timeout): each checkout is checked
    by `engine.db.pool_liveness` (installed by `database.configure_engine`) rather than pinged with a query every
    time. An SQLite file has no connection to lose."""
    return {"pool_pre_ping": False, "json_serializer": json_dumps}


def instance_path() -> str | None:
    """Where the app keeps its database, secrets and documents (`VB_INSTANCE_PATH`); None: Flask's default."""
    return os.environ.get("VB_INSTANCE_PATH") or None


def log_levels() -> tuple[str, str]:
    """The app's log level (`LOG_LEVEL`) and SpiffWorkflow's own (`VB_ENGINE_LOG_LEVEL`), set before the app
    exists so that the factory's own lines are logged."""
    return os.environ.get("LOG_LEVEL", "INFO"), os.environ.get("VB_ENGINE_LOG_LEVEL", "WARNING")


def serve_settings() -> dict:
    """What `make run` (engine/app/serve.py) and the gunicorn settings read before any app exists."""
    return {
        "port": os.environ.get("PORT", "5000"),
        "workers": os.environ.get("WEB_CONCURRENCY", "2"),
        # Keep-alive connections are closed after this many requests (engine/app/gunicorn_conf.py); 0: never
        "keepalive_requests": int(os.environ.get("VB_KEEPALIVE_REQUESTS", "100")),
        # `Server-Timing` on every response, for `make bench-http` only (engine/profiling/server_timing.py)
        "server_timing": os.environ.get("VB_SERVER_TIMING") == "1",
    }


def webhook_secret(variable: str) -> str:
    """A webhook source's signing secret(s), from the variable its route file names (docs/webhooks.md)."""
    return os.environ.get(variable, "").strip()


def load_config(instance_path: Path) -> dict:
    """The settings of one app instance. Every key can be overridden by `create_app(overrides)`."""
    secret = os.environ.get("SECRET_KEY") or _instance_secret(instance_path)
    demo = _bool("VB_DEMO", False)
    upload_max = int(os.environ.get("VB_MAX_UPLOAD_BYTES", str(5 * 1024 * 1024)))
    document_max = int(os.environ.get("VB_DOCUMENT_MAX_BYTES", str(20 * 1024 * 1024)))
    return {
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": _database_url(instance_path),
        "SQLALCHEMY_TRACK_MODIFICATIONS": False,
        "PORT": int(os.environ.get("PORT", "5000")),
        "VB_DEMO": demo,
        # A municipality's theme (docs/web.md, "Theming"): a CSS file of design tokens on this server, and
        # the class(es) its tokens are scoped to, set on every page's <html>.
        "VB_THEME_CSS": os.environ.get("VB_THEME_CSS") or None,
        "VB_THEME_CLASS": os.environ.get("VB_THEME_CLASS", "").strip(),
        "VB_PROCESSES_DIR": os.environ.get("VB_PROCESSES_DIR", str(PROJECT_ROOT / "processes")),
        "VB_FORMS_DIR": os.environ.get("VB_FORMS_DIR", str(PROJECT_ROOT / "forms")),
        "VB_WEBHOOKS_DIR": os.environ.get("VB_WEBHOOKS_DIR", str(PROJECT_ROOT / "webhooks")),
        "VB_TOKEN_TTL_SECONDS": int(os.environ.get("VB_TOKEN_TTL_SECONDS", str(8 * 3600))),
        "VB_SCRIPT_TIME_LIMIT": float(os.environ.get("VB_SCRIPT_TIME_LIMIT", "1.0")),
        "VB_COMPACT_THRESHOLD": int(os.environ.get("VB_COMPACT_THRESHOLD", "60")),
        "VB_COMPACT_KEEP": int(os.environ.get("VB_COMPACT_KEEP", "8")),
        "VB_AUTO_MIGRATE": _bool("VB_AUTO_MIGRATE", True),
        # How long an SQLite write waits for another one before the request is answered 503 (busy)
        "VB_SQLITE_BUSY_TIMEOUT_MS": int(os.environ.get("VB_SQLITE_BUSY_TIMEOUT_MS", "10000")),
        # A pooled PostgreSQL connection idle longer than this is pinged at checkout (engine/db/pool_liveness.py)
        "VB_DB_PING_IDLE_SECONDS": float(os.environ.get("VB_DB_PING_IDLE_SECONDS", "10")),
        # Garbage collector thresholds of the web workers and the scheduler (engine/core/gc_tuning.py)
        "VB_GC_THRESHOLDS": os.environ.get("VB_GC_THRESHOLDS", "20000,50,100"),
        # Compare every state dump with the library's own conversion (a check for the tests, twice the cost)
        "VB_VERIFY_STATE_DUMP": _bool("VB_VERIFY_STATE_DUMP", False),
        "VB_VERIFY_ENGINE_WALKS": _bool("VB_VERIFY_ENGINE_WALKS", False),
        # Webhooks (docs/webhooks.md). Source secrets are read from VB_WEBHOOK_SECRET_<SOURCE>, named in
        # each route file.
        "VB_WEBHOOK_MAX_BYTES": int(os.environ.get("VB_WEBHOOK_MAX_BYTES", str(256 * 1024))),
        "VB_MESSAGE_BUFFER_TTL_SECONDS": int(os.environ.get("VB_MESSAGE_BUFFER_TTL_SECONDS", str(14 * 24 * 3600))),
        "VB_WEBHOOK_RETRY_BASE_SECONDS": float(os.environ.get("VB_WEBHOOK_RETRY_BASE_SECONDS", "10")),
        "VB_WEBHOOK_RETRY_MAX_SECONDS": float(os.environ.get("VB_WEBHOOK_RETRY_MAX_SECONDS", str(6 * 3600))),
        "VB_WEBHOOK_MAX_ATTEMPTS": int(os.environ.get("VB_WEBHOOK_MAX_ATTEMPTS", "12")),
        "VB_WEBHOOK_TIMEOUT_SECONDS": float(os.environ.get("VB_WEBHOOK_TIMEOUT_SECONDS", "10")),
        "VB_WEBHOOK_DISPATCH_INTERVAL": float(os.environ.get("VB_WEBHOOK_DISPATCH_INTERVAL", "1.0")),
        "VB_WEBHOOK_DISPATCH_BATCH": int(os.environ.get("VB_WEBHOOK_DISPATCH_BATCH", "50")),
        "VB_WEBHOOK_DISPATCH_THREADS": int(os.environ.get("VB_WEBHOOK_DISPATCH_THREADS", "4")),
        "VB_WEBHOOK_RETENTION_DAYS": int(os.environ.get("VB_WEBHOOK_RETENTION_DAYS", "90")),
        "VB_MAX_UPLOAD_BYTES": upload_max,
        # Case documents (docs/documents.md): where their sealed bytes live, and the largest accepted
        "VB_DOCUMENT_STORE": os.environ.get("VB_DOCUMENT_STORE", "file").strip().lower(),
        "VB_DOCUMENT_DIR": os.environ.get("VB_DOCUMENT_DIR", str(instance_path / "documents")),
        "VB_DOCUMENT_MAX_BYTES": document_max,
        # A request body: a document and its multipart framing, or four deployment files
        "MAX_CONTENT_LENGTH": max(upload_max * 4, document_max + 64 * 1024),
        "API_TITLE": "Veilig Bestuur API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "JSON_SORT_KEYS": False,
        # The web app (engine/web, docs/web.md).
        # Cookies only over HTTPS: unset means on, except in the embedded demo (plain http://127.0.0.1)
        "VB_SECURE_COOKIES": _bool("VB_SECURE_COOKIES") if os.environ.get("VB_SECURE_COOKIES") else None,
        # How long another process may still accept a revoked token (identity/token_cache.py); 0: no cache.
        "VB_TOKEN_CACHE_SECONDS": float(os.environ.get("VB_TOKEN_CACHE_SECONDS", "5")),
        # A web session ends after this long without a request, and this long after sign-in at the latest.
        "VB_SESSION_IDLE_MINUTES": float(os.environ.get("VB_SESSION_IDLE_MINUTES", "30")),
        "VB_SESSION_MAX_HOURS": float(os.environ.get("VB_SESSION_MAX_HOURS", "10")),
        # Failed sign-ins (identity/throttle.py): per account, and per client address, within the window
        "VB_LOGIN_MAX_FAILURES": int(os.environ.get("VB_LOGIN_MAX_FAILURES", "10")),
        "VB_LOGIN_MAX_FAILURES_PER_CLIENT": int(os.environ.get("VB_LOGIN_MAX_FAILURES_PER_CLIENT", "100")),
        "VB_LOGIN_WINDOW_MINUTES": float(os.environ.get("VB_LOGIN_WINDOW_MINUTES", "15")),
        # Roles that must sign in with a second factor (identity/second_factor.py), comma-separated; unset:
        # the roles that read sensitive fields outside the demo, none in the demo
        "VB_TOTP_REQUIRED_ROLES": os.environ.get("VB_TOTP_REQUIRED_ROLES"),
        "VB_INBOX_POLL_SECONDS": int(os.environ.get("VB_INBOX_POLL_SECONDS", "15")),
        "VB_OIDC_ISSUER": os.environ.get("VB_OIDC_ISSUER", "").rstrip("/"),
        "VB_OIDC_CLIENT_ID": os.environ.get("VB_OIDC_CLIENT_ID", ""),
        "VB_OIDC_CLIENT_SECRET": os.environ.get("VB_OIDC_CLIENT_SECRET", ""),
        "VB_OIDC_USERNAME_CLAIM": os.environ.get("VB_OIDC_USERNAME_CLAIM", "preferred_username"),
        "VB_OIDC_LABEL": os.environ.get("VB_OIDC_LABEL", ""),
        # Case data at rest (docs/privacy.md): the key-encryption keys, comma-separated, the first one active.
        # Without either, only the demo and the tests run (on a key made under instance/).
        "VB_MASTER_KEY": os.environ.get("VB_MASTER_KEY", ""),
        "VB_MASTER_KEY_FILE": os.environ.get("VB_MASTER_KEY_FILE", ""),
        # How long a closed case is kept when its process declares no `retention` (ISO 8601 duration)
        "VB_DEFAULT_RETENTION": os.environ.get("VB_DEFAULT_RETENTION", "P5Y"),
        "VB_RETENTION_SWEEP_MINUTES": float(os.environ.get("VB_RETENTION_SWEEP_MINUTES", "60")),
        # The yearly evaluation of the vangnet (docs/processes.md#vangnet_evaluation): the first year the schedule
        # evaluates, every how many years, and the day and time in the year after (engine/reporting/evaluation.py)
        "VB_EVALUATION_FIRST_YEAR": os.environ.get("VB_EVALUATION_FIRST_YEAR", "2016"),
        "VB_EVALUATION_PERIOD": os.environ.get("VB_EVALUATION_PERIOD", "P1Y"),
        "VB_EVALUATION_RUN_ON": os.environ.get("VB_EVALUATION_RUN_ON", "01-15T09:00"),
        # E-mail notifications (docs/notifications.md). Without VB_SMTP_URL mails are written to the log.
        "VB_SMTP_URL": os.environ.get("VB_SMTP_URL", ""),
        "VB_SMTP_CA_FILE": os.environ.get("VB_SMTP_CA_FILE", ""),
        "VB_MAIL_FROM": os.environ.get("VB_MAIL_FROM", "Vangnet Bedreiging <noreply@localhost>"),
        # The address of the web app as users reach it: the links in mails point there
        "VB_BASE_URL": os.environ.get("VB_BASE_URL", f"http://127.0.0.1:{os.environ.get('PORT', '5000')}"),
        "VB_MAIL_RETRY_BASE_SECONDS": float(os.environ.get("VB_MAIL_RETRY_BASE_SECONDS", "30")),
        "VB_MAIL_RETRY_MAX_SECONDS": float(os.environ.get("VB_MAIL_RETRY_MAX_SECONDS", "3600")),
        "VB_MAIL_MAX_ATTEMPTS": int(os.environ.get("VB_MAIL_MAX_ATTEMPTS", "10")),
        "VB_MAIL_TIMEOUT_SECONDS": float(os.environ.get("VB_MAIL_TIMEOUT_SECONDS", "10")),
        "VB_MAIL_SEND_INTERVAL": float(os.environ.get("VB_MAIL_SEND_INTERVAL", "1.0")),
        "VB_MAIL_BATCH": int(os.environ.get("VB_MAIL_BATCH", "50")),
        "VB_MAIL_DIGEST_CHECK_SECONDS": float(os.environ.get("VB_MAIL_DIGEST_CHECK_SECONDS", "60")),
        # The timer scheduler's settings (timers/settings.py holds their defaults): only those set are kept
        **{name: value for name, value in os.environ.items() if name.startswith("VB_TIMER_") and value != ""},
    }
