"""The product page and the lookup are serialised once, from plain fields (catalog/ready.py),
not through their response models: their JSON must be what the models would produce."""

from typing import Any

import httpx

from tests.support.catalog import create_product, make_gtin
from tests.support.tenants import TenantFixture, add_location
from tillpoint.catalog.schemas import LookupOut, ProductOut
from tillpoint.core.db import Database
from tillpoint.core.pagination import Page
from tillpoint.core.transactions import transaction
from tillpoint.inventory.models import StockLevel


async def _seed(
    client: httpx.AsyncClient, tenant: TenantFixture, db: Database
) -> tuple[str, list[dict[str, Any]]]:
    location = (await add_location(client, tenant))["locationId"]
    shirt = await create_product(
        client,
        tenant,
        name="Classic Tee",
        barcode=make_gtin(71_000),
        category="Clothing > Tops",
        price=19.5,
        cost=7.25,
        description="Cotton",
        images=["https://example.com/tee.png"],
        attributes=[{"name": "Material", "value": "Cotton"}],
        locationPrices=[{"locationId": location, "price": 18}],
        variants=[
            {
                "sku": f"TEE-{size}",
                "barcode": make_gtin(71_001 + n),
                "optionValues": [{"name": "Size", "value": size}],
                "price": 21.99 if size == "L" else None,
                "locationPrices": [{"locationId": location, "price": 20.1}] if n == 0 else [],
            }
            for n, size in enumerate(("S", "M", "L"))
        ],
    )
    cheese = await create_product(
        client, tenant, name="Cheddar", barcode=make_gtin(71_100), price=12, soldBy="weight"
    )
    plain = await create_product(client, tenant, name="Plain", price=3)
    stocked = [v["variantId"] for v in shirt["variants"]][:2]
    async with transaction(db, tenant_id=tenant.id) as session:
        session.add_all(
            StockLevel(
                tenant_id=tenant.id,
                variant_id=variant_id,
                location_id=location,
                on_hand_milli=on_hand,
                reserved_milli=reserved,
                reorder_point_milli=reorder,
            )
            for variant_id, on_hand, reserved, reorder in [
                (stocked[0], 5000, 1000, 2000),
                (stocked[1], 2500, 0, None),
            ]
        )
    return location, [shirt, cheese, plain]


async def test_product_page_is_what_its_model_would_produce(
    client: httpx.AsyncClient, tenant: TenantFixture, db: Database
) -> None:
    location, products = await _seed(client, tenant, db)
    for params in ({}, {"locationId": location}, {"pageSize": 2, "page": 2}):
        response = await client.get("/v1/catalog/products", headers=tenant.headers, params=params)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/json"
        body = response.json()
        # Valid for the declared model, and the model writes it back unchanged.
        page = Page[ProductOut].model_validate_json(response.content)
        assert page.model_dump(mode="json", by_alias=True) == body
        assert body["total"] == len(products)
        # Each item is what the product's own route, which goes through the model, shows.
        for item in body["items"]:
            one = await client.get(
                f"/v1/catalog/products/{item['productId']}",
                headers=tenant.headers,
                params={k: v for k, v in params.items() if k == "locationId"},
            )
            assert one.status_code == 200, one.text
            assert one.json() == item
    shirt = (
        await client.get(
            "/v1/catalog/products", headers=tenant.headers, params={"locationId": location}
        )
    ).json()["items"][0]
    assert (shirt["price"], shirt["cost"]) == (19.5, 7.25)
    assert shirt["inventory"] == [
        {
            "locationId": location,
            "onHand": 7.5,
            "reserved": 1,
            "available": 6.5,
            "reorderPoint": 2,
        }
    ]
    assert shirt["createdAt"].endswith("Z")


async def test_lookup_is_what_its_model_would_produce(
    client: httpx.AsyncClient, tenant: TenantFixture, db: Database
) -> None:
    location, (shirt, cheese, _) = await _seed(client, tenant, db)
    codes = [shirt["barcode"], cheese["barcode"], *(v["barcode"] for v in shirt["variants"])]
    for code in codes:
        for params in ({"barcode": code}, {"barcode": code, "locationId": location}):
            response = await client.get("/v1/catalog/lookup", headers=tenant.headers, params=params)
            assert response.status_code == 200, response.text
            assert response.headers["content-type"] == "application/json"
            body = response.json()
            found = LookupOut.model_validate_json(response.content)
            assert found.model_dump(mode="json", by_alias=True) == body
    parent = await client.get(
        "/v1/catalog/lookup", headers=tenant.headers, params={"barcode": shirt["barcode"]}
    )
    # The parent's variants are those its product shows, through the model.
    assert parent.json()["variants"] == shirt["variants"]
    small = await client.get(
        "/v1/catalog/lookup",
        headers=tenant.headers,
        params={"barcode": shirt["variants"][0]["barcode"], "locationId": location},
    )
    assert small.json()["price"] == 20.1
    assert (small.json()["onHand"], small.json()["available"]) == (5, 4)
