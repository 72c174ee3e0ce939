"""Validation details name fields one way — ``lineItems[0].quantity``: camelCase, JSON-path-like,
no ``body.`` prefix — wherever the error is found, and one rule reads the same for every value
that breaks it."""

from typing import Any

import httpx
import pytest

from tests.support.sales import Till, make_shop
from tests.support.tenants import TenantFixture
from tillpoint.core.handlers import field_path


def details(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR", error
    return error["details"]


@pytest.fixture
async def till(client: httpx.AsyncClient, tenant: TenantFixture) -> Till:
    return await make_shop(client, tenant, rate=None, open_shift=False)


async def test_one_request_with_several_bad_fields_names_each_the_same_way(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    body = {
        "locationId": "loc_x",
        "tip": "lots",
        "lineItems": [
            {"sku": "A", "quantity": 0},
            {"sku": "B", "quantity": 1, "discounts": [{"type": "fixed", "value": -1}]},
            {"sku": "C", "quantity": 1, "discounts": [{"type": "percentage", "value": 150}]},
            {"sku": "D", "colour": "red"},
        ],
        "serviceCharges": [{"name": "", "type": "fixed", "value": 1}],
    }
    response = await client.post("/v1/orders/calculate", headers=tenant.headers, json=body)
    assert [d["field"] for d in details(response)] == [
        "lineItems[0].quantity",
        "lineItems[1].discounts[0].value",
        "lineItems[2].discounts[0]",
        "lineItems[3].colour",
        "serviceCharges[0].name",
        "tip",
    ]


async def test_query_and_header_fields_are_named_as_sent(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    listed = await client.get(
        "/v1/orders", headers=tenant.headers, params={"pageSize": 0, "locationId": "x" * 41}
    )
    assert {d["field"] for d in details(listed)} == {"pageSize", "locationId"}
    stream = await client.get(
        "/v1/events/stream", headers={**tenant.headers, "Last-Event-ID": "1" * 41}
    )
    assert [d["field"] for d in details(stream)] == ["Last-Event-ID"]


async def test_service_checks_name_fields_as_request_validation_does(till: Till) -> None:
    """A rule checked in a service (the item exists) and one checked by the schema (the
    quantity is above zero) name their fields alike in one list of lines."""
    sku = await till.product()
    error = await till.error(
        "POST",
        "/v1/orders",
        {"locationId": till.location_id, "lineItems": [{"sku": sku}, {"sku": "NOPE"}]},
        400,
        "VALIDATION_ERROR",
    )
    assert [d["field"] for d in error["details"]] == ["lineItems[1].sku"]
    error = await till.error(
        "POST",
        "/v1/orders",
        {"locationId": till.location_id, "lineItems": [{"sku": sku}, {"sku": sku, "quantity": 0}]},
        400,
        "VALIDATION_ERROR",
    )
    assert [d["field"] for d in error["details"]] == ["lineItems[1].quantity"]


@pytest.mark.parametrize("value", [0, -2])
async def test_zero_and_negative_quantities_read_the_same(
    client: httpx.AsyncClient, tenant: TenantFixture, value: int
) -> None:
    order = await client.post(
        "/v1/orders/calculate",
        headers=tenant.headers,
        json={"locationId": "loc_x", "lineItems": [{"sku": "A", "quantity": value}]},
    )
    transfer = await client.post(
        "/v1/inventory/transfers",
        headers=tenant.headers,
        json={
            "sourceLocationId": "loc_a",
            "destinationLocationId": "loc_b",
            "items": [{"sku": "A", "quantity": value}],
        },
    )
    for response, field in [(order, "lineItems[0].quantity"), (transfer, "items[0].quantity")]:
        [detail] = details(response)
        assert detail["field"] == field
        assert detail["message"] == "Input should be greater than 0"
        assert detail["type"] == "greater_than"


@pytest.mark.parametrize("value", [0, -2])
async def test_zero_and_negative_amounts_read_the_same(till: Till, value: int) -> None:
    sku = await till.product()
    order = await till.order(till.line(sku))
    error = await till.error(
        "POST",
        f"/v1/orders/{order['orderId']}/payments",
        {"tenderType": "cash", "amount": value},
        400,
        "VALIDATION_ERROR",
    )
    assert error["details"] == [
        {"field": "amount", "message": "Input should be greater than 0", "type": "greater_than"}
    ]


def test_path_parameters_are_named_in_camel_case() -> None:
    # No path parameter is constrained today, so no request can show this one yet.
    assert field_path(("path", "order_id")) == "orderId"
    assert field_path(("body", "lineItems", 0, "discounts", 1, "value")) == (
        "lineItems[0].discounts[1].value"
    )
    assert field_path(("body",)) == "body"
    assert field_path(("body", 3, "sku")) == "[3].sku"
