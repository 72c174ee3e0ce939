"""A promotion's uses: counted when the order completes (one self-checking UPDATE, so parallel
checkouts never exceed the limit), given back when it is voided or fully refunded; and the
promotions of an open order following its edits."""

import asyncio
from collections import Counter
from typing import Any

import httpx
import pytest

from tests.promotions.conftest import Promos
from tests.support.sales import Till
from tests.support.tenants import TenantFixture

Json = dict[str, Any]


async def uses(till: Till, promotion: Json) -> tuple[int, list[int]]:
    pid = promotion["promotionId"]
    codes = await till.get(f"/v1/promotions/{pid}/codes")
    return (await till.get(f"/v1/promotions/{pid}"))["uses"], [c["uses"] for c in codes["items"]]


async def test_a_use_counts_on_completion_and_comes_back_on_void(
    promos: Promos, till: Till
) -> None:
    sku = await till.product(price=10)
    promotion = await promos.coupon("ONE", maxUses=1)
    order = await till.order(till.line(sku), couponCodes=["one"])
    assert order["couponCodes"] == ["ONE"]
    assert order["totals"]["grandTotal"] == 9
    [promoted] = order["promotions"]
    assert (promoted["code"], promoted["amount"]) == ("ONE", 1)
    assert await uses(till, promotion) == (0, [0])  # an open order has not used it yet
    paid = await till.pay(order)
    assert paid["order"]["status"] == "completed"
    assert await uses(till, promotion) == (1, [1])
    await till.error(
        "POST",
        "/v1/orders",
        {"locationId": till.location_id, "lineItems": [till.line(sku)], "couponCodes": ["ONE"]},
        400,
        "DISCOUNT_MAX_USAGES_REACHED_LIMIT",
    )
    await till.post(f"/v1/orders/{order['orderId']}/void", {"reason": "wrong"}, 200)
    assert await uses(till, promotion) == (0, [0])
    await till.sell(till.line(sku), couponCodes=["ONE"])
    assert await uses(till, promotion) == (1, [1])


async def test_a_full_refund_gives_the_use_back_and_a_partial_one_does_not(
    promos: Promos, till: Till
) -> None:
    sku = await till.product(price=10)
    promotion = await promos.coupon("TWICE", maxUses=5)
    sold = await till.sell(till.line(sku, 3), couponCodes=["TWICE"])
    assert sold["totals"]["grandTotal"] == 27
    [line] = sold["lineItems"]
    path = f"/v1/orders/{sold['orderId']}/refunds"
    first = await till.post(
        path, {"lineItems": [{"lineItemId": line["lineItemId"], "quantity": 1}], "reason": "r"}
    )
    assert first["amount"] == 9  # its share of the discounted line, exactly
    assert await uses(till, promotion) == (1, [1])
    rest = await till.post(
        path, {"lineItems": [{"lineItemId": line["lineItemId"], "quantity": 2}], "reason": "r"}
    )
    assert rest["amount"] == 18
    assert await uses(till, promotion) == (0, [0])


async def test_the_last_use_taken_meanwhile_refuses_the_payment(promos: Promos, till: Till) -> None:
    sku = await till.product(price=10)
    promotion = await promos.coupon("LAST", maxUses=1, maxUsesPerCustomer=1)
    customer = (await till.post("/v1/customers", {"firstName": "Last"}))["customerId"]
    first = await till.order(till.line(sku), couponCodes=["LAST"], customerId=customer)
    second = await till.order(till.line(sku), couponCodes=["LAST"], customerId=customer)
    await till.pay(first)
    refused = await till.pay(second, status=400)
    assert refused["error"]["code"] == "DISCOUNT_MAX_USAGES_REACHED_LIMIT"
    still = await till.get(f"/v1/orders/{second['orderId']}")
    assert (still["status"], still["payments"], still["version"]) == ("open", [], second["version"])
    assert await uses(till, promotion) == (1, [1])
    # Without the code the order is paid at its full price.
    changed = await till.call(
        "PATCH", f"/v1/orders/{second['orderId']}", {"couponCodes": [], "version": still["version"]}
    )
    assert (changed["totals"]["grandTotal"], changed["promotions"]) == (10, [])
    assert (await till.pay(changed))["order"]["status"] == "completed"


async def test_a_first_order_promotion_is_checked_again_when_the_order_completes(
    promos: Promos, till: Till
) -> None:
    """Two open orders of a new customer both get the welcome offer; whichever completes
    first used it, and the other's payment is refused until it is repriced."""
    sku = await till.product(price=10)
    promotion = await promos.create(trigger="automatic", firstOrderOnly=True)
    customer = (await till.post("/v1/customers", {"firstName": "New"}))["customerId"]
    first = await till.order(till.line(sku), customerId=customer)
    second = await till.order(till.line(sku), customerId=customer)
    assert [o["totals"]["grandTotal"] for o in (first, second)] == [9, 9]
    await till.pay(second)
    refused = await till.pay(first, status=400)
    assert refused["error"]["code"] == "DISCOUNT_ONLY_ALLOW_FIRST_ORDER"
    still = await till.get(f"/v1/orders/{first['orderId']}")
    assert (still["status"], still["payments"]) == ("open", [])
    assert (await till.get(f"/v1/promotions/{promotion['promotionId']}"))["uses"] == 1
    # Any change reprices the open order: the offer is gone and it is paid in full.
    path = f"/v1/orders/{first['orderId']}"
    changed = await till.call("PATCH", path, {"notes": "repriced", "version": still["version"]})
    assert (changed["totals"]["grandTotal"], changed["promotions"]) == (10, [])
    assert (await till.pay(changed))["order"]["status"] == "completed"


