"""Promotions in the order's pricing, to the cent, where tax applies: promotions come off each
line before tax, an order-wide amount is spread by largest remainder, and a refund gives back
exactly the discounted line with its tax."""

import httpx

from tests.support.sales import make_shop
from tests.support.tenants import TenantFixture


async def test_promotions_before_tax_to_the_cent(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    till = await make_shop(client, tenant, rate=9, open_shift=False)
    a = await till.product(name="A", price=10)
    b = await till.product(name="B", price=4)
    product_a = till.products[a]["productId"]
    await till.post(
        "/v1/promotions",
        {
            "name": "10 % off A",
            "kind": "percentage",
            "percent": 10,
            "scope": "product",
            "targetIds": [product_a],
            "priority": 2,
        },
    )
    coupon = await till.post(
        "/v1/promotions",
        {"name": "5 off", "kind": "fixed_amount", "amount": 5, "trigger": "coupon"},
    )
    await till.post(f"/v1/promotions/{coupon['promotionId']}/codes", {"code": "FIVE"})

    order = await till.order(till.line(a, 3), till.line(b), couponCodes=["FIVE"])
    line_a, line_b = order["lineItems"]
    # A: 30.00 − 3.00 (10 %) = 27.00; the 5.00 over 27.00 and 4.00 by largest remainder:
    # 4.35 and 0.65 (0.645… and 4.354…: the leftover cent goes to B's larger remainder).
    assert [(d["promotion"]["name"], d["amount"]) for d in line_a["discounts"]] == [
        ("10 % off A", 3),
        ("5 off", 4.35),
    ]
    assert [(d["promotion"]["code"], d["amount"]) for d in line_b["discounts"]] == [("FIVE", 0.65)]
    # Tax 9 % per line on the discounted nets 22.65 and 3.35: 2.04 (2.0385) and 0.30 (0.3015).
    assert (line_a["tax"], line_a["total"]) == (2.04, 24.69)
    assert (line_b["tax"], line_b["total"]) == (0.3, 3.65)
    totals = order["totals"]
    assert (totals["subtotal"], totals["discountTotal"], totals["taxTotal"]) == (34, 8, 2.34)
    assert totals["grandTotal"] == 28.34
    assert [(p["name"], p["code"], p["amount"]) for p in order["promotions"]] == [
        ("10 % off A", None, 3),
        ("5 off", "FIVE", 5),
    ]

    paid = await till.pay(order)
    assert paid["order"]["status"] == "completed"
    refund = await till.post(
        f"/v1/orders/{order['orderId']}/refunds",
        {"lineItems": [{"lineItemId": line_a["lineItemId"], "quantity": 3}], "reason": "r"},
    )
    assert (refund["amount"], refund["discount"], refund["tax"]) == (24.69, 7.35, 2.04)
