"""Where a location allows no negative stock, an order reserves only what is available.

Creating an order, adding a line or raising a line's quantity beyond ``available`` is refused
with 409 INSUFFICIENT_STOCK naming the short lines, and nothing changes; so the payment of an
order whose stock is reserved cannot then fail for stock (the card is charged before it).
"""

import asyncio
from collections import Counter
from typing import Any

import httpx
import pytest

from tests.support.sales import Till, make_shop
from tests.support.tenants import TenantFixture

Json = dict[str, Any]


@pytest.fixture
async def strict(client: httpx.AsyncClient, tenant: TenantFixture) -> Till:
    return await make_shop(client, tenant, allow_negative_stock=False)


@pytest.fixture
async def lenient(client: httpx.AsyncClient, tenant: TenantFixture) -> Till:
    return await make_shop(client, tenant)


async def level(till: Till, sku: str) -> tuple[Any, Any, Any]:
    found = await till.on_hand(sku)
    return found["onHand"], found["reserved"], found["available"]


async def orders_at(till: Till) -> int:
    listed = await till.get("/v1/orders", locationId=till.location_id)
    return int(listed["total"])


async def short_detail(till: Till, sku: str, field: str, requested: Any, available: Any) -> Json:
    return {
        "field": field,
        "sku": sku,
        "variantId": (await till.on_hand(sku))["variantId"],
        "locationId": till.location_id,
        "requested": requested,
        "available": available,
    }


def without_message(details: list[Json]) -> list[Json]:
    assert all(d["message"] for d in details)
    return [{k: v for k, v in d.items() if k != "message"} for d in details]


async def test_an_order_beyond_available_is_refused_naming_the_short_lines(strict: Till) -> None:
    plenty, scarce, gone = [await strict.product(n) for n in ("Plenty", "Scarce", "Gone")]
    await strict.stock(plenty, 20)
    await strict.stock(scarce, 5)
    await strict.stock(gone, 1)
    await strict.stock(gone, -1)  # sold out
    body = {
        "locationId": strict.location_id,
        "registerId": strict.register_id,
        "lineItems": [strict.line(gone, 1), strict.line(plenty, 3), strict.line(scarce, 7)],
    }

    error = await strict.error("POST", "/v1/orders", body, 409, "INSUFFICIENT_STOCK")

    assert without_message(error["details"]) == [
        await short_detail(strict, gone, "lineItems[0].quantity", 1, 0),
        await short_detail(strict, scarce, "lineItems[2].quantity", 7, 5),
    ]
    assert await level(strict, plenty) == (20, 0, 20)  # nothing changed
    assert await level(strict, scarce) == (5, 0, 5)
    assert await orders_at(strict) == 0


async def test_lines_of_one_item_are_reserved_together(strict: Till) -> None:
    sku = await strict.product("Pair")
    await strict.stock(sku, 5)
    body = {
        "locationId": strict.location_id,
        "lineItems": [strict.line(sku, 3), strict.line(sku, 3)],
    }
    error = await strict.error("POST", "/v1/orders", body, 409, "INSUFFICIENT_STOCK")
    assert without_message(error["details"]) == [
        await short_detail(strict, sku, "lineItems[0].quantity", 6, 5)
    ]
    assert await level(strict, sku) == (5, 0, 5)


async def test_exactly_what_is_available_is_reserved_and_then_paid(strict: Till) -> None:
    sku = await strict.product("Exact")
    await strict.stock(sku, 5)
    order = await strict.order(strict.line(sku, 5))
    assert await level(strict, sku) == (5, 5, 0)
    await strict.order(strict.line(sku, 1), status=409)
    paid = await strict.pay(order)
    assert paid["order"]["status"] == "completed"
    assert await level(strict, sku) == (0, 0, 0)


async def test_adding_a_line_beyond_available_changes_nothing(strict: Till) -> None:
    sku = await strict.product("Add")
    await strict.stock(sku, 5)
    order = await strict.order(strict.line(sku, 4))
    path = f"/v1/orders/{order['orderId']}/line-items"

    error = await strict.error("POST", path, strict.line(sku, 2), 409, "INSUFFICIENT_STOCK")

    assert without_message(error["details"]) == [await short_detail(strict, sku, "quantity", 2, 1)]
    after = await strict.get(f"/v1/orders/{order['orderId']}")
    assert (after["version"], len(after["lineItems"])) == (order["version"], 1)
    assert await level(strict, sku) == (5, 4, 1)
    added = await strict.post(path, strict.line(sku, 1))
    assert len(added["lineItems"]) == 2
    assert await level(strict, sku) == (5, 5, 0)


