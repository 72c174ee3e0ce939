"""The document states the rules the server applies to a body — which fields go together,
which names exist — so that a body the document accepts is one the server accepts, and a body
it refuses the server refuses too. Each case asks both: the document (validated with the JSON
Schema validator schemathesis uses) and the server."""

from typing import Any

import httpx
import jsonschema_rs
import pytest

from tests.support.sales import Till, make_shop
from tests.support.tenants import TenantFixture, add_api_key

Json = dict[str, Any]


@pytest.fixture
async def till(client: httpx.AsyncClient, tenant: TenantFixture) -> Till:
    return await make_shop(client, tenant)


async def _document_accepts(client: httpx.AsyncClient, component: str, body: Json) -> bool:
    document = (await client.get("/openapi.json")).json()
    validator = jsonschema_rs.Draft202012Validator(
        {**document, "$ref": f"#/components/schemas/{component}"}
    )
    return bool(validator.is_valid(body))


async def _agree(
    client: httpx.AsyncClient,
    tenant: TenantFixture,
    method: str,
    path: str,
    component: str,
    body: Json,
    accepted: bool,
) -> None:
    assert await _document_accepts(client, component, body) is accepted, body
    response = await client.request(method, path, json=body, headers=tenant.headers)
    assert (response.status_code < 300) is accepted, response.text
    if not accepted:
        assert response.status_code == 400, response.text


async def test_exactly_one_of_variant_id_and_sku(
    client: httpx.AsyncClient, tenant: TenantFixture, till: Till
) -> None:
    sku = await till.product()
    variant_id = (await till.get("/v1/catalog/lookup", sku=sku))["variantId"]
    for line, accepted in [
        ({"sku": sku}, True),
        ({"sku": sku, "variantId": None}, True),
        ({"variantId": variant_id}, True),
        ({"sku": sku, "variantId": variant_id}, False),
        ({}, False),
        ({"sku": None, "variantId": None}, False),
    ]:
        body = {"locationId": till.location_id, "lineItems": [line]}
        await _agree(client, tenant, "POST", "/v1/orders/calculate", "OrderIn", body, accepted)


async def test_a_stock_level_names_one_item(
    client: httpx.AsyncClient, tenant: TenantFixture, till: Till
) -> None:
    sku = await till.product()
    variant_id = (await till.get("/v1/catalog/lookup", sku=sku))["variantId"]
    where = {"locationId": till.location_id, "onHand": 3}
    for item, accepted in [
        ({"sku": sku}, True),
        ({"variantId": variant_id}, True),
        ({"sku": sku, "variantId": variant_id}, False),
        ({}, False),
    ]:
        body = {**where, **item}
        await _agree(client, tenant, "PUT", "/v1/inventory/levels", "LevelSet", body, accepted)


