"""The tenant scope of Core statements, checked on every statement the test suite runs.

ORM statements are scoped by the session (``core/db.py``, ADR 0003). Core statements on the
tables of ``TenantScoped`` models — the hot paths, built on ``table_of(Model)`` — must name
``tenant_id`` themselves. This module checks that they do, as they are executed: a listener
on every engine's ``before_execute`` walks each Core statement (and the Core tables an ORM
statement joins by hand, which the session's criteria do not reach) and finds every
occurrence of a tenant-owned table — in FROM, a join, a subquery, a DML target — and requires
its ``tenant_id`` to be compared with a value, directly or through an equality with another
occurrence's ``tenant_id`` that is. An INSERT must give ``tenant_id`` in every row. Raw SQL
(``text``) that names a tenant-owned table must at least mention ``tenant_id``. A statement
that deliberately crosses tenants says so with ``execution_options(all_tenants=True)``, as
ORM statements do.

Why at execution rather than by reading the source (an AST lint over ``src/``): statements are
built in many shapes (cached per dialect, assembled over several functions, completed by
``.where`` in a caller) that a source check could only approximate, while the statement
itself says exactly which tables it touches and what it compares. The price is coverage: only
statements that some test executes are checked — which, with tests through every route, is
nearly all of them.
"""

import re
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.sql import operators
from sqlalchemy.sql.dml import Insert, UpdateBase
from sqlalchemy.sql.elements import (
    BinaryExpression,
    ClauseElement,
    ColumnClause,
    TextClause,
    Tuple,
)
from sqlalchemy.sql.selectable import Alias, FromClause

from tillpoint.core.db import Base, TenantScoped


@dataclass(frozen=True)
class Unscoped:
    table: str
    sql: str

    def __str__(self) -> str:
        return f"{self.table} is not scoped to a tenant in:\n{self.sql}"


def tenant_tables() -> set[Table]:
    return {
        mapper.local_table
        for mapper in Base.registry.mappers
        if issubclass(mapper.class_, TenantScoped) and isinstance(mapper.local_table, Table)
    }


def _is_orm(statement: ClauseElement) -> bool:
    return statement._propagate_attrs.get("compile_state_plugin") == "orm"


def _mapped(element: ClauseElement) -> bool:
    """Part of a mapped entity in an ORM statement (annotated with it)."""
    return "parententity" in getattr(element, "_annotations", {})


def _walk(statement: ClauseElement) -> Iterator[ClauseElement]:
    """Every element of the statement, into subqueries, CTEs, joins and the tables of columns."""
    seen: set[int] = set()
    stack: list[ClauseElement] = [statement]
    while stack:
        element = stack.pop()
        if id(element) in seen:
            continue
        seen.add(id(element))
        yield element
        stack.extend(element.get_children())
        # A column's table, unless the column is a mapped entity's (which the session scopes).
        if (
            isinstance(element, ColumnClause)
            and isinstance(element.table, FromClause)
            and not _mapped(element)
        ):
            stack.append(element.table)
        if isinstance(element, Alias):
            stack.append(element.element)


def _occurrence(element: Any, tables: set[Table]) -> Table | None:
    """The tenant-owned table this FROM element is (a table or an alias of one), else None."""
    table = element.element if isinstance(element, Alias) else element
    table = getattr(table, "_deannotate", lambda: table)()
    return table if isinstance(table, Table) and table in tables else None


def _tenant_column_owner(element: Any) -> Any | None:
    """The FROM element whose ``tenant_id`` this is, or None."""
    if isinstance(element, ColumnClause) and element.name == "tenant_id":
        return element.table
    return None


def _key(from_element: Any) -> int:
    deannotate = getattr(from_element, "_deannotate", None)
    return id(deannotate() if deannotate else from_element)


