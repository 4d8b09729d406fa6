"""The texts bpmnlint and its overlay show, read from their JavaScript sources: the message of every
`reporter.report(id, message)` of a rule and every literal text of the overlay's `this._translate(...)`.

A message is written as a string, a template literal or a sum of them; what it holds besides text is a
constant chosen by a condition (`const type = ... ? 'Sub process' : 'Process'`, `${a ? 'catch' : 'throw'}`),
which gives one message per choice, a parameter bound by the call that made the rule (bpmnlint's helper:
`checkDiscouragedNodeType('bpmn:ComplexGateway', ...)`), or a value only known when the rule runs (a link's
name), which stays a `{placeholder}`. Anything else raises `Unreadable`, so that a rule written otherwise is
noticed rather than skipped.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path


class Unreadable(ValueError):
    pass


def _argument(source: str, start: int) -> tuple[str, int]:
    """The expression from `start` to the next comma or closing bracket at its own depth, and where it ends."""
    depth, i, quote = 0, start, None
    while i < len(source):
        c = source[i]
        if quote:
            if c == "\\":
                i += 2
                continue
            if c == quote:
                quote = None
            elif quote == "`" and source.startswith("${", i):
                end = _argument(source, i + 2)[1]
                i = end + 1
                continue
        elif c in "'\"`":
            quote = c
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            if depth == 0:
                return source[start:i].strip(), i
            depth -= 1
        elif c == "," and depth == 0:
            return source[start:i].strip(), i
        i += 1
    raise Unreadable(f"unclosed expression at {start}")


def _split(expression: str, separator: str) -> list[str]:
    """`expression` split at `separator` where it stands outside strings and brackets."""
    parts, depth, quote, current, i = [], 0, None, "", 0
    while i < len(expression):
        c = expression[i]
        if quote:
            current += c
            if c == "\\":
                current += expression[i + 1]
                i += 2
                continue
            if c == quote:
                quote = None
        elif c in "'\"`":
            quote, current = c, current + c
        elif c in "([{":
            depth, current = depth + 1, current + c
        elif c in ")]}":
            depth, current = depth - 1, current + c
        elif depth == 0 and expression.startswith(separator, i):
            parts.append(current)
            current, i = "", i + len(separator)
            continue
        else:
            current += c
        i += 1
    return [p.strip() for p in parts + [current]]


_STRING = re.compile(r"""^(['"])((?:\\.|(?!\1).)*)\1$""", re.S)
_NAME = re.compile(r"^[A-Za-z_$][\w$]*$")


def _values(expression: str, bound: dict[str, list[str]]) -> list[str]:
    """Every text `expression` can give, a value only known at run time as {name}."""
    expression = expression.strip()
    while expression.startswith("(") and _argument(expression, 1)[1] == len(expression) - 1:
        expression = expression[1:-1].strip()
    choice = _split(expression, "?")
    if len(choice) == 2:  # a condition choosing between two texts: both
        branches = _split(choice[1], ":")
        if len(branches) != 2:
            raise Unreadable(expression)
        return _values(branches[0], bound) + _values(branches[1], bound)
    terms = _split(expression, "+")
    if len(terms) > 1:
        return ["".join(parts) for parts in itertools.product(*(_values(t, bound) for t in terms))]
    if match := _STRING.match(expression):
        return [re.sub(r"\\(.)", r"\1", match.group(2))]
    if expression.startswith("`") and expression.endswith("`"):
        pieces: list[list[str]] = []
        body, i = expression[1:-1], 0
        while (at := body.find("${", i)) >= 0:
            inner, end = _argument(body, at + 2)
            pieces += [[body[i:at]], _values(inner, bound)]
            i = end + 1
        pieces.append([body[i:]])
        return ["".join(parts) for parts in itertools.product(*pieces)]
    if _NAME.match(expression):
        return bound.get(expression, ["{" + expression + "}"])
    raise Unreadable(expression)


def _constants(source: str) -> dict[str, list[str]]:
    """The names a rule assigns a text chosen by a condition (`const type = cond ? 'a' : 'b';`)."""
    found = {}
    for name, value in re.findall(r"\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*([^;\n]*\?[^;\n]*);", source):
        try:
            found[name] = _values(value, {})
        except Unreadable:
            continue
    return found


def texts_of_calls(source: str, call: str, position: int, bound: dict | None = None) -> list[str]:
    """The texts given as argument `position` (0-based) of every `call(` in `source`; an argument that is
    not text (`entry.message`) is left out when `call` is the overlay's translate."""
    bound = {**_constants(source), **(bound or {})}
    texts = []
    for match in re.finditer(re.escape(call) + r"\(", source):
        i = match.end()
        for _ in range(position):
            i = _argument(source, i)[1] + 1
        expression = _argument(source, i)[0]
        if re.fullmatch(r"[\w$.]+", expression) and "." in expression:
            continue  # a value handed through (the overlay translating a rule's message)
        texts += _values(expression, bound)
    return texts


def rule_messages(rule_file: Path) -> list[str]:
    """The messages a bpmnlint rule reports; a rule made by a helper of bpmnlint's (`require('./helper')
    .name(args)`) reports that helper's messages with its parameters bound to the arguments."""
    source = rule_file.read_text(encoding="utf-8")
    messages = texts_of_calls(source, "reporter.report", 1)
    made = re.search(r"require\('\./helper'\)\.(\w+);[\s\S]*?module\.exports\s*=\s*\1\(", source)
    if made:
        helper = (rule_file.parent / "helper.js").read_text(encoding="utf-8")
        head = re.search(rf"function {made.group(1)}\(([^)]*)\)\s*{{", helper)
        if head is None:
            raise Unreadable(f"{rule_file.name}: no function {made.group(1)} in helper.js")
        params = [p.strip() for p in head.group(1).split(",")]
        args, i = [], made.end()
        while True:
            expression, end = _argument(source, i)
            args.append(_values(expression, {}))
            if source[end] == ")":
                break
            i = end + 1
        body = helper[head.end() : _argument(helper, head.end())[1]]
        messages += texts_of_calls(body, "reporter.report", 1, dict(zip(params, args)))
    return messages
