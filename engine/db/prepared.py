"""Prepared statements run on the DBAPI connection of the session's transaction.

A case step (every task completion, message and timer) runs a handful of small statements. Through
SQLAlchemy's `Connection.execute` each one costs 10-20 us of Python (execution context, result object,
parameter processing) against 2 us in the driver: more than the engine step itself. The statements of that
hot path are therefore written as SQLAlchemy Core constructs, compiled once per dialect by SQLAlchemy, and
run with the driver's cursor, in the same transaction as everything else on the session (same connection,
committed or rolled back by `db.session`). Parameters and results go through the column types' own bind and
result processors, so values are stored and read exactly as SQLAlchemy would (JSON text, UTC datetimes).

A PostgreSQL connection checked out of the pool is checked first (`engine.db.pool_liveness`), so the driver's
cursor is not one of a connection the server has closed. Driver errors are raised as SQLAlchemy's.
Everything else (lists, admin, reports) uses the ORM. The tests run these statements on SQLite and
PostgreSQL.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, cast

import sqlalchemy as sa

from .extensions import db


_GIVEN = object()  # a parameter the caller gives (not carried by the statement)
_SHARED: dict = {}


def _processor(type_, dialect):
    """The type's bind processor. Date-times get one shared processor per dialect and type that remembers
    its last value: a step stamps the same moment on several rows (audit events, tasks, the case)."""
    processor = type_.dialect_impl(dialect).bind_processor(dialect)
    if (
        processor is None
        or not isinstance(type_, (sa.DateTime, sa.types.TypeDecorator))
        or not isinstance(getattr(type_, "impl", type_), sa.DateTime)
    ):
        return processor
    key = (dialect.name, type(type_), getattr(getattr(type_, "impl", type_), "timezone", None))
    shared = _SHARED.get(key)
    if shared is None:
        last = [(None, None)]

        def shared(value, _convert=processor, _last=last):
            seen = _last[0]
            if value is seen[0] and value is not None:
                return seen[1]
            result = _convert(value)
            _last[0] = (value, result)
            return result

        _SHARED[key] = shared
    return shared


class _Compiled:
    __slots__ = ("sql", "order", "processors", "result_processors", "columns", "fixed", "plan")

    def __init__(self, statement, dialect):
        # compiled as for executemany: an INSERT gets no implicit RETURNING of its primary key
        compiled = statement.compile(dialect=dialect, for_executemany=True)
        self.sql = compiled.string
        # qmark (SQLite) takes a tuple in this order; pyformat (psycopg) takes the dict as it is
        self.order = tuple(compiled.positiontup) if compiled.positiontup is not None else None
        self.processors = {}
        self.fixed = {}  # values the statement carries itself (a LIMIT, a literal): not given per call
        for bind, name in compiled.bind_names.items():
            processor = _processor(bind.type, dialect)
            if processor is not None:
                self.processors[name] = processor
            if not bind.required:
                self.fixed[name] = bind.effective_value
        # positional: (name, processor or None, fixed value or _GIVEN) per placeholder, in order
        self.plan = (
            None
            if self.order is None
            else tuple((name, self.processors.get(name), self.fixed.get(name, _GIVEN)) for name in self.order)
        )
        self.columns = ()
        self.result_processors = ()
        if isinstance(statement, sa.Select):
            self.columns = tuple(c.key for c in statement.selected_columns)
            self.result_processors = tuple(
                c.type.dialect_impl(dialect).result_processor(dialect, None) for c in statement.selected_columns
            )

    def parameters(self, values: dict):
        if self.plan is not None:
            return tuple(
                (values[name] if fixed is _GIVEN else values.get(name, fixed))
                if processor is None
                else processor(values[name] if fixed is _GIVEN else values.get(name, fixed))
                for name, processor, fixed in self.plan
            )
        if self.fixed:
            values = {**self.fixed, **values}
        processors = self.processors
        if processors:
            values = {
                name: (processors[name](value) if name in processors else value) for name, value in values.items()
            }
        if self.order is None:
            return values
        return tuple(values[name] for name in self.order)

    def row(self, raw):
        if raw is None:
            return None
        if not self.result_processors:  # a text statement: values as the driver gives them
            return tuple(raw)
        return tuple(
            value if processor is None else processor(value) for value, processor in zip(raw, self.result_processors)
        )


class Prepared:
    """A Core statement compiled once per dialect and run with the DBAPI cursor of a connection.

    Bound parameters are given by name. Only plain bind parameters are supported (no expanding `IN`
    lists), and an INSERT returns nothing unless its text says RETURNING: the hot path needs nothing else,
    and a statement that needs more uses `Connection.execute`."""

    def __init__(self, statement):
        self.statement = statement
        self._by_dialect: dict[str, _Compiled] = {}

    def _compiled(self, dialect) -> _Compiled:
        compiled = self._by_dialect.get(dialect.name)
        if compiled is None:
            compiled = self._by_dialect[dialect.name] = _Compiled(self.statement, dialect)
        return compiled

    def execute(self, connection: Raw, values: dict) -> int:
        """Run once; returns the number of rows changed."""
        return self.send(connection, values).rowcount

    def send(self, connection: Raw, values: dict, cursor=None):
        """Run once on `cursor` (default: the connection's) and return it: in a batch (`Raw.batch`) its
        rowcount is known when the batch has ended."""
        compiled = self._compiled(connection.dialect)
        cursor = cursor if cursor is not None else connection.cursor
        with _as_sqlalchemy_errors(connection.dialect, compiled.sql):
            cursor.execute(compiled.sql, compiled.parameters(values))
        return cursor

    def sent_rows(self, connection: Raw, cursor) -> list[tuple]:
        """The rows of this statement sent with `send` on its own `cursor`, read after the batch has ended."""
        compiled = self._compiled(connection.dialect)
        with _as_sqlalchemy_errors(connection.dialect, compiled.sql):
            rows = cursor.fetchall()
        return [compiled.row(raw) for raw in rows]

    def executemany(self, connection: Raw, rows: list[dict]) -> None:
        if not rows:
            return
        compiled = self._compiled(connection.dialect)
        with _as_sqlalchemy_errors(connection.dialect, compiled.sql):
            connection.cursor.executemany(compiled.sql, [compiled.parameters(row) for row in rows])

    def first(self, connection: Raw, values: dict) -> tuple | None:
        """The first row, or None. Every row is read, so the statement is finished (SQLite cannot commit
        while an INSERT ... RETURNING has rows left)."""
        rows = self._fetch(connection, values)
        return rows[0] if rows else None

    def all(self, connection: Raw, values: dict | None = None) -> list[tuple]:
        return self._fetch(connection, values or {})

    def raw_all(self, connection: Raw, values: dict | None = None) -> tuple[list, Any]:
        """The rows as the driver gives them, and the function that turns one into what `all` returns: for a
        caller that keeps what it made of a row it has seen before (the rows of a small table read often)."""
        compiled = self._compiled(connection.dialect)
        cursor = connection.cursor
        with _as_sqlalchemy_errors(connection.dialect, compiled.sql):
            cursor.execute(compiled.sql, compiled.parameters(values or {}))
            return cursor.fetchall(), compiled.row

    def _fetch(self, connection: Raw, values: dict) -> list[tuple]:
        compiled = self._compiled(connection.dialect)
        cursor = connection.cursor
        with _as_sqlalchemy_errors(connection.dialect, compiled.sql):
            cursor.execute(compiled.sql, compiled.parameters(values))
            rows = cursor.fetchall()
        return [compiled.row(raw) for raw in rows]


@contextmanager
def _as_sqlalchemy_errors(dialect, sql: str | None):
    """Driver errors become SQLAlchemy's (IntegrityError, OperationalError, ...), as for any other statement,
    so callers handle them in one way."""
    dbapi = dialect.loaded_dbapi
    try:
        yield
    except dbapi.Error as err:
        raise sa.exc.DBAPIError.instance(sql, None, err, dbapi.Error, dialect=dialect) from err


class Raw:
    """The driver connection and a cursor of the session's current transaction (begun if needed)."""

    __slots__ = ("dialect", "driver", "cursor")

    def __init__(self, connection: sa.Connection | None = None):
        connection = connection if connection is not None else db.session.connection()
        self.dialect = connection.dialect
        self.driver = cast(Any, connection.connection.driver_connection)  # sqlite3 or psycopg, by dialect
        self.cursor = self.driver.cursor()

    @contextmanager
    def batch(self):
        """Statements sent in the block are one round trip on PostgreSQL (psycopg's pipeline mode: they go
        out together, their results and errors come back when the block ends, so only write statements
        belong here). On SQLite, an embedded database, they simply run."""
        if self.dialect.name == "postgresql":
            with _as_sqlalchemy_errors(self.dialect, None), self.driver.pipeline():
                yield self
        else:
            yield self


def raw() -> Raw:
    return Raw()


__all__ = ["Prepared", "Raw", "raw"]
