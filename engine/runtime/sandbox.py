"""Run diagram scripts and expressions under RestrictedPython with a time limit.

SpiffWorkflow evaluates every gateway condition, timer expression, DMN entry and script with plain
`eval`/`exec` and full builtins. Diagrams are edited by process owners in a browser, so a diagram must never
reach the host: here a script cannot import, open files, read dunder attributes, catch the time limit, or
build huge values in C code where the time limit cannot see it.
"""

from __future__ import annotations

import ast
import functools
import operator
import re
import sys
import time
from typing import Literal

from RestrictedPython import compile_restricted
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safe_builtins,
    safer_getattr,
)
from RestrictedPython.transformer import RestrictingNodeTransformer
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment

from . import script_helpers

MAX_SEQUENCE_LENGTH = 100_000
MAX_INT_BITS = 4_096
_BLOCKED_METHODS = frozenset({"ljust", "rjust", "center", "zfill", "expandtabs", "mro"})


class SandboxViolation(Exception):
    """A script did something the sandbox does not allow."""


class ScriptTimeout(BaseException):
    """A script ran longer than its time limit.

    A BaseException so that no `except Exception` in a script could swallow it (and `try` is refused anyway).
    """


class _Policy(RestrictingNodeTransformer):
    """RestrictedPython's policy, plus: no try/except, and guarded `*`, `**` and `<<`."""

    def visit_Try(self, node):
        self.error(node, "try/except is not allowed in diagram scripts.")
        return node

    visit_TryStar = visit_Try

    def visit_BinOp(self, node):
        node = self.node_contents_visit(node)
        if isinstance(node.op, (ast.Mult, ast.Pow, ast.LShift)):
            name = type(node.op).__name__
            func = ast.copy_location(ast.Name("_binop_", ast.Load()), node)
            label = ast.copy_location(ast.Constant(name), node)
            call = ast.Call(func=func, args=[label, node.left, node.right], keywords=[])
            return ast.fix_missing_locations(ast.copy_location(call, node))
        return node


def _size_of(value):
    try:
        return len(value)
    except TypeError:
        return None


def _binop(name, left, right):
    if name == "Pow":
        if isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and right > 0:
            if right * max(abs(left).bit_length(), 1) > MAX_INT_BITS:
                raise SandboxViolation("Number too large: the result of ** exceeds the sandbox limit.")
        return left**right
    if name == "LShift":
        if isinstance(right, int) and right > MAX_INT_BITS:
            raise SandboxViolation("Number too large: the result of << exceeds the sandbox limit.")
        return left << right
    # Mult: sequence repetition is where memory explodes.
    for seq, count in ((left, right), (right, left)):
        size = _size_of(seq)
        if size is not None and isinstance(count, int) and size * count > MAX_SEQUENCE_LENGTH:
            raise SandboxViolation(f"Sequence too long: more than {MAX_SEQUENCE_LENGTH} items.")
    return left * right


def _guarded_getattr(obj, name, default=None):
    if name in _BLOCKED_METHODS:
        raise SandboxViolation(f'"{name}" is not available in diagram scripts.')
    return safer_getattr(obj, name, default)


def _limited_range(*args):
    result = range(*args)
    if len(result) > MAX_SEQUENCE_LENGTH:
        raise SandboxViolation(f"range() too long: more than {MAX_SEQUENCE_LENGTH} items.")
    return result


_INPLACE = {
    "+=": operator.iadd,
    "-=": operator.isub,
    "*=": None,
    "/=": operator.itruediv,
    "//=": operator.ifloordiv,
    "%=": operator.imod,
    "**=": None,
    "<<=": None,
    ">>=": operator.irshift,
    "&=": operator.iand,
    "|=": operator.ior,
    "^=": operator.ixor,
}


def _inplacevar(op, left, right):
    if op == "*=":
        return _binop("Mult", left, right)
    if op == "**=":
        return _binop("Pow", left, right)
    if op == "<<=":
        return _binop("LShift", left, right)
    func = _INPLACE.get(op)
    if func is None:
        raise SandboxViolation(f"Operator {op} is not allowed.")
    result = func(left, right)
    size = _size_of(result)
    if size is not None and size > MAX_SEQUENCE_LENGTH:
        raise SandboxViolation(f"Sequence too long: more than {MAX_SEQUENCE_LENGTH} items.")
    return result


def _build_builtins():
    names = dict(safe_builtins)
    for unsafe in ("pow", "id", "hash", "__build_class__", "setattr", "delattr"):
        names.pop(unsafe, None)
    names.update(
        range=_limited_range,
        sum=sum,
        min=min,
        max=max,
        any=any,
        all=all,
        sorted=sorted,
        enumerate=enumerate,
        reversed=reversed,
        list=list,
        dict=dict,
        set=set,
        map=map,
        filter=filter,
        tuple=tuple,
        zip=zip,
    )
    return names


_BUILTINS = _build_builtins()
_GUARDS = {
    "__builtins__": _BUILTINS,
    "__name__": "diagram_script",
    "__metaclass__": type,
    "_getattr_": _guarded_getattr,
    "_getitem_": operator.getitem,
    "_getiter_": iter,
    "_write_": full_write_guard,
    "_inplacevar_": _inplacevar,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_binop_": _binop,
}
RESERVED_NAMES = frozenset(_GUARDS) | frozenset(script_helpers.HELPERS)


@functools.lru_cache(maxsize=4096)
def compile_code(source: str, mode: Literal["exec", "eval", "single"]):
    """Compile diagram code under the policy. Raises SyntaxError with every violation listed."""
    return compile_restricted(source, filename="<string>", mode=mode, policy=_Policy)


def check_source(source: str, mode: str) -> str | None:
    """Return a human message when `source` would be refused, or None when it compiles."""
    problem = source_problem(source, mode)
    return problem[0] if problem else None


