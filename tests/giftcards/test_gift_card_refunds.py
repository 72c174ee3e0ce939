"""Refunds and voids of orders paid partly by gift card: each tender gets its share back,
exact to the cent; a sold card refunded or voided loses what it loaded; shift reports show
the gift card tender."""

from decimal import Decimal
from typing import Any

from tests.support.stored_value import GiftShop


def cents(value: Any) -> int:
    return int(Decimal(str(value)) * 100)


async def test_a_refund_returns_each_tenders_share_exact_to_the_cent(shop: GiftShop) -> None:
    till = shop.till
    await shop.sell_card(100, code="REFUND-CARD-001")
    # Three mugs: 30.00 + 9 % = 32.70, paid 10.01 by gift card and 22.69 by card.
    order = await till.order(till.line(shop.goods_sku, 3))
    paid = await shop.pay_with_card(order, 10.01, "REFUND-CARD-001")
    done = await till.pay(paid["order"])
    assert done["order"]["status"] == "completed"
    line_id = done["order"]["lineItems"][0]["lineItemId"]
    balance_before = (await shop.lookup("REFUND-CARD-001"))["balance"]

    returned = {"gift_card": 0, "credit_card": 0}
    for _ in range(3):  # one mug at a time: every piece split pro rata
        refund = await till.post(
            f"/v1/orders/{order['orderId']}/refunds",
            {"lineItems": [{"lineItemId": line_id, "quantity": 1}], "reason": "returned"},
        )
        parts = {t["tenderType"]: cents(t["amount"]) for t in refund["tenders"]}
        assert sum(parts.values()) == cents(refund["amount"])
        assert set(parts) == {"gift_card", "credit_card"}
        for tender, amount in parts.items():
            returned[tender] += amount
        gift = next(t for t in refund["tenders"] if t["tenderType"] == "gift_card")
        assert gift["giftCardId"] == paid["payment"]["giftCardId"]
    # All of it back: each tender exactly what it paid.
    assert returned == {"gift_card": 1001, "credit_card": 2269}
    after = await shop.lookup("REFUND-CARD-001")
    assert cents(after["balance"]) - cents(balance_before) == 1001
    final = await till.get(f"/v1/orders/{order['orderId']}")
    assert final["status"] == "refunded"
    assert [cents(p["refunded"]) for p in final["payments"]] == [1001, 2269]


async def test_a_refund_can_send_money_to_a_gift_card_payment_by_id(shop: GiftShop) -> None:
    till = shop.till
    await shop.sell_card(50, code="NAMED-CARD-0001")
    order = await till.order(till.line(shop.goods_sku))  # 10.90
    paid = await shop.pay_with_card(order, 5, "NAMED-CARD-0001")
    await till.pay(paid["order"])
    line_id = paid["order"]["lineItems"][0]["lineItemId"]
    body = {
        "lineItems": [{"lineItemId": line_id, "quantity": 1}],
        "reason": "returned",
        "tenders": [{"tenderType": "gift_card", "amount": 10.90}],
    }
    error = await till.error(
        "POST", f"/v1/orders/{order['orderId']}/refunds", body, 400, "VALIDATION_ERROR"
    )
    assert error["details"][0]["field"] == "tenders[0].paymentId"
    body["tenders"] = [
        {"tenderType": "gift_card", "amount": 5, "paymentId": paid["payment"]["paymentId"]},
        {"tenderType": "cash", "amount": 5.90},
    ]
    refund = await till.post(f"/v1/orders/{order['orderId']}/refunds", body)
    assert [t["tenderType"] for t in refund["tenders"]] == ["gift_card", "cash"]
    assert (await shop.lookup("NAMED-CARD-0001"))["balance"] == 50


async def test_a_void_gives_the_card_back_its_payment(shop: GiftShop) -> None:
    till = shop.till
    await shop.sell_card(20, code="VOID-CARD-00001")
    order = await till.order(till.line(shop.goods_sku))
    await shop.pay_with_card(order, 4, "VOID-CARD-00001")
    assert (await shop.lookup("VOID-CARD-00001"))["balance"] == 16
    await till.post(f"/v1/orders/{order['orderId']}/void", {"reason": "customer left"}, 200)
    assert (await shop.lookup("VOID-CARD-00001"))["balance"] == 20


