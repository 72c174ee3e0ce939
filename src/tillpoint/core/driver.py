"""Statements run at the driver level, for the hot paths (docs/adr/0010-driver-level-statements.md).

A ``DriverStatement`` is a Core statement that SQLAlchemy compiles once per dialect (and, for an
INSERT, per set of columns); each execution then goes straight to the driver, on the session's
own connection and inside its transaction: asyncpg's prepared statement (the cache SQLAlchemy's
adapter keeps) or one trip to aiosqlite's thread (``core.sqlite_driver``, with the transaction's
BEGIN when it is the first statement). What SQLAlchemy does per execution — cache key,
parameter dictionaries, execution context, result object, a greenlet round for every call — is
skipped; its bind and result processors still convert every value as they would, and a driver
error is raised as the same ``sqlalchemy.exc`` error, with the same handling of lost connections.
One function runs on both databases; only the driver call differs.

It relies on the asyncio adapters of SQLAlchemy 2.1 (their transaction start, prepared statement
cache and execute lock): ``pyproject.toml`` pins the minor version, and every test that touches a
hot path runs through here on both databases. A statement that needs what only an execution
context provides — Python-side column defaults, expanding ``IN`` lists — is refused when it is
first compiled, never run half-right; so is an ORM statement, which the session would have
scoped to the tenant: these are Core statements on ``table_of(Model)`` that name ``tenant_id``
themselves (and the test suite checks that they do, as for every Core statement).
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Boolean, ColumnElement, String, TypeDecorator, bindparam, inspect
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeEngine

from tillpoint.core.db import json_text

T = TypeVar("T")
Row = Any  # a named tuple of the result columns: by position or by name


class NotDriverReady(ValueError):
    """The statement needs SQLAlchemy's execution context (a default computed in Python, an
    expanding parameter); it cannot run at the driver level."""


@dataclass(frozen=True, slots=True)
class _Form:
    """A statement as one dialect's driver takes it."""

    sql: str
    names: tuple[str, ...]  # the parameters in the order of their markers
    binds: tuple[Callable[[Any], Any] | None, ...]
    defaults: Mapping[str, Any]  # values bound in the statement itself
    results: tuple[Callable[[Any], Any] | None, ...]
    make: Callable[[Any], Row]  # a named tuple of the result columns

    def args(self, params: Mapping[str, Any]) -> list[Any]:
        values = []
        for name, bind in zip(self.names, self.binds, strict=True):
            value = params[name] if name in params else self.defaults[name]
            # None too, as SQLAlchemy does: a JSON column writes it as JSON null.
            values.append(value if bind is None else bind(value))
        return values

    def row(self, raw: Sequence[Any]) -> Row:
        if not any(self.results):
            return self.make(raw)
        return self.make(
            value if convert is None else convert(value)
            for value, convert in zip(raw, self.results, strict=True)
        )


def _compile(statement: ClauseElement, dialect: Dialect, keys: tuple[str, ...] | None) -> _Form:
    if statement._propagate_attrs.get("compile_state_plugin") == "orm":
        # The session scopes ORM statements to the tenant (core/db.py); here nothing would.
        raise NotDriverReady("an ORM statement: build it on table_of(Model), naming tenant_id")
    compiled: Any = statement.compile(dialect=dialect, column_keys=list(keys) if keys else None)
    if (
        compiled.insert_prefetch
        or compiled.update_prefetch
        or compiled.literal_execute_params
        or compiled.post_compile_params
    ):
        raise NotDriverReady(f"needs SQLAlchemy's execution context: {compiled.string[:80]}")
    names = tuple(compiled.positiontup or ())
    processors = compiled._bind_processors
    columns = compiled._result_columns
    results = tuple(column.type._cached_result_processor(dialect, None) for column in columns)
    # Raw SQL (``text``) without declared columns: plain tuples, values as the driver gives them.
    make: Callable[[Any], Row] = tuple
    if columns:
        make = namedtuple("Row", [c.keyname for c in columns], rename=True)._make  # type: ignore[attr-defined]
    defaults = {
        name: bind.effective_value
        for name, bind in compiled.binds.items()
        if bind.value is not None or bind.callable is not None
    }
    return _Form(
        compiled.string,
        names,
        tuple(processors.get(name) for name in names),
        defaults,
        results,
        make,
    )


