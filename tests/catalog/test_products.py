"""Products over HTTP: the reference shape, codes (sku, barcode), money, filters, archiving."""

from typing import Any

import httpx
import pytest

from tests.support.catalog import create_product, ensure_tax_classes, make_gtin, unique_sku
from tests.support.tenants import TenantFixture, add_location

Json = dict[str, Any]
PRODUCTS = "/v1/catalog/products"

CLASSIC_TEE: Json = {
    "name": "Classic Tee",
    "sku": "TEE-CL-001",
    "barcode": "012345678905",
    "category": "Apparel",
    "price": 24.00,
    "taxClass": "standard",
    "cost": 9.50,
    "supplierId": "sup_4391",
    "active": True,
    "variants": [
        {"name": "Blue / M", "sku": "TEE-CL-001-BL-M", "barcode": "012345678906"},
        {"name": "Blue / L", "sku": "TEE-CL-001-BL-L", "barcode": "012345678907"},
    ],
}


def internal(body: Json) -> Json:
    """The reference tee with its variant codes marked internal (their check digits are wrong)."""
    variants = [{**v, "barcodeInternal": True} for v in body["variants"]]
    return {**body, "variants": variants}


def error_of(response: httpx.Response, status: int, code: str, field: str = "") -> Json:
    assert response.status_code == status, response.text
    error: Json = response.json()["error"]
    assert error["code"] == code, error
    if field:
        assert field in [d["field"] for d in error["details"]], error
    return error