def source_problem(source: str, mode: str) -> tuple[str, int | None] | None:
    """(message, line within the source) when `source` would be refused, else None."""
    try:
        compile_code(source, mode)
        if mode == "exec":
            for node in ast.walk(ast.parse(source)):
                if isinstance(node, ast.ClassDef):
                    return "Class definitions are not allowed in scripts: use functions, dicts and lists.", node.lineno
    except SyntaxError as err:
        messages = list(err.args[0]) if err.args and isinstance(err.args[0], (tuple, list)) else [str(err.msg or err)]
        first = str(messages[0])
        match = re.match(r"^Line (\d+): (.*)$", first, re.S)
        if match:
            return match.group(2).strip(), int(match.group(1))
        return first, err.lineno
    return None


# What trusted host code a script calls may spend beyond the script's own limit, as a multiple of that limit.
HOST_TIME_FACTOR = 10


class _Deadline:
    """A line tracer that raises ScriptTimeout once the deadline has passed."""

    def __init__(self, seconds: float):
        self.deadline = time.monotonic() + seconds
        self.seconds = seconds
        self.host_seconds = 0.0

    def __call__(self, frame, event, arg):
        if time.monotonic() > self.deadline:
            raise ScriptTimeout(f"Script exceeded its time limit of {self.seconds:g} s (endless loop?).")
        return self

    def credit(self, spent: float) -> None:
        """Move the deadline on by the time a host function took, within the host's allowance."""
        granted = max(0.0, min(spent, HOST_TIME_FACTOR * self.seconds - self.host_seconds))
        self.host_seconds += granted
        self.deadline += granted


def host_function(function):
    """A trusted host function that scripts may call, doing bounded work (a query, an aggregation): it runs
    untraced, since the line tracer would trace every line of the database driver too (several times slower,
    benchmarks/vangnet_figures.py), and its time is not the script's. The script that calls it is still traced
    and its limit checked as soon as the call returns; the host's time moves the script's deadline on, up to
    `HOST_TIME_FACTOR` times the script's own limit in all, so a script that calls it in an endless loop still
    ends."""

    @functools.wraps(function)
    def call(*args, **kwargs):
        previous = sys.gettrace()
        sys.settrace(None)
        started = time.monotonic()
        try:
            return function(*args, **kwargs)
        finally:
            if isinstance(previous, _Deadline):
                previous.credit(time.monotonic() - started)
            sys.settrace(previous)

    return call


def _run_with_deadline(func, seconds: float):
    previous = sys.gettrace()
    sys.settrace(_Deadline(seconds))
    try:
        return func()
    finally:
        sys.settrace(previous)


class SandboxedEnvironment(TaskDataEnvironment):
    """A TaskDataEnvironment whose evaluate/execute go through the restricted compiler and the deadline."""

    def __init__(self, time_limit: float = 1.0):
        super().__init__(environment_globals={})
        self.time_limit = time_limit

    def _namespace(self, context, external_context):
        namespace = dict(_GUARDS)
        namespace.update(script_helpers.HELPERS)
        if external_context:
            namespace.update(external_context)
        namespace.update(context)
        return namespace

    def evaluate(self, expression, context, external_context=None):
        code = compile_code(expression, "eval")
        namespace = self._namespace(context, external_context)
        return _run_with_deadline(lambda: eval(code, namespace), self.time_limit)

    def execute(self, script, context, external_context=None):
        code = compile_code(script, "exec")
        clashes = RESERVED_NAMES.intersection(context)
        if clashes:
            raise SandboxViolation(f"Task data overwrites reserved names: {sorted(clashes)}")
        namespace = self._namespace(context, external_context)
        before = set(namespace)
        _run_with_deadline(lambda: exec(code, namespace), self.time_limit)
        skip = set(_GUARDS) | set(script_helpers.HELPERS) | set(external_context or {})
        for key in list(context):
            if key not in namespace:
                del context[key]  # the script deleted it
        for key, value in namespace.items():
            if key in skip and key not in context:
                continue
            if callable(value) and key not in before:
                continue  # functions a script defines for itself are not case data
            context[key] = to_json_value(value, key)
        return True

    def call_service(self, context, **kwargs):
        raise SandboxViolation("Service tasks are not supported by this host.")


def to_json_value(value, name="value"):
    """Make a script result storable as case data, or explain why it is not."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        return [to_json_value(item, name) for item in items]
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise SandboxViolation(f"Variable '{name}' has a non-text key {key!r}; case data keys must be text.")
            result[key] = to_json_value(item, name)
        return result
    raise SandboxViolation(
        f"Variable '{name}' holds a {type(value).__name__}; case data may hold only text, numbers, "
        "booleans, lists and objects."
    )


class SandboxedScriptEngine(PythonScriptEngine):
    """The script engine every workflow in this host runs with."""

    def __init__(self, time_limit: float = 1.0):
        super().__init__(environment=SandboxedEnvironment(time_limit))

    def execute(self, task, script, external_context=None):
        try:
            return self.environment.execute(script, task.data, external_context or {})
        except ScriptTimeout as err:
            raise self.create_task_exec_exception(task, script, TimeoutError(str(err))) from None
        except Exception as err:
            raise self.create_task_exec_exception(task, script, err) from err

    def evaluate(self, task, expression, external_context=None):
        try:
            return super().evaluate(task, expression, external_context)
        except ScriptTimeout as err:
            from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException

            raise WorkflowTaskException(
                f"Error evaluating expression '{expression}'", task=task, exception=TimeoutError(str(err))
            ) from None

    def call_service(self, task, **kwargs):
        from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException

        raise WorkflowTaskException("Service tasks are not supported by this host.", task=task)
