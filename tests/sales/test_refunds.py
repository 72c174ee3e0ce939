"""Refunds, voids and exchanges over HTTP: pro-rata amounts, stock, tenders, statuses, links."""

from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.support.sales import Till, make_shop
from tests.support.tenants import TenantFixture

Json = dict[str, Any]


@pytest.fixture
async def till(client: httpx.AsyncClient, tenant: TenantFixture) -> Till:
    return await make_shop(client, tenant)


def refund_body(order: Json, index: int, quantity: Any, restock: bool = True) -> Json:
    line = order["lineItems"][index]
    return {
        "lineItems": [{"lineItemId": line["lineItemId"], "quantity": quantity, "restock": restock}],
        "reason": "customer return",
    }


async def test_partial_refund_of_a_discounted_taxed_line_is_exact(till: Till) -> None:
    sku = await till.product("Glass", 9.99)
    await till.stock(sku, 10)
    # 3 × 9.99 = 29.97, 10 % off → 2.997 → 3.00 off, net 26.97, 9 % tax 2.4273 → 2.43.
    order = await till.sell(till.line(sku, 3, discounts=[{"type": "percentage", "value": 10}]))
    line = order["lineItems"][0]
    assert (line["subtotal"], line["discount"], line["tax"], line["total"]) == (
        29.97,
        3.0,
        2.43,
        29.4,
    )
    path = f"/v1/orders/{order['orderId']}/refunds"
    one = await till.post(path, refund_body(order, 0, 1))
    # a third of each stored value: net 8.99, discount 1.00, tax 0.81, total 9.80
    assert (one["subtotal"], one["discount"], one["tax"], one["amount"]) == (9.99, 1.0, 0.81, 9.8)
    assert one["tenders"][0]["tenderType"] == "credit_card"
    after = await till.get(f"/v1/orders/{order['orderId']}")
    assert after["status"] == "partially_refunded"
    assert after["lineItems"][0]["refundedQuantity"] == 1
    assert (await till.on_hand(sku))["onHand"] == 8

    two = await till.post(path, refund_body(order, 0, 1, restock=False))
    three = await till.post(path, refund_body(order, 0, 1))
    total = sum(Decimal(str(r["amount"])) for r in (one, two, three))
    assert total == Decimal(str(order["totals"]["paid"])) == Decimal("29.40")
    done = await till.get(f"/v1/orders/{order['orderId']}")
    assert (done["status"], done["totals"]["refunded"]) == ("refunded", 29.4)
    assert (await till.on_hand(sku))["onHand"] == 9  # one unit kept back (not restocked)
    await till.error("POST", path, refund_body(order, 0, 1), 409, "REFUND_NOT_ALLOWED")


async def test_refunding_everything_in_pieces_returns_exactly_what_was_paid(till: Till) -> None:
    a, b, c = [await till.product(f"P{i}", price) for i, price in enumerate((3.33, 7.77, 1.01))]
    order = await till.order(
        till.line(a, 3),
        till.line(b, 2, discounts=[{"type": "fixed", "value": 0.5}]),
        till.line(c, 7),
        discounts=[{"type": "percentage", "value": 12.5}],
        serviceCharges=[{"name": "Party", "type": "percentage", "value": 10, "taxable": True}],
        tip=2,
    )
    await till.pay(order, 20)
    cash = await till.post(
        f"/v1/orders/{order['orderId']}/payments",
        {"tenderType": "cash", "amount": 100},
    )
    order = cash["order"]
    assert order["status"] == "completed"
    path = f"/v1/orders/{order['orderId']}/refunds"
    pieces = [(0, 1), (2, 3), (1, 1), (0, 2), (2, 4), (1, 1)]
    refunds = [await till.post(path, refund_body(order, i, q)) for i, q in pieces]
    paid = Decimal(str(order["totals"]["paid"]))
    assert sum(Decimal(str(r["amount"])) for r in refunds) == paid
    assert refunds[-1]["other"] > 0  # the service charge and tip came back with the last piece
    tenders: dict[str, Decimal] = {}
    for refund in refunds:
        for tender in refund["tenders"]:
            tenders[tender["tenderType"]] = tenders.get(tender["tenderType"], Decimal(0)) + Decimal(
                str(tender["amount"])
            )
    assert tenders == {"cash": paid - 20, "credit_card": Decimal(20)}