async def test_open_order_edits_reapply_promotions(promos: Promos, till: Till) -> None:
    sku = await till.product(price=10)
    await promos.create(name="Spend 20 save 2", kind="fixed_amount", amount=2, minCartAmount=20)
    await promos.coupon("TENOFF", minCartAmount=20)
    order = await till.order(till.line(sku))
    assert order["promotions"] == []
    await till.error(
        "PATCH",
        f"/v1/orders/{order['orderId']}",
        {"couponCodes": ["TENOFF"]},
        400,
        "DISCOUNT_MIN_CART_AMOUNT_INSUFFICIENT",
    )
    added = await till.post(f"/v1/orders/{order['orderId']}/line-items", till.line(sku))
    assert added["version"] == order["version"] + 1
    assert [p["name"] for p in added["promotions"]] == ["Spend 20 save 2"]
    assert added["totals"]["grandTotal"] == 18
    coupon = await till.call("PATCH", f"/v1/orders/{order['orderId']}", {"couponCodes": ["tenoff"]})
    assert [p["code"] for p in coupon["promotions"]] == [None, "TENOFF"]
    assert coupon["totals"]["grandTotal"] == 16.2  # 2.00 off 20.00, then 10 % off 18.00
    # Removing a line leaves the order below both minimums: the coupon stays, idle.
    line_id = coupon["lineItems"][1]["lineItemId"]
    removed = await till.call("DELETE", f"/v1/orders/{order['orderId']}/line-items/{line_id}")
    assert (removed["couponCodes"], removed["promotions"]) == (["TENOFF"], [])
    assert removed["totals"]["grandTotal"] == 10
    assert all(d["promotion"] is None for d in removed["lineItems"][0]["discounts"])
    await till.error(
        "PATCH",
        f"/v1/orders/{order['orderId']}",
        {"couponCodes": ["NOPE"]},
        404,
        "COUPON_NOT_FOUND",
    )
    assert (await till.get(f"/v1/orders/{order['orderId']}"))["couponCodes"] == ["TENOFF"]


async def test_promotions_need_no_manager_approval(
    promos: Promos, till: Till, client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    sku = await till.product(price=10)
    await promos.create(name="Half price", percent=50)
    response = await client.post(
        "/v1/api-keys",
        json={"name": "till", "scopes": ["orders:write", "orders:read", "catalog:read"]},
        headers=tenant.headers,
    )
    cashier = {"Authorization": f"Bearer {response.json()['key']}"}
    body = {"locationId": till.location_id, "lineItems": [till.line(sku)]}
    created = await client.post("/v1/orders", json=body, headers=cashier)
    assert created.status_code == 201, created.text
    assert created.json()["totals"]["grandTotal"] == 5
    manual = {
        **body,
        "lineItems": [till.line(sku, discounts=[{"type": "percentage", "value": 50}])],
    }
    refused = await client.post("/v1/orders", json=manual, headers=cashier)
    assert refused.json()["error"]["code"] == "DISCOUNT_APPROVAL_REQUIRED"


@pytest.fixture
def postgres_only(dialect: str) -> None:
    if dialect == "sqlite":
        pytest.skip("SQLite serialises writers; the race is PostgreSQL's")


@pytest.mark.usefixtures("postgres_only")
async def test_twenty_parallel_checkouts_of_a_five_use_coupon(promos: Promos, till: Till) -> None:
    sku = await till.product(price=10)
    promotion = await promos.coupon("FIVE", maxUses=5)
    body = {"locationId": till.location_id, "lineItems": [till.line(sku)], "couponCodes": ["FIVE"]}

    # Twenty registers ring it up (no use is counted before an order completes) …
    created = await asyncio.gather(
        *(till.client.post("/v1/orders", json=body, headers=till.auth) for _ in range(20))
    )
    assert [r.status_code for r in created] == [201] * 20
    orders = [r.json() for r in created]
    assert all(o["totals"]["grandTotal"] == 9 for o in orders)

    # … and all pay at once: exactly five complete.
    async def pay(order: Json) -> str:
        payment = {"tenderType": "credit_card", "amount": order["totals"]["balanceDue"]}
        paid = await till.client.post(
            f"/v1/orders/{order['orderId']}/payments", json=payment, headers=till.auth
        )
        return "completed" if paid.status_code == 201 else str(paid.json()["error"]["code"])

    outcomes = Counter(await asyncio.gather(*(pay(order) for order in orders)))
    assert outcomes == {"completed": 5, "DISCOUNT_MAX_USAGES_REACHED_LIMIT": 15}
    assert await uses(till, promotion) == (5, [5])
    completed = await till.get("/v1/orders", status="completed", locationId=till.location_id)
    assert completed["total"] == 5
    assert all(o["totals"]["grandTotal"] == 9 for o in completed["items"])
