"""Races on PostgreSQL: many connections moving one item's stock at once. The ledger still sums
to onHand, and where negatives are not allowed onHand never drops below zero."""

import asyncio
import random

import httpx
import pytest
from sqlalchemy import func, select, text

from tests.support.inventory import Inv, make_item
from tests.support.tenants import TenantFixture, add_location
from tillpoint.catalog.lookup import stock_items_by_sku
from tillpoint.core.db import Database, utcnow
from tillpoint.core.errors import AppError
from tillpoint.core.transactions import transaction
from tillpoint.inventory.ledger import MovementLine, apply_movements
from tillpoint.inventory.models import StockLevel, StockMovement

WRITERS = 16


@pytest.fixture(autouse=True)
def postgres_only(dialect: str) -> None:
    if dialect == "sqlite":
        pytest.skip("SQLite serialises writers; the race is PostgreSQL's")


async def ledger_and_level(db: Database, tenant_id: str, location: str) -> list[tuple[int, int]]:
    async with db.session(tenant_id=tenant_id, read_only=True) as session:
        levels = (
            await session.execute(
                select(StockLevel.variant_id, StockLevel.on_hand_milli)
                .where(StockLevel.location_id == location)
                .order_by(StockLevel.variant_id)
            )
        ).all()
        sums = dict(
            (
                await session.execute(
                    select(StockMovement.variant_id, func.sum(StockMovement.delta_milli))
                    .where(StockMovement.location_id == location)
                    .group_by(StockMovement.variant_id)
                )
            ).all()
        )
    return [(int(sums.get(v, 0)), int(on_hand)) for v, on_hand in levels]


async def test_parallel_adjustments_of_one_sku_all_count(
    client: httpx.AsyncClient, db: Database, tenant: TenantFixture
) -> None:
    loc = (await add_location(client, tenant, "Busy"))["locationId"]
    sku = await make_item(db, tenant.id)
    api = Inv(client, tenant.headers)
    deltas = [random.choice([-3, -1, 1, 2, 5]) for _ in range(WRITERS * 3)]
    await asyncio.gather(*(api.adjust(loc, {sku: d}) for d in deltas))
    assert await api.on_hand(loc, sku) == sum(deltas)
    assert await ledger_and_level(db, tenant.id, loc) == [(sum(deltas) * 1000,) * 2]


async def test_parallel_decrements_never_go_below_zero_where_forbidden(
    client: httpx.AsyncClient, db: Database, tenant: TenantFixture
) -> None:
    loc = (await add_location(client, tenant, "Strict", allowNegativeStock=False))["locationId"]
    a, b = await make_item(db, tenant.id), await make_item(db, tenant.id)
    api = Inv(client, tenant.headers)
    await api.adjust(loc, {a: 5, b: 5})
    body = {
        "locationId": loc,
        "reason": "other",
        # The two lines in either order: the ledger locks in one order whatever the request's.
        "items": [{"sku": a, "deltaQuantity": -1}, {"sku": b, "deltaQuantity": -1}],
    }

    async def take(n: int) -> httpx.Response:
        items = body["items"] if n % 2 else body["items"][::-1]
        return await client.post(
            "/v1/inventory/adjustments", headers=tenant.headers, json=body | {"items": items}
        )

    responses = await asyncio.gather(*(take(n) for n in range(WRITERS)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] * 5 + [409] * (WRITERS - 5)
    for refused in (r.json()["error"] for r in responses if r.status_code == 409):
        assert refused["code"] == "INSUFFICIENT_STOCK"
        assert sorted(d["sku"] for d in refused["details"]) == sorted([a, b])
    assert [await api.on_hand(loc, s) for s in (a, b)] == [0, 0]
    assert await ledger_and_level(db, tenant.id, loc) == [(0, 0), (0, 0)]


async def test_sixteen_open_transactions_race_on_the_ledger(
    client: httpx.AsyncClient, db: Database, tenant: TenantFixture
) -> None:
    """Every writer holds its own connection in an open transaction before any of them
    touches the level, so all 16 truly run at once."""
    loc = (await add_location(client, tenant, "Race", allowNegativeStock=False))["locationId"]
    sku = await make_item(db, tenant.id)
    await Inv(client, tenant.headers).adjust(loc, {sku: 7})
    async with db.session(tenant_id=tenant.id, read_only=True) as session:
        item = (await stock_items_by_sku(session, [sku]))[sku]
    ready = asyncio.Barrier(WRITERS)

    async def writer() -> str:
        try:
            async with transaction(db, tenant_id=tenant.id) as session:
                await session.execute(text("SELECT 1"))  # connection taken, transaction open
                await ready.wait()
                await apply_movements(
                    session,
                    tenant.id,
                    [MovementLine(item, loc, -1000, "items[0]")],
                    reason="sale",
                    reference_type="test",
                    reference_id=None,
                    occurred_at=utcnow(),
                    actor=None,
                    allow_negative={loc: False},
                )
            return "posted"
        except AppError as error:
            return error.code

    results = await asyncio.gather(*(writer() for _ in range(WRITERS)))
    assert sorted(results) == ["INSUFFICIENT_STOCK"] * (WRITERS - 7) + ["posted"] * 7
    assert await ledger_and_level(db, tenant.id, loc) == [(0, 0)]