async def test_reference_product_round_trip(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    await ensure_tax_classes(client, tenant)
    plain = await client.post(PRODUCTS, headers=tenant.headers, json=CLASSIC_TEE)
    error_of(plain, 400, "INVALID_BARCODE", "variants[0].barcode")

    created = await create_product(client, tenant, **internal(CLASSIC_TEE))
    got = (await client.get(f"{PRODUCTS}/{created['productId']}", headers=tenant.headers)).json()
    assert got == created
    assert got["productId"].startswith("prd_")
    expected = {
        "name": "Classic Tee",
        "sku": "TEE-CL-001",
        "barcode": "012345678905",
        "category": "Apparel",
        "price": 24.0,
        "taxClass": "standard",
        "cost": 9.5,
        "supplierId": "sup_4391",
        "active": True,
        "inventory": [],
    }
    assert {k: got[k] for k in expected} == expected
    assert [(v["name"], v["sku"], v["barcode"]) for v in got["variants"]] == [
        ("Blue / M", "TEE-CL-001-BL-M", "012345678906"),
        ("Blue / L", "TEE-CL-001-BL-L", "012345678907"),
    ]
    assert all(v["variantId"].startswith("var_") for v in got["variants"])
    assert got["updatedAt"].endswith("Z")

    listed = await client.get(PRODUCTS, headers=tenant.headers, params={"sku": "TEE-CL-001"})
    page = listed.json()
    assert (page["total"], page["page"], page["pageSize"]) == (1, 1, 50)
    assert page["items"] == [got]

    events = await client.get("/v1/events", headers=tenant.headers, params={"types": "product.*"})
    types = [(e["type"], e["data"]["productId"]) for e in events.json()["items"]]
    assert types == [("product.created", got["productId"])]
    categories = await client.get(
        "/v1/events", headers=tenant.headers, params={"types": "category.*"}
    )
    assert [e["data"]["name"] for e in categories.json()["items"]] == ["Apparel"]


@pytest.mark.parametrize(
    "code", ["96385074", "036000291452", "4006381333931", "10614141000415", make_gtin(42)]
)
async def test_valid_gtins_accepted(
    client: httpx.AsyncClient, tenant: TenantFixture, code: str
) -> None:
    product = await create_product(client, tenant, barcode=code)
    assert product["barcode"] == code
    assert product["barcodeInternal"] is False


# A wrong check digit: …932 would be wrong too, but its 13 digits also pass as a Visa number,
# which no barcode field may hold, internal or not (tests/app/test_card_guard.py).
@pytest.mark.parametrize("code", ["4006381333933", "12345", "ABCDEFGHIJKLM", "012345678906"])
async def test_bad_barcodes_refused(
    client: httpx.AsyncClient, tenant: TenantFixture, code: str
) -> None:
    response = await create_product(client, tenant, expect=400, barcode=code)
    assert response["error"]["code"] == "INVALID_BARCODE"
    assert response["error"]["details"][0]["field"] == "barcode"
    # An in-store code is kept as given.
    kept = await create_product(client, tenant, barcode=code, barcodeInternal=True)
    assert kept["barcodeInternal"] is True


async def test_sku_and_barcode_unique_across_products_and_variants(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    code, other = make_gtin(1001), make_gtin(1002)
    first = await create_product(
        client,
        tenant,
        sku="A-1",
        barcode=code,
        variants=[{"name": "Red", "sku": "A-1-R", "barcode": other}],
    )
    for sku in ("A-1", "A-1-R"):
        clash = await create_product(client, tenant, expect=409, sku=sku)
        assert clash["error"]["code"] == "SKU_ALREADY_EXISTS"
        assert sku in clash["error"]["details"][0]["message"]
    clash = await create_product(client, tenant, expect=409, variants=[{"name": "X", "sku": "A-1"}])
    assert clash["error"]["details"][0]["field"] == "variants[0].sku"
    for barcode in (code, other):
        clash = await create_product(client, tenant, expect=409, barcode=barcode)
        assert clash["error"]["code"] == "BARCODE_ALREADY_EXISTS"
    twice = await create_product(
        client,
        tenant,
        expect=409,
        variants=[{"name": "a", "sku": "Z-1"}, {"name": "b", "sku": "Z-1"}],
    )
    assert twice["error"]["code"] == "SKU_ALREADY_EXISTS"

    second = await create_product(client, tenant, sku="B-1")
    url = f"{PRODUCTS}/{second['productId']}"
    error_of(
        await client.patch(url, headers=tenant.headers, json={"sku": "A-1-R"}),
        409,
        "SKU_ALREADY_EXISTS",
    )
    error_of(
        await client.patch(url, headers=tenant.headers, json={"barcode": code}),
        409,
        "BARCODE_ALREADY_EXISTS",
    )
    # Archived products keep their codes reserved.
    await client.delete(f"{PRODUCTS}/{first['productId']}", headers=tenant.headers)
    assert (await create_product(client, tenant, expect=409, sku="A-1"))["error"][
        "code"
    ] == "SKU_ALREADY_EXISTS"
    # Another tenant may use the same codes.
    # (tenant isolation: codes are unique per tenant only)


async def test_codes_are_per_tenant(client: httpx.AsyncClient, make_tenant: Any) -> None:
    one, two = await make_tenant(), await make_tenant()
    code = make_gtin(7)
    await create_product(client, one, sku="SAME", barcode=code)
    await create_product(client, two, sku="SAME", barcode=code)


async def test_update_and_clear_fields_and_version_conflict(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    product = await create_product(
        client, tenant, barcode=make_gtin(55), cost=3, category="Food > Snacks"
    )
    url = f"{PRODUCTS}/{product['productId']}"
    assert product["category"] == "Snacks"
    assert product["version"] == 1
    same = await client.patch(
        url, headers=tenant.headers, json={"name": product["name"], "version": 1}
    )
    assert same.json()["version"] == 1
    changed = await client.patch(
        url,
        headers=tenant.headers,
        json={"price": 12.5, "barcode": None, "cost": None, "category": None, "version": 1},
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["price"], body["barcode"], body["cost"], body["category"]) == (
        12.5,
        None,
        None,
        None,
    )
    assert body["version"] == 2
    stale = await client.patch(url, headers=tenant.headers, json={"name": "Old", "version": 1})
    error_of(stale, 409, "VERSION_CONFLICT", "version")
    lookup = await client.get(
        "/v1/catalog/lookup", headers=tenant.headers, params={"sku": product["sku"]}
    )
    assert lookup.json()["barcode"] is None
    assert lookup.json()["price"] == 12.5


async def test_money_precision_and_validation(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    error = await create_product(client, tenant, expect=400, price=1.234)
    assert error["error"]["details"][0]["field"] == "price"
    error = await create_product(
        client, tenant, expect=400, variants=[{"name": "x", "sku": unique_sku(), "price": 0.001}]
    )
    assert error["error"]["details"][0]["field"] == "variants[0].price"
    for bad in (
        {"price": -1},
        {"price": "abc"},
        {"soldBy": "litre"},
        {"taxClass": "nope"},
        {"categoryId": "cat_x"},
        {"modifierGroupIds": ["mdg_nope"]},
        {"locationPrices": [{"locationId": "loc_nope", "price": 1}]},
        {"images": ["ftp://x"]},
    ):
        response = await create_product(client, tenant, expect=400, **bad)
        assert response["error"]["code"] == "VALIDATION_ERROR", (bad, response)
    both = await create_product(client, tenant, expect=400, category="A", categoryId="cat_1")
    assert both["error"]["code"] == "VALIDATION_ERROR"


async def test_jpy_has_no_decimals(client: httpx.AsyncClient, make_tenant: Any) -> None:
    shop = await make_tenant(currency="JPY")
    assert (await create_product(client, shop, price=1500))["price"] == 1500
    assert (await create_product(client, shop, expect=400, price=15.5))["error"][
        "code"
    ] == "VALIDATION_ERROR"


async def test_filters(client: httpx.AsyncClient, tenant: TenantFixture) -> None:
    tee = await create_product(
        client,
        tenant,
        name="Tee",
        category="Apparel > Tees",
        barcode=make_gtin(301),
        variants=[
            {
                "optionValues": [{"name": "Size", "value": "M"}],
                "sku": "TEE-M",
                "barcode": make_gtin(302),
            }
        ],
    )
    hat = await create_product(client, tenant, name="Hat", category="Apparel")
    mug = await create_product(client, tenant, name="Mug", category="Kitchen", active=False)

    async def ids(**params: Any) -> list[str]:
        response = await client.get(PRODUCTS, headers=tenant.headers, params=params)
        assert response.status_code == 200, response.text
        return [p["productId"] for p in response.json()["items"]]

    assert tee["variants"][0]["name"] == "M"
    assert await ids(sku="TEE-M") == [tee["productId"]]
    assert await ids(sku=tee["sku"]) == [tee["productId"]]
    assert await ids(barcode=make_gtin(302)) == [tee["productId"]]
    assert await ids(barcode=make_gtin(301)) == [tee["productId"]]
    assert await ids(sku="nothing") == []
    assert await ids(category="apparel") == [tee["productId"], hat["productId"]]
    assert await ids(category="Apparel > Tees") == [tee["productId"]]
    assert await ids(category=tee["categoryId"]) == [tee["productId"]]
    assert await ids(category="Unknown") == []
    assert await ids(active="false") == [mug["productId"]]
    assert await ids(q="ug") == [mug["productId"]]
    assert await ids(pageSize=2) == [tee["productId"], hat["productId"]]
    assert await ids(pageSize=2, page=2) == [mug["productId"]]
    later = (
        await client.patch(
            f"{PRODUCTS}/{hat['productId']}", headers=tenant.headers, json={"price": 99}
        )
    ).json()
    assert await ids(updatedFrom=later["updatedAt"]) == [hat["productId"]]
    assert await ids(updatedTo=later["updatedAt"]) == [tee["productId"], mug["productId"]]
    assert (
        await client.get(PRODUCTS, headers=tenant.headers, params={"pageSize": 201})
    ).status_code == 400
    response = await client.get(PRODUCTS, headers=tenant.headers, params={"locationId": "loc_nope"})
    error_of(response, 404, "NOT_FOUND")


async def test_archive_hides_and_restore(client: httpx.AsyncClient, tenant: TenantFixture) -> None:
    product = await create_product(client, tenant, barcode=make_gtin(808))
    url = f"{PRODUCTS}/{product['productId']}"
    archived = await client.delete(url, headers=tenant.headers)
    assert archived.status_code == 200
    assert archived.json()["archived"] is True
    again = await client.delete(url, headers=tenant.headers)
    assert again.json()["version"] == archived.json()["version"]
    assert (await client.get(url, headers=tenant.headers)).json()["archived"] is True
    listed = await client.get(PRODUCTS, headers=tenant.headers)
    assert product["productId"] not in [p["productId"] for p in listed.json()["items"]]
    with_archived = await client.get(
        PRODUCTS, headers=tenant.headers, params={"includeArchived": "true"}
    )
    assert product["productId"] in [p["productId"] for p in with_archived.json()["items"]]
    scan = await client.get(
        "/v1/catalog/lookup", headers=tenant.headers, params={"barcode": make_gtin(808)}
    )
    error_of(scan, 404, "NOT_FOUND")
    restored = await client.patch(url, headers=tenant.headers, json={"archived": False})
    assert restored.json()["archived"] is False
    scan = await client.get(
        "/v1/catalog/lookup", headers=tenant.headers, params={"barcode": make_gtin(808)}
    )
    assert scan.status_code == 200
    events = await client.get("/v1/events", headers=tenant.headers, params={"types": "product.*"})
    assert [e["type"] for e in events.json()["items"]] == [
        "product.created",
        "product.archived",
        "product.updated",
    ]


async def test_permissions_and_other_tenant(client: httpx.AsyncClient, make_tenant: Any) -> None:
    owner, other = await make_tenant(), await make_tenant()
    product = await create_product(client, owner)
    url = f"{PRODUCTS}/{product['productId']}"
    assert (await client.get(url, headers=other.headers)).status_code == 404
    assert (await client.patch(url, headers=other.headers, json={"name": "x"})).status_code == 404
    assert (
        await client.get(f"{PRODUCTS}/var_{product['productId'][4:]}", headers=owner.headers)
    ).status_code == 404
    location = await add_location(client, owner)
    from tests.support.tenants import add_user

    _, token = await add_user(client, owner, "cashier", location_ids=[location["locationId"]])
    cashier = {"Authorization": f"Bearer {token}"}
    assert (await client.get(url, headers=cashier)).status_code == 200
    denied = await client.post(
        PRODUCTS, headers=cashier, json={"name": "x", "sku": "x", "price": 1}
    )
    error_of(denied, 403, "FORBIDDEN")
