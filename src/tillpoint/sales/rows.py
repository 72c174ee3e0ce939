"""New sales rows written by Core INSERTs: the order, its lines and a payment are built as
mapped objects (the presenters read them) but are not added to the session, whose unit of work
would cost more than the statements themselves. The same statements run on both databases.

An object written here is not in the session: nothing later in the request changes it
through the ORM (a later request loads it like any other row).
"""

from typing import Any

from sqlalchemy import insert, inspect
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.core.db import Base, table_of
from tillpoint.core.driver import DriverStatement


async def insert_new(session: AsyncSession, *objects: Base) -> None:
    """INSERT these new objects of one mapped class — one statement, the rows in order — with
    the attributes they were given (the columns' defaults for the others)."""
    if not objects:
        return
    statement, columns = _insert(type(objects[0]))
    rows: list[dict[str, Any]] = []
    for obj in objects:
        given = inspect(obj).dict
        rows.append({column: given[key] for key, column in columns if key in given})
    # The statement is compiled once per set of columns.
    await statement.insert_rows(session, rows)


def _insert(model: type[Base]) -> tuple[DriverStatement, list[tuple[str, str]]]:
    """The INSERT of a mapped class and its (attribute, column) names, built once."""
    found = _inserts.get(model)
    if found is None:
        mapper = inspect(model)
        columns = [(prop.key, prop.columns[0].key) for prop in mapper.column_attrs]
        found = _inserts[model] = (DriverStatement(insert(table_of(model))), columns)
    return found


_inserts: dict[type[Base], tuple[DriverStatement, list[tuple[str, str]]]] = {}