class _Scopes:
    """Union-find over tenant_id columns: equal columns share a group; a group compared with a
    value is bound to a tenant."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}
        self.bound: set[int] = set()

    def find(self, key: int) -> int:
        while self.parent.setdefault(key, key) != key:
            key = self.parent[key]
        return key

    def join(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[ra] = rb
            if ra in self.bound:
                self.bound.add(rb)

    def bind(self, key: int) -> None:
        self.bound.add(self.find(key))

    def is_bound(self, key: int) -> bool:
        return self.find(key) in self.bound


def _compared(binary: BinaryExpression[Any], scopes: _Scopes, orm: bool) -> None:
    """Record what an ``=`` or ``IN`` says about tenant_id columns."""
    if binary.operator not in (operators.eq, operators.in_op):
        return

    def owner(side: Any) -> Any | None:
        # An ORM statement's mapped entities are scoped by the session: their tenant_id is
        # as good as a value.
        return None if orm and _mapped(side) else _tenant_column_owner(side)

    def is_value(side: Any) -> bool:
        return not isinstance(side, ColumnClause) or (orm and _mapped(side))

    left, right = binary.left, binary.right
    if isinstance(left, Tuple):  # tuple_(t.tenant_id, t.id).in_([...])
        if is_value(right):
            for column in left.clauses:
                if owner(column) is not None:
                    scopes.bind(_key(owner(column)))
        return
    if owner(left) is not None and owner(right) is not None:
        scopes.join(_key(owner(left)), _key(owner(right)))
    elif owner(left) is not None and is_value(right):
        scopes.bind(_key(owner(left)))
    elif owner(right) is not None and is_value(left):
        scopes.bind(_key(owner(right)))


def _rows(
    statement: Insert, multiparams: Sequence[Mapping[str, Any]], params: Mapping[str, Any]
) -> list[set[str]]:
    """The column names each inserted row gives."""

    def names(row: Any) -> set[str]:
        if isinstance(row, Mapping):
            return {str(getattr(key, "key", key)) for key in row}
        return {str(column.key) for column in list(statement.table.c)[: len(row)]}  # positional

    if statement._multi_values:
        return [names(row) for rows in statement._multi_values for row in rows]
    given = names(statement._values or {})
    if statement.select is not None:
        return [given | set(statement._select_names or ())]
    executed = list(multiparams) or [params]
    return [given | names(row) for row in executed]


def unscoped(
    statement: ClauseElement,
    multiparams: Sequence[Mapping[str, Any]],
    params: Mapping[str, Any],
    tables: set[Table],
) -> list[Unscoped]:
    """The tenant-owned tables this statement touches without a tenant criterion."""
    if isinstance(statement, TextClause):
        sql = statement.text
        named = {t.name for t in tables} & set(
            re.findall(r"\b(?:FROM|JOIN|INTO|UPDATE)\s+(\w+)", sql, re.IGNORECASE)
        )
        if named and "tenant_id" not in sql:
            return [Unscoped(name, sql.strip()) for name in sorted(named)]
        return []
    orm = _is_orm(statement)
    elements = list(_walk(statement))
    # In an ORM statement the session scopes every mapped entity, including where the
    # statement lists an entity's table plain among its FROMs; a table joined by hand, which
    # no entity maps, is the statement's own to scope.
    mapped = {
        element._annotations["parentmapper"].local_table
        for element in elements
        if orm and _mapped(element) and "parentmapper" in element._annotations
    }
    scopes = _Scopes()
    occurrences: dict[int, Table] = {}
    excluded: list[int] = []  # ON CONFLICT's ``excluded``: the row being inserted
    for element in elements:
        if isinstance(element, BinaryExpression):
            _compared(element, scopes, orm)
        table = _occurrence(element, tables)
        if table is not None and not (orm and (_mapped(element) or table in mapped)):
            occurrences[_key(element)] = table
            if isinstance(element, Alias) and element.name == "excluded":
                excluded.append(_key(element))
    if isinstance(statement, Insert):
        target = _occurrence(statement.table, tables)
        if target is not None:
            occurrences[_key(target)] = target
            if all("tenant_id" in row for row in _rows(statement, multiparams, params)):
                scopes.bind(_key(target))
            for key in excluded:
                if occurrences[key] is target:
                    scopes.join(key, _key(target))
    missing = sorted({t.name for key, t in occurrences.items() if not scopes.is_bound(key)})
    return [Unscoped(name, _sql(statement)) for name in missing]


def _sql(statement: ClauseElement) -> str:
    with warnings.catch_warnings():  # e.g. an INSERT that gives no value for a key column
        warnings.simplefilter("ignore")
        try:
            return str(statement)
        except Exception:  # a dialect-specific construct the default compiler cannot render
            return repr(statement)


class TenantScopeCheck:
    """Records every unscoped statement executed on any engine while installed."""

    def __init__(self) -> None:
        self.found: list[Unscoped] = []
        self._tables: set[Table] = set()
        self._mappers = 0  # how many mappers _tables was computed from

    def __call__(
        self,
        _conn: Connection,
        statement: ClauseElement,
        multiparams: Sequence[Mapping[str, Any]],
        params: Mapping[str, Any],
        execution_options: Mapping[str, Any],
    ) -> None:
        if execution_options.get("all_tenants"):
            return
        if not isinstance(statement, (TextClause, UpdateBase)) and not hasattr(
            statement, "get_final_froms"
        ):
            return  # DDL, sequences, …
        if len(Base.registry.mappers) != self._mappers:  # a model imported since
            self._tables = tenant_tables()
            self._mappers = len(Base.registry.mappers)
        self.found += unscoped(statement, multiparams, params, self._tables)

    def install(self) -> None:
        event.listen(Engine, "before_execute", self)

    def uninstall(self) -> None:
        event.remove(Engine, "before_execute", self)

    def take(self) -> list[Unscoped]:
        found, self.found = self.found, []
        return found
