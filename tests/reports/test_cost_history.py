"""The catalog's cost history over HTTP: every write that changes a variant's effective cost
(its own, else its product's) adds one ``variant_costs`` row in the same request — product and
variant create and update, the batch upsert, the CSV import — and no other write does."""

from typing import Any

import httpx
from sqlalchemy import select

from tests.catalog.test_bulk import BATCH, HEADER, import_csv
from tests.support.catalog import create_product, unique_sku
from tests.support.tenants import TenantFixture
from tillpoint.catalog.models import Variant, VariantCost
from tillpoint.core.db import Database
from tillpoint.core.transactions import transaction

Json = dict[str, Any]
History = dict[str, list[int | None]]


async def history(db: Database, tenant: TenantFixture) -> History:
    """Each variant's costs (minor units) in the order they took effect, by the variant's sku
    (a product's default variant has the product's)."""
    async with transaction(db, tenant_id=tenant.id) as session:
        rows = await session.execute(
            select(Variant.sku, VariantCost.cost_minor)
            .join(
                Variant,
                (Variant.tenant_id == VariantCost.tenant_id)
                & (Variant.id == VariantCost.variant_id),
            )
            .order_by(Variant.sku, VariantCost.effective_at)
        )
        found: History = {}
        for sku, cost in rows:
            found.setdefault(sku, []).append(cost)
        return found


async def call(
    client: httpx.AsyncClient, tenant: TenantFixture, method: str, path: str, body: Json
) -> Json:
    response = await client.request(method, path, json=body, headers=tenant.headers)
    assert response.status_code in (200, 201), response.text
    result: Json = response.json()
    return result


async def test_product_and_variant_writes_record_each_change_of_effective_cost(
    client: httpx.AsyncClient, tenant: TenantFixture, db: Database
) -> None:
    sku = unique_sku()
    product = await create_product(
        client,
        tenant,
        sku=sku,
        price=10,
        cost=4,
        variants=[
            {"sku": f"{sku}-OWN", "optionValues": [{"name": "Size", "value": "L"}], "cost": 6},
            {"sku": f"{sku}-INH", "optionValues": [{"name": "Size", "value": "S"}]},
        ],
    )
    path = f"/v1/catalog/products/{product['productId']}"
    variants = {v["sku"]: v["variantId"] for v in product["variants"]}
    default, own, inherits = sku, f"{sku}-OWN", f"{sku}-INH"
    before = await history(db, tenant)
    assert (before[default], before[own], before[inherits]) == ([400], [600], [400])

    # The product's cost reaches the variants without their own; the same cost again, or a
    # change of anything else, writes nothing.
    await call(client, tenant, "PATCH", path, {"cost": 5, "version": product["version"]})
    await call(client, tenant, "PATCH", path, {"cost": 5, "name": "Renamed"})
    await call(client, tenant, "PATCH", path, {"price": 11})
    after = await history(db, tenant)
    assert after[own] == [600]
    assert after[inherits] == after[default] == [400, 500]

    # A variant's own cost: dropping it falls back to the product's (a change); setting one
    # equal to the product's is no change of what it costs.
    variant_path = f"{path}/variants"
    await call(client, tenant, "PATCH", f"{variant_path}/{variants[own]}", {"cost": None})
    await call(client, tenant, "PATCH", f"{variant_path}/{variants[inherits]}", {"cost": 5})
    await call(client, tenant, "PATCH", f"{variant_path}/{variants[inherits]}", {"cost": 7.25})
    await call(client, tenant, "PATCH", f"{variant_path}/{variants[inherits]}", {"name": "Small"})
    # Clearing the product's cost: only the variants that inherit it become unknown.
    await call(client, tenant, "PATCH", path, {"cost": None})
    await call(
        client,
        tenant,
        "POST",
        variant_path,
        {"sku": f"{sku}-NEW", "optionValues": [{"name": "Size", "value": "M"}]},
    )
    last = await history(db, tenant)
    assert last[own] == [600, 500, None]
    assert last[inherits] == [400, 500, 725]
    assert last[default] == [400, 500, None]
    assert last[f"{sku}-NEW"] == [None]


async def test_batch_upsert_and_csv_import_record_costs(
    client: httpx.AsyncClient, tenant: TenantFixture, db: Database
) -> None:
    sku = unique_sku()
    items = [
        {"sku": f"{sku}-A", "name": "A", "price": 3, "cost": 1.5},
        {"sku": f"{sku}-B", "name": "B", "price": 3},
    ]
    await call(client, tenant, "POST", BATCH, {"items": items})
    again = [{**items[0], "cost": 1.75}, {**items[1], "cost": 2}]
    await call(client, tenant, "POST", BATCH, {"items": again})
    await call(client, tenant, "POST", BATCH, {"items": again})  # unchanged: nothing new
    costs = await history(db, tenant)
    assert (costs[f"{sku}-A"], costs[f"{sku}-B"]) == ([150, 175], [None, 200])

    text = (
        "\n".join(
            [
                HEADER,
                f"{sku}-C,,C,,,,4,2.10,,,",
                f"{sku}-C-L,{sku}-C,,,,,,3.30,Size=L,,",
                f"{sku}-C-S,{sku}-C,,,,,,,Size=S,,",
                f"{sku}-A,,A,,,,3,1.80,,,",  # an existing product: updated through the upsert
            ]
        )
        + "\n"
    )
    result = await import_csv(client, db, tenant, text)
    assert (result["status"], result["created"], result["updated"]) == ("succeeded", 1, 1)
    imported = await history(db, tenant)
    assert imported[f"{sku}-C"] == imported[f"{sku}-C-S"] == [210]
    assert imported[f"{sku}-C-L"] == [330]
    assert imported[f"{sku}-A"] == [150, 175, 180]
    assert imported[f"{sku}-B"] == [None, 200]
