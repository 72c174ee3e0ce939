"""The product list costs a fixed number of queries, whatever the page size."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from sqlalchemy import event

from tests.support.catalog import create_product, make_gtin
from tests.support.tenants import TenantFixture, add_location
from tillpoint.core.db import Database
from tillpoint.core.transactions import transaction
from tillpoint.inventory.models import StockLevel


@contextmanager
def counting(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", count)


async def test_list_queries_do_not_grow_with_page_size(
    client: httpx.AsyncClient, tenant: TenantFixture, db: Database
) -> None:
    location = await add_location(client, tenant)
    variant_ids = []
    for n in range(12):
        product = await create_product(
            client,
            tenant,
            category=f"Dept {n % 3} > Aisle {n % 2}",
            barcode=make_gtin(50_000 + n),
            variants=[{"name": size, "sku": f"Q-{n}-{size}"} for size in ("S", "M", "L")],
        )
        variant_ids += [v["variantId"] for v in product["variants"]]
    async with transaction(db, tenant_id=tenant.id) as session:
        session.add_all(
            StockLevel(
                tenant_id=tenant.id,
                variant_id=v,
                location_id=location["locationId"],
                on_hand_milli=5000,
                reorder_point_milli=1000,
            )
            for v in variant_ids
        )

    counts = []
    for size in (1, 4, 12):
        for params in ({}, {"locationId": location["locationId"]}):
            with counting(db) as statements:
                response = await client.get(
                    "/v1/catalog/products",
                    headers=tenant.headers,
                    params={"pageSize": size, **params},
                )
            assert response.status_code == 200, response.text
            items = response.json()["items"]
            assert len(items) == size
            assert all(p["inventory"][0]["onHand"] == 15 for p in items)
            assert all(p["inventory"][0]["reorderPoint"] == 3 for p in items)
            counts.append((bool(params), len(statements)))
    by_kind = {kind: {n for k, n in counts if k == kind} for kind, _ in counts}
    assert all(len(ns) == 1 for ns in by_kind.values()), counts
    # The page, its variants, their categories and stock: a handful besides the pipeline's own.
    assert max(n for _, n in counts) <= 12, counts


async def test_lookup_is_a_few_queries(
    client: httpx.AsyncClient, tenant: TenantFixture, db: Database
) -> None:
    location = await add_location(client, tenant)
    code = make_gtin(61_000)
    await create_product(client, tenant, barcode=code)
    with counting(db) as baseline:
        await client.get("/v1/catalog/categories", headers=tenant.headers, params={"pageSize": 1})
    with counting(db) as statements:
        response = await client.get(
            "/v1/catalog/lookup",
            headers=tenant.headers,
            params={"barcode": code, "locationId": location["locationId"]},
        )
    assert response.status_code == 200, response.text
    # An empty category page costs two queries of its own (page, total); the lookup at most two.
    assert len(statements) <= len(baseline), (statements, baseline)