async def test_category_or_category_id_not_both(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    category = await client.post(
        "/v1/catalog/categories", json={"name": "Mugs"}, headers=tenant.headers
    )
    category_id = category.json()["categoryId"]
    for n, (extra, accepted) in enumerate(
        [
            ({"category": "Mugs"}, True),
            ({"categoryId": category_id}, True),
            ({"category": "Mugs", "categoryId": None}, True),
            ({"category": "Mugs", "categoryId": category_id}, False),
        ]
    ):
        body = {"name": "Mug", "sku": f"MUG-{n}", "price": 5, **extra}
        await _agree(client, tenant, "POST", "/v1/catalog/products", "ProductIn", body, accepted)


async def test_a_printer_has_a_name_and_an_address(
    client: httpx.AsyncClient, tenant: TenantFixture, till: Till
) -> None:
    path = f"/v1/locations/{till.location_id}/printers"
    for body, accepted in [
        ({"name": "Front", "address": "10.0.0.5"}, True),
        ({"name": "   ", "address": "10.0.0.5"}, False),
        ({"address": "10.0.0.5"}, False),
        ({"name": "Front"}, False),
    ]:
        await _agree(client, tenant, "POST", path, "PrinterIn", body, accepted)


@pytest.mark.parametrize(
    ("timezone", "accepted"),
    [("Europe/Paris", True), ("America", False), ("", False), ("Mars/Olympus", False)],
)
async def test_a_timezone_is_a_zone_the_server_knows(
    client: httpx.AsyncClient, tenant: TenantFixture, timezone: str, accepted: bool
) -> None:
    body = {"name": f"Shop {timezone or 'blank'}", "timezone": timezone}
    await _agree(client, tenant, "POST", "/v1/locations", "LocationIn", body, accepted)


@pytest.mark.parametrize(
    ("permissions", "accepted"), [(["orders:read"], True), (["orders:fly"], False)]
)
async def test_permissions_are_the_documented_names(
    client: httpx.AsyncClient, tenant: TenantFixture, permissions: list[str], accepted: bool
) -> None:
    body = {"name": f"Role {permissions[0]}", "permissions": permissions}
    await _agree(client, tenant, "POST", "/v1/roles", "RoleIn", body, accepted)


@pytest.mark.parametrize(
    ("image", "accepted"),
    [("https://img.example.com/a.jpg", True), ("ftp://img.example.com/a.jpg", False)],
)
async def test_an_image_is_an_http_url(
    client: httpx.AsyncClient, tenant: TenantFixture, image: str, accepted: bool
) -> None:
    body = {"name": "Mug", "sku": f"IMG-{accepted}", "price": 5, "images": [image]}
    await _agree(client, tenant, "POST", "/v1/catalog/products", "ProductIn", body, accepted)


async def test_an_api_key_ending_its_session_is_forbidden_with_a_reason(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    key = (await add_api_key(client, tenant, ["orders:read"]))["key"]
    response = await client.delete(
        "/v1/sessions/current", headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status_code == 403, response.text
    error = response.json()["error"]
    assert error["code"] == "FORBIDDEN"
    assert error["details"]
    assert all(detail["message"] for detail in error["details"])


@pytest.mark.parametrize(
    ("version", "accepted"), [(1.0, True), (1, True), (1.5, False), ("1", False), (True, False)]
)
async def test_an_integer_may_have_a_zero_fraction(
    client: httpx.AsyncClient, tenant: TenantFixture, version: Any, accepted: bool
) -> None:
    made = await client.post("/v1/locations", json={"name": "Pier"}, headers=tenant.headers)
    path = f"/v1/locations/{made.json()['locationId']}"
    body = {"name": "Pier 2", "version": version}
    await _agree(client, tenant, "PATCH", path, "LocationUpdate", body, accepted)


@pytest.mark.parametrize(
    ("discount", "accepted"),
    [
        ({"type": "percentage", "value": 100}, True),
        ({"type": "percentage", "value": 150}, False),
        ({"type": "fixed", "value": 150}, True),
    ],
)
async def test_a_percentage_discount_is_at_most_100(
    client: httpx.AsyncClient, tenant: TenantFixture, till: Till, discount: Json, accepted: bool
) -> None:
    sku = await till.product(price=200)
    body = {"locationId": till.location_id, "lineItems": [{"sku": sku, "discounts": [discount]}]}
    await _agree(client, tenant, "POST", "/v1/orders/calculate", "OrderIn", body, accepted)


@pytest.mark.parametrize(
    ("variant", "accepted"),
    [
        ({"name": "Large"}, True),
        ({"optionValues": [{"name": "Size", "value": "L"}]}, True),
        ({}, False),
        ({"name": None, "optionValues": []}, False),
    ],
)
async def test_a_variant_has_a_name_or_option_values(
    client: httpx.AsyncClient, tenant: TenantFixture, variant: Json, accepted: bool
) -> None:
    product = await client.post(
        "/v1/catalog/products",
        json={"name": "Tee", "sku": f"TEE-{len(variant)}-{accepted}", "price": 5},
        headers=tenant.headers,
    )
    path = f"/v1/catalog/products/{product.json()['productId']}/variants"
    body = {"sku": f"TEE-V-{len(variant)}-{accepted}", **variant}
    await _agree(client, tenant, "POST", path, "VariantIn", body, accepted)
