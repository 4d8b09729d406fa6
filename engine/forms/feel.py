"""A small subset of FEEL, enough for form-js `conditional.hide` rules on the server.

Supported: literals (strings, numbers, true, false, null), variable paths (`a.b`), comparisons
(`=`, `!=`, `<`, `<=`, `>`, `>=`), `and`, `or`, `not(...)`, parentheses, and `x is null`-style checks
written as `x = null`. A form whose rule needs more is refused at deploy time with the rule named, so
that the server never validates a field the browser would hide, or the other way round.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(
    r'\s*(?:(?P<num>-?\d+(?:\.\d+)?)|(?P<str>"(?:[^"\\]|\\.)*")|(?P<op><=|>=|!=|=|<|>|\(|\))'
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*))"
)


class FeelError(ValueError):
    pass


def _tokens(source: str):
    pos, out = 0, []
    text = source.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise FeelError(f"Unsupported FEEL near '{text[pos : pos + 20]}'")
        pos = match.end()
        kind = match.lastgroup or ""  # every alternative of _TOKEN is a named group
        out.append((kind, match.group(kind)))
    return out


class _Parser:
    def __init__(self, tokens):
        self.tokens = tokens
        self.pos = 0

    def peek(self):
        return self.tokens[self.pos] if self.pos < len(self.tokens) else (None, None)

    def take(self, value=None):
        token = self.peek()
        if value is not None and token[1] != value:
            raise FeelError(f"Expected '{value}' in FEEL expression")
        self.pos += 1
        return token

    def parse(self):
        node = self.disjunction()
        if self.pos != len(self.tokens):
            raise FeelError(f"Unexpected '{self.peek()[1]}' in FEEL expression")
        return node

    def disjunction(self):
        node = self.conjunction()
        while self.peek() == ("name", "or"):
            self.take()
            node = ("or", node, self.conjunction())
        return node

    def conjunction(self):
        node = self.comparison()
        while self.peek() == ("name", "and"):
            self.take()
            node = ("and", node, self.comparison())
        return node

    def comparison(self):
        node = self.atom()
        kind, value = self.peek()
        if kind == "op" and value in {"=", "!=", "<", "<=", ">", ">="}:
            self.take()
            node = ("cmp", value, node, self.atom())
        return node

    def atom(self):
        kind, value = self.take()
        if kind == "num":
            return ("lit", float(value) if "." in value else int(value))
        if kind == "str":
            return ("lit", bytes(value[1:-1], "utf-8").decode("unicode_escape"))
        if kind == "op" and value == "(":
            node = self.disjunction()
            self.take(")")
            return node
        if kind == "name":
            if value in ("true", "false"):
                return ("lit", value == "true")
            if value == "null":
                return ("lit", None)
            if value == "not" and self.peek() == ("op", "("):
                self.take("(")
                node = self.disjunction()
                self.take(")")
                return ("not", node)
            return ("var", value.split("."))
        raise FeelError("Incomplete FEEL expression")


def compile_feel(expression: str):
    """Parse a form-js expression (with or without its leading '='). Raises FeelError."""
    source = expression.strip()
    if source.startswith("="):
        source = source[1:]
    if len(source) > MAX_EXPRESSION_LENGTH:
        raise FeelError(f"The expression is longer than {MAX_EXPRESSION_LENGTH} characters.")
    depth = deepest = 0
    for char in source:  # the parser recurses per bracket: refuse what would exhaust the stack
        depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(char, 0)
        deepest = max(deepest, depth)
    if deepest > MAX_NESTING:
        raise FeelError(f"The expression nests brackets {deepest} deep; at most {MAX_NESTING} are allowed.")
    try:
        return _Parser(_tokens(source)).parse()
    except RecursionError:
        raise FeelError("The expression is nested too deeply.") from None


MAX_EXPRESSION_LENGTH = 2000
MAX_NESTING = 50


def evaluate(node, data: dict):
    kind = node[0]
    if kind == "lit":
        return node[1]
    if kind == "var":
        value: object = data
        for part in node[1]:
            value = value.get(part) if isinstance(value, dict) else None
        return value
    if kind == "not":
        return not _truthy(evaluate(node[1], data))
    if kind == "and":
        return _truthy(evaluate(node[1], data)) and _truthy(evaluate(node[2], data))
    if kind == "or":
        return _truthy(evaluate(node[1], data)) or _truthy(evaluate(node[2], data))
    _, op, left_node, right_node = node
    left, right = evaluate(left_node, data), evaluate(right_node, data)
    if op == "=":
        return left == right
    if op == "!=":
        return left != right
    if left is None or right is None:
        return None
    try:
        return {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[op]
    except TypeError:
        return None


def _truthy(value) -> bool:
    return value is True
