"""Variants, the scanner's lookup, and stock shown with products (location scoping)."""

from typing import Any

import httpx

from tests.support.catalog import create_product, make_gtin
from tests.support.tenants import TenantFixture, add_location, add_user, bearer
from tillpoint.core.db import Database
from tillpoint.core.transactions import transaction
from tillpoint.inventory.models import StockLevel

Json = dict[str, Any]
PRODUCTS = "/v1/catalog/products"
LOOKUP = "/v1/catalog/lookup"


async def set_stock(
    db: Database,
    tenant: TenantFixture,
    variant_id: str,
    location_id: str,
    on_hand: int,
    reserved: int = 0,
    reorder: int | None = None,
) -> None:
    """A stock level written straight to the table (in whole units)."""
    async with transaction(db, tenant_id=tenant.id) as session:
        session.add(
            StockLevel(
                tenant_id=tenant.id,
                variant_id=variant_id,
                location_id=location_id,
                on_hand_milli=on_hand * 1000,
                reserved_milli=reserved * 1000,
                reorder_point_milli=None if reorder is None else reorder * 1000,
            )
        )


async def default_variant_id(db: Database, tenant: TenantFixture, product_id: str) -> str:
    from sqlalchemy import select

    from tillpoint.catalog.models import Variant

    async with transaction(db, tenant_id=tenant.id) as session:
        stmt = select(Variant.id).where(
            Variant.product_id == product_id, Variant.is_default.is_(True)
        )
        return str((await session.execute(stmt)).scalar_one())


async def test_variant_crud_bumps_product(client: httpx.AsyncClient, tenant: TenantFixture) -> None:
    product = await create_product(client, tenant, price=20)
    base = f"{PRODUCTS}/{product['productId']}/variants"
    options = [{"name": "Color", "value": "Blue"}, {"name": "Size", "value": "M"}]
    created = await client.post(
        base, headers=tenant.headers, json={"sku": "V-BL-M", "optionValues": options}
    )
    assert created.status_code == 201, created.text
    variant = created.json()
    assert (variant["name"], variant["price"], variant["position"]) == ("Blue / M", None, 0)
    after = (await client.get(f"{PRODUCTS}/{product['productId']}", headers=tenant.headers)).json()
    assert after["version"] == 2
    assert [v["variantId"] for v in after["variants"]] == [variant["variantId"]]

    url = f"{base}/{variant['variantId']}"
    patched = await client.patch(
        url, headers=tenant.headers, json={"price": 22.5, "name": "Navy / M", "version": 1}
    )
    assert patched.status_code == 200, patched.text
    assert (patched.json()["price"], patched.json()["name"]) == (22.5, "Navy / M")
    stale = await client.patch(url, headers=tenant.headers, json={"price": 1, "version": 1})
    assert stale.json()["error"]["code"] == "VERSION_CONFLICT"
    cleared = await client.patch(url, headers=tenant.headers, json={"price": None})
    assert cleared.json()["price"] is None
    bad = await client.patch(url, headers=tenant.headers, json={"barcode": "123"})
    assert bad.json()["error"]["code"] == "INVALID_BARCODE"

    listed = (await client.get(base, headers=tenant.headers)).json()
    assert [v["variantId"] for v in listed["items"]] == [variant["variantId"]]
    archived = await client.delete(url, headers=tenant.headers)
    assert archived.json()["archived"] is True
    assert (await client.get(base, headers=tenant.headers)).json()["total"] == 0
    assert (
        await client.get(base, headers=tenant.headers, params={"includeArchived": "true"})
    ).json()["total"] == 1
    assert (await client.get(url, headers=tenant.headers)).json()["archived"] is True
    final = (await client.get(f"{PRODUCTS}/{product['productId']}", headers=tenant.headers)).json()
    assert final["variants"] == []
    events = await client.get("/v1/events", headers=tenant.headers, params={"types": "product.*"})
    assert [e["type"] for e in events.json()["items"]] == ["product.created"] + [
        "product.updated"
    ] * 4


async def test_default_variant_not_exposed(
    client: httpx.AsyncClient, tenant: TenantFixture, db: Database
) -> None:
    product = await create_product(client, tenant)
    default = await default_variant_id(db, tenant, product["productId"])
    url = f"{PRODUCTS}/{product['productId']}/variants/{default}"
    assert (await client.get(url, headers=tenant.headers)).status_code == 404
    assert (await client.patch(url, headers=tenant.headers, json={"sku": "X"})).status_code == 404
    assert (await client.delete(url, headers=tenant.headers)).status_code == 404
    other = await create_product(client, tenant, variants=[{"name": "A", "sku": "OTHER-A"}])
    wrong = f"{PRODUCTS}/{product['productId']}/variants/{other['variants'][0]['variantId']}"
    assert (await client.get(wrong, headers=tenant.headers)).status_code == 404


