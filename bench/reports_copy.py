"""PostgreSQL COPY of the rows ``bench.reports`` makes, into the app's own tables: each row a
dict of column values, the rest filled from the column's own default."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Table

from tillpoint.catalog.models import VariantCost
from tillpoint.core.events import Event
from tillpoint.inventory.models import StockMovement
from tillpoint.sales.models import Order, OrderLine, Payment, Refund

TABLES: dict[str, Table] = {
    model.__tablename__: model.__table__  # type: ignore[misc]
    for model in (Order, OrderLine, Payment, Refund, StockMovement, Event, VariantCost)
}


def copy_rows(table: str, rows: list[dict[str, Any]]) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The table's columns and each row as a tuple in their order: values given, else the
    column's own default; JSON as text (asyncpg's jsonb codec takes text)."""
    columns = TABLES[table].columns
    names = [c.key for c in columns]
    defaults = []
    for c in columns:
        default = c.default
        if default is None:
            defaults.append(lambda: None)
        elif getattr(default, "is_scalar", False):
            defaults.append(lambda v=default.arg: v)  # type: ignore[misc]
        else:
            defaults.append(lambda f=default.arg: f(None))  # type: ignore[misc]
    json_columns = {c.key for c in columns if "JSON" in type(c.type).__name__.upper()}
    out = []
    for row in rows:
        values = []
        for name, default in zip(names, defaults, strict=True):
            value = row[name] if name in row else default()
            if name in json_columns:
                value = json.dumps(value)
            values.append(value)
        out.append(tuple(values))
    return names, out


async def copy_batch(conn: Any, batch: dict[str, list[dict[str, Any]]]) -> int:
    """COPY the waiting rows, parents first, and empty ``batch``; the rows written."""
    written = 0
    order = (
        "orders",
        "order_lines",
        "payments",
        "refunds",
        "stock_movements",
        "events",
        "variant_costs",
    )
    for table in order:
        rows = batch.pop(table, [])
        if rows:
            names, records = copy_rows(table, rows)
            await conn.copy_records_to_table(table, records=records, columns=names)
            written += len(records)
    return written
