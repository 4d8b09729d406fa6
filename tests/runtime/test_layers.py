"""The case layer knows no domain: what tasks, messages and webhooks add to a step comes through the
contributor interface (engine/instances/contributors.py, docs/architecture.md)."""

from __future__ import annotations

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[2] / "engine"
DOMAINS = (
    "tasks",
    "messages",
    "webhooks",
    "timers",
    "reporting",
    "retention",
    "documents",
    "notes",
    "notifications",
    "search",
    "accesslog",
    "access",
    "cases",
    "api",
    "web",
    "studio",
    "operations",
)


def _imported_packages(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level >= 1 and node.module:
            if node.level == 2 or (node.level == 1 and path.parent.name == "engine"):
                found.add(node.module.split(".")[0])
    return found


def test_the_case_session_and_its_contributor_interface_import_no_domain():
    for name in ("session.py", "contributors.py", "sealed.py", "engine_runner.py", "cache.py", "store.py"):
        assert _imported_packages(ENGINE / "instances" / name) & set(DOMAINS) == set(), name


def test_no_module_of_the_case_layer_imports_a_domain():
    # the whole of instances/ (the case row, its task rows, the text index ...) sits below access and the domains
    for path in sorted((ENGINE / "instances").glob("*.py")):
        assert _imported_packages(path) & set(DOMAINS) == set(), path.name


def test_the_case_store_reads_the_outbox_flag_without_importing_the_webhooks():
    # the case row is read with whether any outbound subscription is active (one EXISTS in the same statement);
    # the store names that table instead of importing the webhooks' model, and must name it as the model does
    from engine.instances import store
    from engine.webhooks.models import OutboundSubscription

    assert _imported_packages(ENGINE / "instances" / "store.py") & set(DOMAINS) == set()
    table = OutboundSubscription.__table__
    assert store._OUTBOUND.name == table.name
    assert type(store._OUTBOUND.c.active.type) is type(table.c.active.type)


def test_every_domain_contributor_is_registered_by_the_factory():
    factory = (ENGINE / "__init__.py").read_text()
    for package in ("tasks", "messages", "webhooks"):
        assert (ENGINE / package / "contributor.py").exists()
        assert f"from .{package}.contributor import" in factory


def test_only_the_configuration_reads_the_environment():
    # every setting is in engine/core/config.py, so a deployment finds them all in one place (docs/architecture.md, Configuration)
    readers = []
    for path in ENGINE.rglob("*.py"):
        if path == ENGINE / "core" / "config.py" or "migrations" in path.parts:
            continue
        text = path.read_text()
        if "os.environ" in text or "getenv(" in text:
            readers.append(str(path.relative_to(ENGINE)))
    assert readers == []
