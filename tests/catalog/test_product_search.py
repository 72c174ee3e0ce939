"""The product list's one search box (``q``): a product's name or any of its SKUs in part, or
one of its barcodes whole, as the back office's search sends what a manager types or scans."""

from typing import Any

import httpx

from tests.support.catalog import create_product, make_gtin
from tests.support.tenants import TenantFixture

PRODUCTS = "/v1/catalog/products"


async def test_q_finds_a_product_by_name_sku_or_barcode(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    mug = await create_product(client, tenant, name="Enamel mug", sku="KITCHEN-MUG")
    tee = await create_product(
        client,
        tenant,
        name="Linen tee",
        sku="APPAREL-TEE",
        barcode=make_gtin(701),
        variants=[{"name": "Large", "sku": "APPAREL-TEE-LARGE", "barcode": make_gtin(702)}],
    )

    async def found(q: str, **params: Any) -> list[str]:
        response = await client.get(PRODUCTS, headers=tenant.headers, params={"q": q, **params})
        assert response.status_code == 200, response.text
        return [p["productId"] for p in response.json()["items"]]

    assert await found("enamel") == [mug["productId"]]
    assert await found("kitchen-m") == [mug["productId"]]
    assert await found("tee-large") == [tee["productId"]]  # a variant's SKU finds its product
    assert await found(make_gtin(702)) == [tee["productId"]]
    assert await found(make_gtin(701)) == [tee["productId"]]
    assert await found(make_gtin(701)[:6]) == []  # a barcode is matched whole
    assert await found("%") == []  # LIKE wildcards are plain text
    assert await found("nothing-like-it") == []

    archived = await client.delete(f"{PRODUCTS}/{mug['productId']}", headers=tenant.headers)
    assert archived.status_code in (200, 204), archived.text
    assert await found("kitchen-m") == []
    assert await found("kitchen-m", includeArchived="true") == [mug["productId"]]


async def test_q_outside_its_bounds_is_a_400(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    too_long = await client.get(PRODUCTS, headers=tenant.headers, params={"q": "x" * 201})
    assert too_long.status_code == 400, too_long.text
    assert too_long.json()["error"]["code"] == "VALIDATION_ERROR"
