"""Reading the webhook YAML files (route files, the outbound domain events): strict YAML (a key written twice
is refused, since a second event type of the same name would silently replace the first), UTF-8, and
problems that name the file and the line, or the place in the document, so whoever edits the file knows what
to fix."""

from __future__ import annotations

from pathlib import Path

import yaml
from jsonschema import Draft202012Validator


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses a key written twice."""


def _construct_mapping(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"'{key}' is written twice", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_document(path: Path, name: str, schema: dict, describe=None) -> tuple[object, list[str]]:
    """The file's document and, when it cannot be used, the problems (each starting with `name`): not UTF-8,
    not valid YAML (with the line), or not of `schema`'s structure (`describe(error)` words a schema error;
    by default its place and message)."""
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = f" line {mark.line + 1}:" if mark is not None else ""
        detail = getattr(err, "problem", None) or str(err)
        return None, [f"{name}:{line} not valid YAML: {detail}"]
    except UnicodeDecodeError:
        return None, [f"{name}: not UTF-8 text"]
    errors = sorted(Draft202012Validator(schema).iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        describe = describe or (lambda e: f"{'.'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}")
        return None, [f"{name}: {describe(e)}" for e in errors]
    return document, []
