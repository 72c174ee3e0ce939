"""On PostgreSQL, real parallel connections: a gift card holding 30.00 paying two 20.00
orders at once never pays more than 30.00; many tills spending one card never overspend it;
one physical card rung up on several tills at once is activated by one sale only."""

import asyncio
from decimal import Decimal

import httpx
import pytest

from tests.support.stored_value import GiftShop


@pytest.fixture(autouse=True)
def postgres_only(dialect: str) -> None:
    if dialect == "sqlite":
        pytest.skip("SQLite serialises writers; the race is PostgreSQL's")


async def race(shop: GiftShop, code: str, orders: int, amount: float) -> list[int]:
    till = shop.till
    # Each order: two mugs at 10.00 before tax; the gift card pays ``amount`` of it.
    opened = [await till.order(till.line(shop.goods_sku, 2)) for _ in range(orders)]
    responses = await asyncio.gather(
        *(
            till.client.post(
                f"/v1/orders/{order['orderId']}/payments",
                json={"tenderType": "gift_card", "amount": amount, "giftCardCode": code},
                headers=till.auth,
            )
            for order in opened
        )
    )
    for response in responses:
        assert response.status_code in (201, 409), response.text
        if response.status_code == 409:
            assert response.json()["error"]["code"] == "GIFT_CARD_INSUFFICIENT_BALANCE"
    return [r.status_code for r in responses]


async def test_two_orders_of_20_on_a_card_of_30_pay_at_most_30(shop: GiftShop) -> None:
    await shop.sell_card(30, code="RACE-CARD-00001")
    statuses = await race(shop, "RACE-CARD-00001", 2, 20)
    assert statuses.count(201) == 1
    card = await shop.lookup("RACE-CARD-00001")
    assert Decimal(str(card["balance"])) == Decimal(10)


async def test_many_tills_never_overspend_one_card(shop: GiftShop) -> None:
    await shop.sell_card(100, code="RACE-CARD-00002")
    statuses = await race(shop, "RACE-CARD-00002", 12, 15)
    assert statuses.count(201) == 6  # 6 × 15.00 = 90.00; a seventh would need 105.00
    card = await shop.lookup("RACE-CARD-00002")
    assert Decimal(str(card["balance"])) == Decimal(10)
    entries = await shop.till.get(f"/v1/gift-cards/{card['giftCardId']}/entries", pageSize=50)
    assert sum(Decimal(str(e["amount"])) for e in entries["items"]) == Decimal(10)
    assert all(Decimal(str(e["balanceAfter"])) >= 0 for e in entries["items"])


async def test_one_physical_card_rung_up_on_four_tills_is_sold_once(shop: GiftShop) -> None:
    till = shop.till
    await till.post("/v1/gift-cards/codes", {"codes": ["RACE-SOLD-00001"]})

    async def ring_up(amount: int) -> httpx.Response:
        line = till.line(shop.gift_sku, unitPrice=amount, giftCardCode="RACE-SOLD-00001")
        body = {"locationId": till.location_id, "registerId": till.register_id, "lineItems": [line]}
        return await till.client.post("/v1/orders", json=body, headers=till.auth)

    created = await asyncio.gather(*(ring_up(amount) for amount in (11, 12, 13, 14)))
    opened = [r.json() for r in created if r.status_code == 201]
    refused = [r.json()["error"]["code"] for r in created if r.status_code != 201]
    assert set(refused) <= {"GIFT_CARD_ALREADY_SOLD"}, refused
    paid = await asyncio.gather(
        *(
            till.client.post(
                f"/v1/orders/{order['orderId']}/payments",
                json={"tenderType": "credit_card", "amount": order["totals"]["grandTotal"]},
                headers=till.auth,
            )
            for order in opened
        )
    )
    completed = [r.json()["order"] for r in paid if r.status_code == 201]
    assert [r.json()["error"]["code"] for r in paid if r.status_code != 201] == [
        "GIFT_CARD_ALREADY_SOLD"
    ] * (len(opened) - 1)
    assert len(completed) == 1
    card = await shop.card(completed[0])
    assert (card["balance"], card["orderId"]) == (
        completed[0]["totals"]["grandTotal"],
        completed[0]["orderId"],
    )
    entries = await till.get(f"/v1/gift-cards/{card['giftCardId']}/entries")
    assert [e["reason"] for e in entries["items"]] == ["activation"]
