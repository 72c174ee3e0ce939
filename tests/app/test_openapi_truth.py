"""The OpenAPI document says what the server does: one test per class of mismatch the probe of
issue 13 found (timestamps, amounts, booleans, text length, Allow, the reused clientOrderId,
error details)."""

from typing import Any

import httpx
import pytest

from tests.support.sales import Till, make_shop
from tests.support.tenants import TenantFixture


@pytest.fixture
async def till(client: httpx.AsyncClient, tenant: TenantFixture) -> Till:
    return await make_shop(client, tenant)


async def _document(client: httpx.AsyncClient) -> dict[str, Any]:
    return (await client.get("/openapi.json")).json()


@pytest.mark.parametrize("value", ["1700000000", "0.5", "2026-01-21", "2026-01-21T14:42:18"])
async def test_a_timestamp_is_iso_text_with_an_offset(
    client: httpx.AsyncClient, tenant: TenantFixture, value: str
) -> None:
    got = await client.get("/v1/orders", params={"dateFrom": value}, headers=tenant.headers)
    assert got.status_code == 400, got.text
    assert got.json()["error"]["details"][0]["field"] == "dateFrom"
    ok = await client.get(
        "/v1/orders", params={"dateFrom": "2026-01-21T14:42:18+02:00"}, headers=tenant.headers
    )
    assert ok.status_code == 200, ok.text


async def test_a_numeric_timestamp_in_a_body_is_refused(till: Till) -> None:
    sku = await till.product()
    error = await till.error(
        "POST",
        "/v1/orders",
        await _order_body(till, sku, occurredAt=1700000000),
        400,
        "VALIDATION_ERROR",
    )
    assert error["details"][0]["field"] == "occurredAt"


async def _order_body(till: Till, sku: str, **extra: Any) -> dict[str, Any]:
    return {"locationId": till.location_id, "lineItems": [{"sku": sku}], **extra}


@pytest.mark.parametrize("price", ["", "12.50", True])
async def test_an_amount_is_a_json_number(
    client: httpx.AsyncClient, tenant: TenantFixture, price: Any
) -> None:
    body = {"name": "Mug", "sku": f"MUG-{price!r}", "price": price}
    got = await client.post("/v1/catalog/products", json=body, headers=tenant.headers)
    assert got.status_code == 400, got.text
    assert got.json()["error"]["details"][0]["field"] == "price"
    schema = (await _document(client))["components"]["schemas"]["ProductIn"]
    assert schema["properties"]["price"] == {
        "title": "Price",
        "type": "number",
        "minimum": 0,
        "maximum": 999999999999,
        "multipleOf": 0.01,
    }


@pytest.mark.parametrize("flag", [0, 1, "true"])
async def test_a_boolean_is_true_or_false(
    client: httpx.AsyncClient, tenant: TenantFixture, flag: Any
) -> None:
    body = {"name": "Mug", "sku": f"MUG-{flag!r}", "price": 5, "inStoreOnly": flag}
    got = await client.post("/v1/catalog/products", json=body, headers=tenant.headers)
    assert got.status_code == 400, got.text
    assert got.json()["error"]["details"][0]["field"] == "inStoreOnly"


async def test_text_is_measured_as_sent(client: httpx.AsyncClient, tenant: TenantFixture) -> None:
    # 200 characters of name and a space each side: longer than the document allows.
    padded = " " + "n" * 200 + " "
    got = await client.post("/v1/locations", json={"name": padded}, headers=tenant.headers)
    assert got.status_code == 400, got.text
    blank = await client.post("/v1/locations", json={"name": "   "}, headers=tenant.headers)
    assert blank.status_code == 400, blank.text
    name = (await _document(client))["components"]["schemas"]["LocationIn"]["properties"]["name"]
    assert (name["maxLength"], name["pattern"]) == (200, r"[^\s\u0085\ufeff]")


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("OPTIONS", "/v1/api-keys", "GET, POST"),
        ("PUT", "/v1/orders/ord_0", "GET, PATCH"),
        ("DELETE", "/v1/orders/calculate", "POST"),
    ],
)
async def test_405_allows_every_method_of_the_path(
    client: httpx.AsyncClient, tenant: TenantFixture, method: str, path: str, allow: str
) -> None:
    got = await client.request(method, path, headers=tenant.headers)
    assert got.status_code == 405, got.text
    assert got.headers["allow"] == allow
    documented = (await _document(client))["paths"][
        path if "ord_" not in path else "/v1/orders/{order_id}"
    ]
    assert ", ".join(sorted(m.upper() for m in documented)) == allow


async def test_a_reused_client_order_id_is_a_documented_200(
    client: httpx.AsyncClient, till: Till
) -> None:
    sku = await till.product()
    body = await _order_body(till, sku, clientOrderId="till-1-0001")
    first = await till.post("/v1/orders", body)
    again = await till.call("POST", "/v1/orders", body, 200)
    assert again["orderId"] == first["orderId"]
    responses = (await _document(client))["paths"]["/v1/orders"]["post"]["responses"]
    assert responses["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/OrderOut"
    }


async def test_a_state_error_detail_has_a_message_and_no_null_field(till: Till) -> None:
    sku = await till.product()
    order = await till.order(till.line(sku))
    path = f"/v1/orders/{order['orderId']}"
    await till.post(f"{path}/void", {"reason": "left"}, status=200)
    for method, route, body, code in [
        ("POST", f"{path}/void", {"reason": "again"}, "VOID_NOT_ALLOWED"),
        ("POST", f"{path}/line-items", {"sku": sku}, "ORDER_NOT_OPEN"),
    ]:
        error = await till.error(method, route, body, 409, code)
        assert error["details"] == [{"message": "the order is voided", "status": "voided"}]


async def test_create_operations_link_to_what_takes_their_id(client: httpx.AsyncClient) -> None:
    document = await _document(client)
    links = document["paths"]["/v1/orders"]["post"]["responses"]["201"]["links"]
    assert links["GET /v1/orders/{order_id}"]["parameters"] == {
        "order_id": "$response.body#/orderId"
    }
    printers = document["paths"]["/v1/locations/{location_id}/printers"]["post"]
    target = printers["responses"]["201"]["links"][
        "GET /v1/locations/{location_id}/printers/{printer_id}"
    ]
    assert target["parameters"] == {
        "location_id": "$response.body#/locationId",
        "printer_id": "$response.body#/printerId",
    }
    operation_ids = {
        op["operationId"] for item in document["paths"].values() for op in item.values()
    }
    every_link = [
        link
        for item in document["paths"].values()
        for op in item.values()
        for response in op["responses"].values()
        for link in response.get("links", {}).values()
    ]
    assert len(every_link) > 100
    assert all(link["operationId"] in operation_ids for link in every_link)


async def test_blank_means_the_same_to_the_document_and_the_server(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    """U+0085 is whitespace to the server's regex engine, U+FEFF to a JSON Schema (ECMAScript)
    one: a name of either alone is blank to both (the fuzzer found the first accepted by the
    document and refused by the server)."""
    for blank in ("\u0085", "\ufeff", " \u0085\ufeff "):
        response = await client.post(
            "/v1/tax-classes", json={"code": "blanky", "name": blank}, headers=tenant.headers
        )
        assert response.status_code == 400, (repr(blank), response.text)
    document = (await client.get("/openapi.json")).json()
    name = document["components"]["schemas"]["TaxClassIn"]["properties"]["name"]
    assert name["pattern"] == r"[^\s\u0085\ufeff]"