async def test_raising_a_line_beyond_available_changes_nothing(strict: Till) -> None:
    sku = await strict.product("Raise")
    await strict.stock(sku, 5)
    order = await strict.order(strict.line(sku, 2))
    line_id = order["lineItems"][0]["lineItemId"]
    path = f"/v1/orders/{order['orderId']}/line-items/{line_id}"

    error = await strict.error("PATCH", path, {"quantity": 6}, 409, "INSUFFICIENT_STOCK")

    assert without_message(error["details"]) == [await short_detail(strict, sku, "quantity", 4, 3)]
    after = await strict.get(f"/v1/orders/{order['orderId']}")
    assert (after["version"], after["lineItems"][0]["quantity"]) == (order["version"], 2)
    assert await level(strict, sku) == (5, 2, 3)
    raised = await strict.call("PATCH", path, {"quantity": 5})
    assert raised["lineItems"][0]["quantity"] == 5
    lowered = await strict.call("PATCH", path, {"quantity": 1})
    assert lowered["lineItems"][0]["quantity"] == 1
    assert await level(strict, sku) == (5, 1, 4)


async def test_where_negative_stock_is_allowed_the_register_may_reserve_past_it(
    lenient: Till,
) -> None:
    sku = await lenient.product("Lenient")
    await lenient.stock(sku, 5)
    await lenient.sell(lenient.line(sku, 7))
    assert await level(lenient, sku) == (-2, 0, -2)


async def test_sixteen_parallel_orders_for_five_units(strict: Till) -> None:
    """Every create races for the same level: exactly the five that fit are reserved."""
    sku = await strict.product("Race")
    await strict.stock(sku, 5)
    body = {"locationId": strict.location_id, "lineItems": [strict.line(sku, 1)]}

    async def create() -> httpx.Response:
        return await strict.client.post("/v1/orders", json=body, headers=strict.auth)

    created = await asyncio.gather(*(create() for _ in range(16)))

    assert Counter(r.status_code for r in created) == {201: 5, 409: 11}
    for refused in (r.json()["error"] for r in created if r.status_code == 409):
        assert refused["code"] == "INSUFFICIENT_STOCK"
        assert [(d["sku"], d["available"]) for d in refused["details"]] == [(sku, 0)]
    assert await level(strict, sku) == (5, 5, 0)
    assert await orders_at(strict) == 5
    for response in created:
        if response.status_code == 201:
            await strict.pay(response.json())  # reserved: cannot fail for stock
    assert await level(strict, sku) == (0, 0, 0)
    movements = await strict.get(
        "/v1/inventory/movements", locationId=strict.location_id, sku=sku, pageSize=200
    )
    assert sorted(m["delta"] for m in movements["items"]) == [-1] * 5 + [5]


async def test_an_exchange_of_the_last_unit_for_the_same_item_works(strict: Till) -> None:
    shirt = await strict.product("Shirt", 20)
    await strict.stock(shirt, 1)
    order = await strict.sell(strict.line(shirt))
    assert await level(strict, shirt) == (0, 0, 0)
    body = {
        "returned": [{"lineItemId": order["lineItems"][0]["lineItemId"], "quantity": 1}],
        "newLineItems": [strict.line(shirt)],
        "reason": "defective, same again",
    }

    swapped = await strict.post(f"/v1/orders/{order['orderId']}/exchanges", body)

    assert swapped["order"]["status"] == "completed"  # the returned unit went back first
    assert await level(strict, shirt) == (0, 0, 0)


async def test_an_exchange_beyond_available_is_refused_naming_its_new_lines(strict: Till) -> None:
    shirt, coat = await strict.product("Shirt", 20), await strict.product("Coat", 50)
    await strict.stock(shirt, 1)
    await strict.stock(coat, 1)
    order = await strict.sell(strict.line(shirt))
    body = {
        "returned": [{"lineItemId": order["lineItems"][0]["lineItemId"], "quantity": 1}],
        "newLineItems": [strict.line(coat, 2)],
        "reason": "wants two coats",
    }

    error = await strict.error(
        "POST", f"/v1/orders/{order['orderId']}/exchanges", body, 409, "INSUFFICIENT_STOCK"
    )

    assert without_message(error["details"]) == [
        await short_detail(strict, coat, "newLineItems[0].quantity", 2, 1)
    ]
    assert await level(strict, shirt) == (0, 0, 0)  # the refund rolled back with it
    assert await level(strict, coat) == (1, 0, 1)
    assert (await strict.get(f"/v1/orders/{order['orderId']}"))["status"] == "completed"


async def test_short_lines_are_named_in_the_order_of_the_request(strict: Till) -> None:
    skus = [await strict.product(f"Item {i}") for i in range(11)]
    for i, sku in enumerate(skus):
        if i not in (2, 10):  # those two have none
            await strict.stock(sku, 3)
    body = {"locationId": strict.location_id, "lineItems": [strict.line(sku) for sku in skus]}

    error = await strict.error("POST", "/v1/orders", body, 409, "INSUFFICIENT_STOCK")

    # lineItems[2] before lineItems[10], as sent (not as text, where "[10]" sorts first)
    assert [d["field"] for d in error["details"]] == [
        "lineItems[2].quantity",
        "lineItems[10].quantity",
    ]
