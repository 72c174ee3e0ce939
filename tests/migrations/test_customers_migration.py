"""Migration 0011 on a database holding orders from before customers: each tenant's distinct
free-text ``customer_id`` becomes one customer named after it and its orders name that
customer; blank texts are cleared; the counts are printed."""

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    TypeDecorator,
    insert,
    select,
)
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from tests.support.postgres import POSTGRES_URL, fresh_postgres_database
from tillpoint.migrations import alembic_config
from tillpoint.migrations.metadata import metadata


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
        return
    if not POSTGRES_URL:
        pytest.skip("TILLPOINT_TEST_POSTGRES_URL not set")
    with fresh_postgres_database("tillpoint_migration") as url:
        yield url


def filled(table: Table, **given: Any) -> dict[str, Any]:
    """A row of ``table`` as it stood at 0010: ``given``, and a plain value in every other
    column that needs one."""
    row = dict(given)
    for column in table.c:
        if column.name in row or column.nullable or column.server_default is not None:
            continue
        kind = column.type.impl if isinstance(column.type, TypeDecorator) else column.type
        if isinstance(kind, Boolean):
            row[column.name] = False
        elif isinstance(kind, Integer):
            row[column.name] = 0
        elif isinstance(kind, DateTime):
            row[column.name] = datetime.now(UTC)
        elif isinstance(kind, JSON):
            row[column.name] = {}
        elif isinstance(kind, String):
            row[column.name] = "x"
    return row


SEEDED = ["tenants", "locations", "orders"]
ORDERS = [  # (tenant, order id, customer text)
    ("ten_A", "ord_1", "Jane Doe"),
    ("ten_A", "ord_2", "Jane Doe"),
    ("ten_A", "ord_3", "cust_bd_3320"),
    ("ten_A", "ord_4", "   "),
    ("ten_A", "ord_5", None),
    ("ten_B", "ord_6", "Jane Doe"),
]


async def seed(url: str) -> None:
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as conn:
            # The tables as they stand at 0010, read from the database: today's models have
            # columns added since.
            at_0010 = MetaData()
            await conn.run_sync(lambda sync: at_0010.reflect(sync, only=SEEDED))
            tables = at_0010.tables
            for tenant_id in ("ten_A", "ten_B"):
                await conn.execute(
                    insert(tables["tenants"]), filled(tables["tenants"], id=tenant_id)
                )
                location = filled(tables["locations"], tenant_id=tenant_id, id=f"loc_{tenant_id}")
                await conn.execute(insert(tables["locations"]), location)
            for tenant_id, order_id, text in ORDERS:
                row = filled(
                    tables["orders"],
                    tenant_id=tenant_id,
                    id=order_id,
                    location_id=f"loc_{tenant_id}",
                    customer_id=text,
                    grand_total_minor=1234,
                )
                await conn.execute(insert(tables["orders"]), row)
    finally:
        await engine.dispose()


async def read(url: str) -> tuple[dict[str, tuple[str, str | None, int]], list[Any]]:
    engine = create_async_engine(url, poolclass=NullPool)
    orders, customers = metadata.tables["orders"], metadata.tables["customers"]
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                select(
                    orders.c.id,
                    orders.c.tenant_id,
                    orders.c.customer_id,
                    orders.c.grand_total_minor,
                ).execution_options(all_tenants=True)
            )
            by_order = {r.id: (r.tenant_id, r.customer_id, r.grand_total_minor) for r in rows}
            every = select(customers).execution_options(all_tenants=True)
            made = (await conn.execute(every)).mappings().all()
    finally:
        await engine.dispose()
    return by_order, list(made)


def test_free_text_customers_become_customers(
    empty_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    config = alembic_config(empty_database)
    command.upgrade(config, "0010")
    asyncio.run(seed(empty_database))
    command.upgrade(config, "0011")
    assert (
        "0011: 3 customers made from order customer text (4 orders linked); "
        "1 orders with blank customer text cleared" in capsys.readouterr().out
    )
    orders, customers = asyncio.run(read(empty_database))
    by_id = {c["id"]: c for c in customers}
    assert len(by_id) == 3
    named = {oid: by_id[cid]["last_name"] if cid else None for oid, (_, cid, _) in orders.items()}
    assert named == {
        "ord_1": "Jane Doe",
        "ord_2": "Jane Doe",
        "ord_3": "cust_bd_3320",
        "ord_4": None,
        "ord_5": None,
        "ord_6": "Jane Doe",
    }
    # One customer per tenant and text: the two tenants' Jane Does are two customers.
    assert orders["ord_1"][1] == orders["ord_2"][1] != orders["ord_6"][1]
    for tenant_id, customer_id, total in orders.values():
        assert total == 1234
        if customer_id:
            assert customer_id.startswith("cust_")
            assert by_id[customer_id]["tenant_id"] == tenant_id
    assert by_id[orders["ord_1"][1]]["name_key"] == "jane doe"