class TextList(TypeDecorator[list[str]]):
    """A list of text bound as one parameter: an array on PostgreSQL, JSON text on SQLite."""

    impl = String
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.ARRAY(String))
        return dialect.type_descriptor(String())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        values = list(value or ())
        return values if dialect.name == "postgresql" else json_text(values)


class _OneOf(FunctionElement[bool]):
    type = Boolean()
    name = "one_of"
    inherit_cache = True


@compiles(_OneOf)
def _one_of_sqlite(element: _OneOf, compiler: Any, **kw: Any) -> str:
    column, values = (compiler.process(c, **kw) for c in element.clauses)
    return f"{column} IN (SELECT value FROM json_each({values}))"


@compiles(_OneOf, "postgresql")
def _one_of_postgresql(element: _OneOf, compiler: Any, **kw: Any) -> str:
    column, values = (compiler.process(c, **kw) for c in element.clauses)
    return f"{column} = ANY({values})"


def one_of(column: ColumnElement[Any], name: str) -> ColumnElement[bool]:
    """``column IN (the list given as parameter name)`` with one parameter whatever the list's
    length, so the statement is compiled once: what an expanding ``IN`` (refused here) does
    by rendering a parameter per value. Values are text."""
    return _OneOf(column, bindparam(name, type_=TextList()))


class DriverStatement:
    """A Core statement run at the driver level on a session's connection (see the module)."""

    __slots__ = ("statement", "_forms")

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self._forms: dict[tuple[str, tuple[str, ...] | None], _Form] = {}

    def form(self, dialect: Dialect, keys: tuple[str, ...] | None = None) -> _Form:
        found = self._forms.get((dialect.name, keys))
        if found is None:
            found = self._forms[(dialect.name, keys)] = _compile(self.statement, dialect, keys)
        return found

    async def rows(
        self, session: AsyncSession, params: Mapping[str, Any] | None = None
    ) -> list[Row]:
        """The statement's rows (none for a write without RETURNING)."""
        connection, adapted = await _connection(session)
        form = self.form(connection.dialect)
        params = params or {}
        args = form.args(params)
        _announce(connection, self.statement, [params], form.sql, args, many=False)
        raw = await _run(connection, adapted, form.sql, args, many=False)
        return [form.row(r) for r in raw]

    async def insert_rows(self, session: AsyncSession, rows: Sequence[Mapping[str, Any]]) -> None:
        """This INSERT for each row, in order, as one driver call; every row names the same
        columns, and the statement takes them as its VALUES."""
        if not rows:
            return
        connection, adapted = await _connection(session)
        form = self.form(connection.dialect, tuple(rows[0]))
        batch = [form.args(row) for row in rows]
        many = len(batch) > 1
        _announce(
            connection, self.statement, list(rows), form.sql, batch if many else batch[0], many=many
        )
        await _run(connection, adapted, form.sql, batch if many else batch[0], many=many)


def mapped_objects(
    session: AsyncSession, model: type[T], rows: Sequence[Row], *, refresh: bool = False
) -> list[T]:
    """``model``'s objects for rows that carry its columns by name, in the session as if an ORM
    query had loaded them: one the session already holds is returned as it is, or with the
    row's values when ``refresh`` (the ORM's ``populate_existing``); others are added as
    persistent with nothing to write."""
    sync = session.sync_session
    columns = _mapped_columns(model)
    found: list[T] = []
    for row in rows:
        values = {attr: getattr(row, column) for attr, column in columns}
        key = identity_key(model, tuple(values[k] for k in _primary_key(model)))
        existing = sync.identity_map.get(key)
        if existing is None:
            existing = model(**values)
            make_transient_to_detached(existing)
            sync.add(existing)
        elif refresh:
            for attr, value in values.items():
                set_committed_value(existing, attr, value)
        found.append(existing)
    return found


def _mapped_columns(model: type[Any]) -> list[tuple[str, str]]:
    found = _columns_of.get(model)
    if found is None:
        mapper = inspect(model)
        found = _columns_of[model] = [(p.key, p.columns[0].key) for p in mapper.column_attrs]
    return found


