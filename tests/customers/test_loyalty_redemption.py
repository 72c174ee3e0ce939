"""Redeeming points at checkout over HTTP: an order discount before tax, the points taken at
once and given back when removed, voided or refunded (pro rata); refusals change nothing; and
on PostgreSQL two registers redeeming the same points at once never go below zero."""

import asyncio
from typing import Any

import httpx
import pytest

from tests.customers.test_loyalty import new_customer, points, refund
from tests.support.sales import Till, make_shop
from tests.support.tenants import TenantFixture

Json = dict[str, Any]
# 100 points a dollar of value: 1 point = 0.01; at least 100 points a redemption.
PROGRAM = {"pointsPerUnit": 1, "pointValue": 0.01, "minimumRedemption": 100}


@pytest.fixture
async def till(client: httpx.AsyncClient, tenant: TenantFixture) -> Till:
    shop = await make_shop(client, tenant)
    await shop.call("PUT", "/v1/loyalty/program", PROGRAM)
    return shop


async def member(till: Till, balance: int) -> str:
    customer = await new_customer(till)
    await till.post(
        f"/v1/customers/{customer}/loyalty/adjustments", {"points": balance, "reason": "start"}
    )
    return customer


def redemption(order: Json) -> str:
    return f"/v1/orders/{order['orderId']}/loyalty-redemption"


async def test_points_pay_an_order_discount_before_tax_and_the_rest_earns(till: Till) -> None:
    customer = await member(till, 1000)
    sku = await till.product("Mug", 12.75)
    order = await till.order(till.line(sku, 2), customerId=customer)  # 25.50 + 9 % tax
    redeemed = await till.call("POST", redemption(order), {"points": 500})
    assert redeemed["totals"]["discountTotal"] == 5.0
    # 20.50 net after the 5.00 the points pay; 9 % tax on it is 1.845 → 1.85.
    assert (redeemed["totals"]["taxTotal"], redeemed["totals"]["grandTotal"]) == (1.85, 22.35)
    assert redeemed["discounts"][0]["reason"] == "Loyalty: 500 points"
    assert (await points(till, customer))["balance"] == 500  # taken at once
    paid = await till.pay(redeemed)
    assert paid["order"]["status"] == "completed"
    account = await points(till, customer)
    assert account["balance"] == 520  # 20 earned on the 20.50 paid
    assert [e["type"] for e in account["entries"]["items"][:2]] == ["earned", "redeemed"]


async def test_refusals_change_nothing(till: Till) -> None:
    customer = await member(till, 300)
    sku = await till.product("Cup", 2)
    order = await till.order(till.line(sku), customerId=customer)
    path = redemption(order)
    await till.error("POST", path, {"points": 99}, 400, "LOYALTY_BELOW_MINIMUM")
    await till.error("POST", path, {"points": 301}, 409, "LOYALTY_INSUFFICIENT_POINTS")
    # 250 points are worth 2.50, more than the 2.00 order.
    await till.error("POST", path, {"points": 250}, 400, "VALIDATION_ERROR")
    anonymous = await till.order(till.line(sku))
    await till.error("POST", redemption(anonymous), {"points": 100}, 400, "VALIDATION_ERROR")
    await till.error("DELETE", path, None, 409, "CONFLICT")
    assert (await points(till, customer))["balance"] == 300
    assert (await till.get(f"/v1/orders/{order['orderId']}"))["totals"]["discountTotal"] == 0


async def test_removing_replacing_discounts_and_changing_the_customer(till: Till) -> None:
    customer, other = await member(till, 400), await new_customer(till)
    sku = await till.product("Lamp", 30)
    order = await till.order(till.line(sku), customerId=customer)
    await till.call("POST", redemption(order), {"points": 200})
    await till.error("POST", redemption(order), {"points": 100}, 409, "CONFLICT")
    path = f"/v1/orders/{order['orderId']}"
    # Replacing the order's discounts keeps the points'; changing the customer is refused.
    changed = await till.call(
        "PATCH", path, {"discounts": [{"type": "fixed", "value": 1, "reason": "scratch"}]}
    )
    assert changed["totals"]["discountTotal"] == 3.0
    await till.error("PATCH", path, {"customerId": other}, 409, "CONFLICT")
    removed = await till.call("DELETE", redemption(order))
    assert removed["totals"]["discountTotal"] == 1.0
    assert (await points(till, customer))["balance"] == 400


async def test_a_void_returns_what_was_redeemed_and_takes_back_what_was_earned(
    till: Till,
) -> None:
    customer = await member(till, 500)
    sku = await till.product("Chair", 40)
    order = await till.order(till.line(sku), customerId=customer)
    await till.pay(await till.call("POST", redemption(order), {"points": 500}))
    assert (await points(till, customer))["balance"] == 35  # 0 + 35 earned on 35.00
    await till.post(f"/v1/orders/{order['orderId']}/void", {"reason": "mistake"}, status=200)
    account = await points(till, customer)
    assert account["balance"] == 500
    assert sum(e["points"] for e in account["entries"]["items"]) == 500


async def test_a_refund_returns_the_refunded_share_of_the_points(till: Till) -> None:
    customer = await member(till, 1000)
    sku = await till.product("Plate", 10)
    order = await till.order(till.line(sku, 4), customerId=customer)
    paid = await till.pay(await till.call("POST", redemption(order), {"points": 1000}))
    done = paid["order"]  # 40.00 - 10.00 = 30.00 net: 30 points earned
    assert (await points(till, customer))["balance"] == 30
    path = f"/v1/orders/{done['orderId']}/refunds"
    await till.post(path, refund(done, 1))  # a quarter: 250 points back, 8 of 30 taken back
    assert (await points(till, customer))["balance"] == 30 + 250 - 8
    await till.post(path, refund(done, 3))  # the rest
    account = await points(till, customer)
    assert account["balance"] == 1000
    assert sum(e["points"] for e in account["entries"]["items"]) == 1000


async def test_two_registers_redeeming_the_same_points_never_go_below_zero(
    till: Till, dialect: str
) -> None:
    if dialect != "postgresql":
        pytest.skip("real parallel connections: PostgreSQL")
    customer = await member(till, 600)
    sku = await till.product("Rug", 50)
    orders = [await till.order(till.line(sku), customerId=customer) for _ in range(2)]
    replies = await asyncio.gather(
        *(till.client.post(redemption(o), json={"points": 500}, headers=till.auth) for o in orders)
    )
    assert sorted(r.status_code for r in replies) == [200, 409]
    assert (await points(till, customer))["balance"] == 100
