"""DMN decision tables checked at deploy as scripts are: every cell compiles in the sandbox.

The engine evaluates a table's cells as Python expressions through the sandboxed script engine, so a
`__class__` in an input expression only failed when a case reached the table. Each cell is checked here in
the form the engine will run it (engine: SpiffWorkflow's DMNEngine): an input entry `"ja"` as
`(<input>) == ("ja")`, `> 5000` as `<input>> 5000`, `? in [...]` with the input in place of the `?`.
"""

from __future__ import annotations

import ast
import re

from lxml import etree

from ..runtime.sandbox import check_source

_QUESTION_MARK = re.compile(r'(\?)(?=(?:[^\'"]|[\'"][^\'"]*[\'"])*$)')  # as the engine finds it
_HINT = (
    'Write a value ("ja", 5000), a comparison (> 5000, ? in ["a", "b"]) or an expression on the case '
    "data, without names that start with an underscore."
)


def _local(element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _children(element, name: str) -> list:
    return [child for child in element if _local(child) == name]


def _text(element) -> str | None:
    for child in element:
        if _local(child) == "text":
            return (child.text or "").strip() or None
    return None


def decision_problems(tree) -> list[tuple[str, int | None, str | None]]:
    """(message, line, decision id) for every cell of the file's decision tables that would be refused."""
    problems = []
    for decision in tree.iter():
        if _local(decision) != "decision":
            continue
        name = decision.get("name") or decision.get("id")
        for table in _children(decision, "decisionTable"):
            problems.extend(_table_problems(table, name, decision.get("id")))
    return problems


def _table_problems(table, decision_name, decision_id):
    problems = []

    def refuse(where, what, text, error, line):
        problems.append(
            (
                f"Decision '{decision_name}', {where}: the {what} '{_short(text)}' is refused: {error} {_HINT}",
                line,
                decision_id,
            )
        )

    inputs = []
    for number, clause in enumerate(_children(table, "input"), start=1):
        expression_element = next(iter(_children(clause, "inputExpression")), None)
        expression = _text(expression_element) if expression_element is not None else None
        column = f"input {number} ('{clause.get('label') or expression or clause.get('id')}')"
        error = _check(expression) if expression else None
        if error:
            refuse(column, "input expression", expression, error, expression_element.sourceline)
        inputs.append((column, expression, error is None))
    outputs = [
        f"output {n} ('{c.get('label') or c.get('name') or c.get('id')}')"
        for n, c in enumerate(_children(table, "output"), start=1)
    ]
    for row, rule in enumerate(_children(table, "rule"), start=1):
        for index, entry in enumerate(_children(rule, "inputEntry")):
            text = _text(entry)
            if not text or text == "-" or index >= len(inputs):
                continue
            column, expression, sound = inputs[index]
            if not sound:
                continue  # the column's expression is refused already: once is enough
            error = _entry_error(expression or "v", text)
            if error:
                refuse(f"rule {row}, {column}", "input entry", text, error, entry.sourceline)
        for index, entry in enumerate(_children(rule, "outputEntry")):
            text = _text(entry)
            if not text:
                continue
            error = _check(text)
            if error:
                where = f"rule {row}, {outputs[index] if index < len(outputs) else f'output {index + 1}'}"
                refuse(where, "output entry", text, error, entry.sourceline)
    return problems


def _entry_error(input_expression: str, entry: str) -> str | None:
    """The sandbox's objection to an input entry, compiled as the engine will compile it."""
    if _QUESTION_MARK.search(entry):
        return _check(_QUESTION_MARK.sub("dmninputexpr", entry))
    try:
        ast.parse(entry)
        expression = f"({input_expression}) == ({entry})"
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        expression = input_expression + entry
    return _check(expression)


def _check(expression: str) -> str | None:
    try:
        return check_source(expression, "eval")
    except (RecursionError, MemoryError):
        return "the expression is nested too deeply."


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