async def test_lookup_prices_and_stock(
    client: httpx.AsyncClient, tenant: TenantFixture, db: Database
) -> None:
    uptown, downtown = (
        await add_location(client, tenant, "Uptown"),
        await add_location(client, tenant, "Downtown"),
    )
    code, variant_code = make_gtin(9001), make_gtin(9002)
    product = await create_product(
        client,
        tenant,
        name="Latte",
        price=4.5,
        barcode=code,
        locationPrices=[{"locationId": uptown["locationId"], "price": 5}],
    )
    simple = await client.get(LOOKUP, headers=tenant.headers, params={"barcode": code})
    assert simple.status_code == 200, simple.text
    assert (simple.json()["price"], simple.json()["onHand"], simple.json()["variants"]) == (
        4.5,
        None,
        [],
    )
    default = await default_variant_id(db, tenant, product["productId"])
    await set_stock(db, tenant, default, uptown["locationId"], 7, reserved=2)
    here = await client.get(
        LOOKUP, headers=tenant.headers, params={"barcode": code, "locationId": uptown["locationId"]}
    )
    body = here.json()
    assert (body["price"], body["onHand"], body["available"], body["name"]) == (5, 7, 5, "Latte")
    assert body["variantId"] == default
    there = await client.get(
        LOOKUP,
        headers=tenant.headers,
        params={"sku": product["sku"], "locationId": downtown["locationId"]},
    )
    assert (there.json()["price"], there.json()["onHand"]) == (4.5, 0)

    # A variant's price at a location wins over everything; its own price over the product's.
    sized = await client.post(
        f"{PRODUCTS}/{product['productId']}/variants",
        headers=tenant.headers,
        json={
            "sku": "LATTE-L",
            "name": "Large",
            "barcode": variant_code,
            "price": 6,
            "locationPrices": [{"locationId": downtown["locationId"], "price": 6.25}],
        },
    )
    assert sized.status_code == 201, sized.text
    for location, price in ((uptown, 6), (downtown, 6.25)):
        found = await client.get(
            LOOKUP,
            headers=tenant.headers,
            params={"barcode": variant_code, "locationId": location["locationId"]},
        )
        assert (found.json()["price"], found.json()["name"]) == (price, "Latte - Large")
    # The parent's code now offers the variants to choose from.
    parent = (await client.get(LOOKUP, headers=tenant.headers, params={"barcode": code})).json()
    assert [v["sku"] for v in parent["variants"]] == ["LATTE-L"]


async def test_lookup_errors(client: httpx.AsyncClient, tenant: TenantFixture) -> None:
    for params in ({}, {"barcode": "1", "sku": "x"}):
        response = await client.get(LOOKUP, headers=tenant.headers, params=params)
        assert response.status_code == 400, response.text
    missing = await client.get(LOOKUP, headers=tenant.headers, params={"barcode": make_gtin(1)})
    assert missing.json()["error"]["code"] == "NOT_FOUND"
    product = await create_product(client, tenant, barcode=make_gtin(2))
    unknown = await client.get(
        LOOKUP,
        headers=tenant.headers,
        params={"barcode": product["barcode"], "locationId": "loc_01JD000000000000000000000"},
    )
    assert unknown.status_code == 404


async def test_location_limited_user_sees_own_stock(
    client: httpx.AsyncClient, tenant: TenantFixture, db: Database
) -> None:
    mine, theirs = (
        await add_location(client, tenant, "Mine"),
        await add_location(client, tenant, "Theirs"),
    )
    product = await create_product(
        client,
        tenant,
        variants=[
            {"name": "S", "sku": f"S-{mine['locationId']}"},
            {"name": "L", "sku": f"L-{mine['locationId']}"},
        ],
    )
    small, large = (v["variantId"] for v in product["variants"])
    await set_stock(db, tenant, small, mine["locationId"], 3, reserved=1, reorder=2)
    await set_stock(db, tenant, large, mine["locationId"], 4, reorder=None)
    await set_stock(db, tenant, small, theirs["locationId"], 10, reorder=5)
    url = f"{PRODUCTS}/{product['productId']}"

    full = (await client.get(url, headers=tenant.headers)).json()["inventory"]
    assert full == sorted(
        [
            {
                "locationId": mine["locationId"],
                "onHand": 7,
                "reserved": 1,
                "available": 6,
                "reorderPoint": 2,
            },
            {
                "locationId": theirs["locationId"],
                "onHand": 10,
                "reserved": 0,
                "available": 10,
                "reorderPoint": 5,
            },
        ],
        key=lambda i: i["locationId"],
    )
    at = await client.get(url, headers=tenant.headers, params={"locationId": theirs["locationId"]})
    assert [i["locationId"] for i in at.json()["inventory"]] == [theirs["locationId"]]

    _, token = await add_user(client, tenant, "manager", location_ids=[mine["locationId"]])
    manager = bearer(token)
    seen = (await client.get(url, headers=manager)).json()["inventory"]
    assert [i["locationId"] for i in seen] == [mine["locationId"]]
    listed = (await client.get(PRODUCTS, headers=manager)).json()["items"]
    assert [i["locationId"] for p in listed for i in p["inventory"]] == [mine["locationId"]]
    for path in (url, PRODUCTS, LOOKUP):
        params = {"locationId": theirs["locationId"], "sku": product["sku"]}
        refused = await client.get(path, headers=manager, params=params)
        assert refused.status_code == 404, (path, refused.text)
