"""The case layer knows no domain: what tasks, messages and webhooks add to a step comes through the
contributor interface (engine/instances/contributors.py, docs/architecture.md). No view uses the database
itself: it calls the services."""

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


# The views: the JSON API and the HTML pages. A view parses the request, calls service functions and
# answers; the queries, the access checks that need them and the commits are the services' (docs/architecture.md).
VIEWS = sorted(
    [*(ENGINE / "api").glob("*.py"), *(ENGINE / "web" / "pages").glob("*.py"), ENGINE / "studio" / "pages.py"]
)


def _type_checking_only(tree: ast.Module) -> set[int]:
    """The nodes under `if TYPE_CHECKING:`, which never run."""
    return {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"
        for statement in node.body
        for inner in ast.walk(statement)
    }


def _database_uses(source: str) -> list[str]:
    """How a module reaches the database itself: the `db` extension or anything else of the db package but its
    constants (MAX_ROW_ID), an attribute of `db` (`db.session`), a model's query property (`User.query`), or
    SQLAlchemy (outside `if TYPE_CHECKING:`)."""
    tree = ast.parse(source)
    types_only = _type_checking_only(tree)
    found = []
    for node in ast.walk(tree):
        if id(node) in types_only:
            continue
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if module.split(".")[0] == "sqlalchemy":
                found.append(f"line {node.lineno}: from {module} import ...")
            elif (node.level >= 1 and module.split(".")[0] == "db") or module.startswith("engine.db"):
                found += [f"line {node.lineno}: {a.name} from {module}" for a in node.names if not a.name.isupper()]
            elif node.level >= 1 and not module and any(a.name == "db" for a in node.names):
                found.append(f"line {node.lineno}: the db package")
        elif isinstance(node, ast.Import):
            found += [
                f"line {node.lineno}: import {a.name}" for a in node.names if a.name.split(".")[0] == "sqlalchemy"
            ]
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id == "db":
                found.append(f"line {node.lineno}: db.{node.attr}")
            elif node.attr == "query" and node.value.id[:1].isupper():
                found.append(f"line {node.lineno}: {node.value.id}.query")
    return found


def test_no_view_uses_the_database_itself():
    uses = {str(path.relative_to(ENGINE)): _database_uses(path.read_text()) for path in VIEWS}
    assert {name: found for name, found in uses.items() if found} == {}


def test_the_view_check_finds_what_it_forbids():
    assert _database_uses("from ..db.extensions import MAX_ROW_ID\n") == []
    assert _database_uses("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from sqlalchemy import Row\n") == []
    assert _database_uses("row.query\n") == []
    assert len(_database_uses("from ..db.extensions import db\n")) == 1
    assert len(_database_uses("from ...db.prepared import Raw\n")) == 1
    assert len(_database_uses("from .. import db\n")) == 1
    assert len(_database_uses("import sqlalchemy as sa\n")) == 1
    assert len(_database_uses("from sqlalchemy.orm import undefer\n")) == 1
    assert len(_database_uses("x = db.session.get(User, 1)\n")) == 1
    assert len(_database_uses("User.query.filter_by(username='a')\n")) == 1


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