async def test_refunding_or_voiding_a_sold_card_takes_its_value_back(shop: GiftShop) -> None:
    till = shop.till
    sold = await shop.sell_card(30, code="SOLD-CARD-00001")
    line_id = sold["lineItems"][0]["lineItemId"]
    await till.post(
        f"/v1/orders/{sold['orderId']}/refunds",
        {"lineItems": [{"lineItemId": line_id, "quantity": 1}], "reason": "changed mind"},
    )
    assert (await shop.lookup("SOLD-CARD-00001"))["balance"] == 0

    spent = await shop.sell_card(30, code="SPENT-CARD-0001")
    order = await till.order(till.line(shop.goods_sku))
    await shop.pay_with_card(order, 10.90, "SPENT-CARD-0001")
    await till.error(
        "POST",
        f"/v1/orders/{spent['orderId']}/void",
        {"reason": "mistake"},
        409,
        "GIFT_CARD_INSUFFICIENT_BALANCE",
    )
    voided = await shop.sell_card(15, code="VOIDED-CARD-001")
    await till.post(f"/v1/orders/{voided['orderId']}/void", {"reason": "mistake"}, 200)
    looked = await shop.lookup("VOIDED-CARD-001")
    assert (looked["status"], looked["balance"]) == ("inactive", 0)


async def test_a_sold_card_taken_back_whole_is_inactive_and_sells_again(shop: GiftShop) -> None:
    till = shop.till
    sold = await shop.sell_card(30, code="BACK-CARD-00001")
    line_id = sold["lineItems"][0]["lineItemId"]
    await till.post(
        f"/v1/orders/{sold['orderId']}/refunds",
        {"lineItems": [{"lineItemId": line_id, "quantity": 1}], "reason": "changed mind"},
    )
    card = await shop.card(sold)
    assert (card["status"], card["balance"], card["orderId"]) == ("inactive", 0, None)
    order = await till.order(till.line(shop.goods_sku))
    await shop.pay_with_card(order, 1, "BACK-CARD-00001", status=409)
    again = await shop.sell_card(12, code="BACK-CARD-00001")
    card = await shop.card(again)
    assert (card["status"], card["balance"], card["orderId"]) == ("active", 12, again["orderId"])

    # A card someone reloaded keeps its status when the reload's sale is voided.
    reload = await shop.sell_card(8, code="BACK-CARD-00001")
    await till.post(f"/v1/orders/{reload['orderId']}/void", {"reason": "mistake"}, 200)
    looked = await shop.lookup("BACK-CARD-00001")
    assert (looked["status"], looked["balance"]) == ("active", 12)


async def test_the_shift_report_shows_gift_card_payments_and_refunds(shop: GiftShop) -> None:
    till = shop.till
    await shop.sell_card(40, code="SHIFT-CARD-0001")
    order = await till.order(till.line(shop.goods_sku))
    paid = await shop.pay_with_card(order, 10.90, "SHIFT-CARD-0001")
    line_id = paid["order"]["lineItems"][0]["lineItemId"]
    await till.post(
        f"/v1/orders/{order['orderId']}/refunds",
        {"lineItems": [{"lineItemId": line_id, "quantity": 1}], "reason": "returned"},
    )
    shift = await till.get(f"/v1/registers/{till.register_id}/shifts/current")
    report = await till.get(f"/v1/registers/{till.register_id}/shifts/{shift['shiftId']}/report")
    gift = next(t for t in report["tenders"] if t["tenderType"] == "gift_card")
    assert (gift["paymentCount"], gift["payments"], gift["refunds"], gift["net"]) == (
        1,
        10.9,
        10.9,
        0,
    )


async def test_an_exchange_difference_paid_by_gift_card(shop: GiftShop) -> None:
    till = shop.till
    await shop.sell_card(50, code="SWAP-CARD-00001")
    sold = await till.sell(till.line(shop.goods_sku))  # 10.90
    swapped = await till.post(
        f"/v1/orders/{sold['orderId']}/exchanges",
        {
            "returned": [{"lineItemId": sold["lineItems"][0]["lineItemId"], "quantity": 1}],
            "newLineItems": [till.line(shop.goods_sku, 2)],  # 21.80
            "reason": "wanted two",
            "payments": [
                {"tenderType": "gift_card", "amount": 10.90, "giftCardCode": "SWAP-CARD-00001"}
            ],
        },
    )
    assert swapped["order"]["status"] == "completed"
    assert (await shop.lookup("SWAP-CARD-00001"))["balance"] == 39.1