def _primary_key(model: type[Any]) -> list[str]:
    mapper = inspect(model)
    return [mapper.get_property_by_column(c).key for c in mapper.primary_key]


_columns_of: dict[type[Any], list[tuple[str, str]]] = {}


async def _connection(session: AsyncSession) -> tuple[AsyncConnection, Any]:
    """The session's connection and the driver adapter under it, for the transaction it is in:
    asked of the session once per transaction (each ask is a trip through a greenlet), then
    kept with the transaction they belong to. A new transaction (after a commit or rollback,
    perhaps on another pooled connection) or a new savepoint (``begin_nested``, whose SAVEPOINT
    the session sends when asked) asks again."""
    sync = session.sync_session
    now = (sync.get_transaction(), sync.get_nested_transaction())
    held = session.info.get(_HELD)
    if held is not None and held[0] == now and all(t is None or t.is_active for t in now):
        return held[1], held[2]
    connection = await session.connection()
    adapted = (await connection.get_raw_connection()).dbapi_connection
    session.info[_HELD] = (
        (sync.get_transaction(), sync.get_nested_transaction()),
        connection,
        adapted,
    )
    return connection, adapted


_HELD = "driver_connection"


def _announce(
    connection: AsyncConnection,
    statement: ClauseElement,
    rows: list[Mapping[str, Any]],
    sql: str,
    args: Any,
    *,
    many: bool,
) -> None:
    """Tell the engine's ``before_execute`` and ``before_cursor_execute`` listeners, as SQLAlchemy
    would (the test suite checks every statement's tenant scope by them, and counts statements);
    with no listener, this is one check."""
    sync: Any = connection.sync_connection
    if not (sync._has_events or sync.engine._has_events):
        return
    options = statement._execution_options  # type: ignore[attr-defined]
    sync._invoke_before_exec_event(statement, rows, options)
    for listener in sync.dispatch.before_cursor_execute:
        listener(sync, None, sql, args, None, many)


async def _run(
    connection: AsyncConnection, adapted: Any, sql: str, args: Any, *, many: bool
) -> Sequence[Any]:
    async with adapted._execute_mutex:
        try:
            if connection.dialect.name == "postgresql":
                stamp = connection.dialect._invalidate_schema_cache_asof  # type: ignore[attr-defined]
                return await _asyncpg(adapted, stamp, sql, args, many)
            # SQLite (core.sqlite_driver): one trip to the connection's thread, with the
            # transaction's BEGIN when this is its first statement.
            rows: Sequence[Any] = await adapted.run_in_one_trip(sql, args, many)
            return rows
        except Exception as error:
            failure = error
    await _raise_as_sqlalchemy(connection, adapted, failure, sql, args)
    raise AssertionError("unreachable")  # pragma: no cover


async def _asyncpg(adapted: Any, stamp: float, sql: str, args: Any, many: bool) -> Sequence[Any]:
    """What SQLAlchemy's asyncpg cursor does, without the cursor: BEGIN if the transaction has
    not begun, then the adapter's cached prepared statement (``stamp``: DDL since)."""
    if adapted._transaction is None:
        await adapted._start_transaction()
    if many:
        await adapted._connection.executemany(sql, args)
        return ()
    prepared, _ = await adapted._prepare(sql, stamp)
    records: Sequence[Any] = await prepared.fetch(*args)
    return records


async def _raise_as_sqlalchemy(
    connection: AsyncConnection, adapted: Any, error: Exception, sql: str, args: Any
) -> None:
    """Raise ``error`` as SQLAlchemy would have: adapted to its DBAPI error, then wrapped, with a
    lost connection invalidated."""
    try:
        adapted._handle_exception(error)
    except Exception as dbapi_error:
        translated = dbapi_error
    else:  # pragma: no cover - the adapter always raises
        translated = error

    def wrap(sync: Any) -> None:
        try:  # it reads the exception being handled
            raise translated
        except Exception as handled:
            sync._handle_dbapi_exception(handled, sql, args, None, None)

    await connection.run_sync(wrap)