async def test_refund_more_than_sold_is_refused_and_changes_nothing(till: Till) -> None:
    sku = await till.product("Bowl", 4)
    order = await till.sell(till.line(sku, 2))
    path = f"/v1/orders/{order['orderId']}/refunds"
    await till.error("POST", path, refund_body(order, 0, 3), 400, "REFUND_EXCEEDS_REMAINING")
    body = refund_body(order, 0, 1)
    body["lineItems"][0]["lineItemId"] = "li_01JD0000000000000000000000"
    await till.error("POST", path, body, 400, "VALIDATION_ERROR")
    assert await till.get(f"/v1/orders/{order['orderId']}") == order


async def test_refund_to_another_tender_and_cash_needs_an_open_shift(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    till = await make_shop(client, tenant, open_shift=False)
    sku = await till.product("Vase", 10)
    order = await till.sell(till.line(sku))
    path = f"/v1/orders/{order['orderId']}/refunds"
    body = {**refund_body(order, 0, 1), "tenders": [{"tenderType": "cash", "amount": 10.9}]}
    await till.error("POST", path, body, 409, "SHIFT_NOT_OPEN")
    await till.open_shift()
    refund = await till.post(path, body)
    assert refund["tenders"][0]["tenderType"] == "cash"
    assert refund["shiftId"] is not None


async def test_void_open_and_completed_orders(till: Till) -> None:
    sku = await till.product("Clock", 15)
    await till.stock(sku, 5)
    parked = await till.order(till.line(sku, 2))
    assert (await till.on_hand(sku))["reserved"] == 2
    voided = await till.post(
        f"/v1/orders/{parked['orderId']}/void", {"reason": "customer left"}, status=200
    )
    assert (voided["status"], voided["voidReason"]) == ("voided", "customer left")
    assert (await till.on_hand(sku))["reserved"] == 0

    sold = await till.sell(till.line(sku, 1))
    assert (await till.on_hand(sku))["onHand"] == 4
    undone = await till.post(f"/v1/orders/{sold['orderId']}/void", {"reason": "mistake"}, 200)
    assert undone["status"] == "voided"
    assert [p["status"] for p in undone["payments"]] == ["voided"]
    assert undone["receiptNumber"] == sold["receiptNumber"]
    assert (await till.on_hand(sku))["onHand"] == 5

    refunded = await till.sell(till.line(sku, 2))
    await till.post(f"/v1/orders/{refunded['orderId']}/refunds", refund_body(refunded, 0, 1))
    await till.error(
        "POST", f"/v1/orders/{refunded['orderId']}/void", {"reason": "x"}, 409, "VOID_NOT_ALLOWED"
    )


async def test_exchange_links_both_ways_and_settles_the_difference(till: Till) -> None:
    small = await till.product("Shirt S", 20)
    large = await till.product("Shirt L Deluxe", 30)
    await till.stock(small, 3)
    await till.stock(large, 3)
    order = await till.sell(till.line(small))  # 21.80
    body = {
        "returned": [{"lineItemId": order["lineItems"][0]["lineItemId"], "quantity": 1}],
        "newLineItems": [till.line(large)],
        "reason": "wrong size",
        "payments": [
            {"tenderType": "credit_card", "amount": 10.9, "cardLast4": "1111", "processorRef": "x"}
        ],
    }
    swapped = await till.post(f"/v1/orders/{order['orderId']}/exchanges", body)
    refund, new = swapped["refund"], swapped["order"]
    assert refund["amount"] == 21.8
    assert refund["exchangeOrderId"] == new["orderId"]
    assert new["exchangeRefundId"] == refund["refundId"]
    assert new["status"] == "completed"
    assert [(p["tenderType"], p["amount"]) for p in new["payments"]] == [
        ("exchange_credit", 21.8),
        ("credit_card", 10.9),
    ]
    original = await till.get(f"/v1/orders/{order['orderId']}")
    assert (original["status"], original["exchangeOrderId"]) == ("refunded", new["orderId"])
    assert (await till.on_hand(small))["onHand"] == 3
    assert (await till.on_hand(large))["onHand"] == 2


async def test_exchange_for_cheaper_goods_refunds_the_rest(till: Till) -> None:
    dear = await till.product("Coat", 50)
    cheap = await till.product("Gloves", 10)
    order = await till.sell(till.line(dear))  # 54.50
    body = {
        "returned": [{"lineItemId": order["lineItems"][0]["lineItemId"], "quantity": 1}],
        "newLineItems": [till.line(cheap)],
        "reason": "changed mind",
    }
    swapped = await till.post(f"/v1/orders/{order['orderId']}/exchanges", body)
    tenders = {t["tenderType"]: t["amount"] for t in swapped["refund"]["tenders"]}
    assert tenders == {"exchange_credit": 10.9, "credit_card": 43.6}
    assert swapped["order"]["status"] == "completed"
