"""Gift cards over HTTP: registered codes, selling (activation, reload), lookup, redeeming as
a tender, deactivation and expiry, and another tenant's cards."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx

from tests.support.stored_value import GiftShop
from tests.support.tenants import TenantFactory, TenantFixture, add_user, bearer
from tillpoint.core.dates import add_months


async def test_registered_codes_are_inactive_until_sold_then_hold_the_line_amount(
    shop: GiftShop,
) -> None:
    till = shop.till
    batch = await till.post("/v1/gift-cards/codes", {"codes": ["PHYS-0001-AAAA", "PHYS-0002-BBBB"]})
    assert [c["status"] for c in batch["items"]] == ["inactive", "inactive"]
    assert [c["last4"] for c in batch["items"]] == ["AAAA", "BBBB"]
    assert batch["codes"] is None  # physical codes are never echoed
    assert (await shop.lookup("phys 0001 aaaa"))["status"] == "inactive"
    await till.error(
        "POST", "/v1/gift-cards/codes", {"codes": ["PHYS0001AAAA"]}, 409, "GIFT_CARD_ALREADY_EXISTS"
    )

    order = await shop.sell_card(25, code="PHYS-0001-AAAA")
    line = order["lineItems"][0]
    assert line["giftCardId"] == batch["items"][0]["giftCardId"]
    assert (line["tax"], order["totals"]["taxTotal"], order["totals"]["grandTotal"]) == (0, 0, 25)
    looked = await shop.lookup("PHYS-0001-AAAA")
    assert (looked["status"], looked["balance"], looked["last4"]) == ("active", 25, "AAAA")
    card = await shop.card(order)
    assert (card["orderId"], card["source"]) == (order["orderId"], "physical")


async def test_a_card_sold_without_a_code_gets_a_generated_one(shop: GiftShop) -> None:
    order = await shop.sell_card(40)
    card = await shop.card(order)
    assert (card["status"], card["balance"], card["source"]) == ("active", 40, "generated")
    code = (await shop.till.get(f"/v1/gift-cards/{card['giftCardId']}/code"))["code"]
    assert code.replace("-", "")[-4:] == card["last4"]
    assert (await shop.lookup(code))["balance"] == 40


async def test_generated_codes_are_shown_once_and_the_replay_hides_them(shop: GiftShop) -> None:
    till = shop.till
    headers = {**till.auth, "Idempotency-Key": "gen-1"}
    first = await till.client.post("/v1/gift-cards/codes", json={"count": 3}, headers=headers)
    assert first.status_code == 201, first.text
    codes = first.json()["codes"]
    assert len(codes) == 3
    assert len(set(codes)) == 3
    replay = await till.client.post("/v1/gift-cards/codes", json={"count": 3}, headers=headers)
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json()["codes"] is None
    for code, card in zip(codes, first.json()["items"], strict=True):
        assert (await shop.lookup(code))["giftCardId"] == card["giftCardId"]


async def test_a_gift_card_line_is_not_order_discounted_and_moves_no_stock(shop: GiftShop) -> None:
    till = shop.till
    levels = {"locationId": till.location_id, "sku": shop.gift_sku}
    assert (await till.get("/v1/inventory/levels", **levels))["items"] == []
    order = await till.order(
        till.line(shop.gift_sku, unitPrice=50),
        till.line(shop.goods_sku),
        discounts=[{"type": "percentage", "value": 10}],
    )
    gift, goods = order["lineItems"]
    assert (gift["discount"], gift["tax"], gift["total"]) == (0, 0, 50)
    assert goods["discount"] == 1  # 10 % of the mug only
    assert order["totals"]["discountTotal"] == 1
    paid = await till.pay(order)
    assert paid["order"]["status"] == "completed"
    # Neither reserved while open nor taken when sold: the card has no stock level at all.
    assert (await till.get("/v1/inventory/levels", **levels))["items"] == []
    assert (await till.on_hand(shop.goods_sku))["onHand"] == -1  # the mug did move
    assert (await shop.card(paid["order"]))["balance"] == 50


async def test_split_tender_with_partial_gift_card_use(shop: GiftShop) -> None:
    till = shop.till
    await shop.sell_card(30, code="SPLIT-CARD-0001")
    order = await till.order(till.line(shop.goods_sku, 2))  # 20.00 + 9 % = 21.80
    paid = await shop.pay_with_card(order, 12.5, "SPLIT-CARD-0001")
    payment = paid["payment"]
    assert (payment["tenderType"], payment["amount"]) == ("gift_card", 12.5)
    assert payment["giftCardId"]
    assert "SPLIT" not in str(payment)
    assert paid["order"]["totals"]["balanceDue"] == 9.3
    assert (await shop.lookup("SPLIT-CARD-0001"))["balance"] == 17.5
    done = await till.pay(paid["order"])
    assert done["order"]["status"] == "completed"
    entries = await till.get(f"/v1/gift-cards/{payment['giftCardId']}/entries")
    assert [(e["reason"], e["amount"], e["balanceAfter"]) for e in entries["items"]] == [
        ("activation", 30, 30),
        ("redemption", -12.5, 17.5),
    ]


async def test_insufficient_inactive_and_expired_cards_are_refused(shop: GiftShop) -> None:
    till = shop.till
    await shop.sell_card(5, code="SMALL-CARD-0001")
    order = await till.order(till.line(shop.goods_sku))
    error = await till.error(
        "POST",
        f"/v1/orders/{order['orderId']}/payments",
        {"tenderType": "gift_card", "amount": 6, "giftCardCode": "SMALL-CARD-0001"},
        409,
        "GIFT_CARD_INSUFFICIENT_BALANCE",
    )
    assert "SMALL" not in str(error)
    assert (await shop.lookup("SMALL-CARD-0001"))["balance"] == 5

    await till.post("/v1/gift-cards/codes", {"codes": ["UNSOLD-CARD-01"]})
    await till.error(
        "POST",
        f"/v1/orders/{order['orderId']}/payments",
        {"tenderType": "gift_card", "amount": 1, "giftCardCode": "UNSOLD-CARD-01"},
        409,
        "GIFT_CARD_INACTIVE",
    )

    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    await till.post("/v1/gift-cards/codes", {"codes": ["OLD-CARD-0001"], "expiresAt": past})
    await shop.sell_card(10, code="OLD-CARD-0001")
    assert (await shop.lookup("OLD-CARD-0001"))["expired"] is True
    await till.error(
        "POST",
        f"/v1/orders/{order['orderId']}/payments",
        {"tenderType": "gift_card", "amount": 1, "giftCardCode": "OLD-CARD-0001"},
        409,
        "GIFT_CARD_EXPIRED",
    )
    await till.error(
        "POST",
        f"/v1/orders/{order['orderId']}/payments",
        {"tenderType": "gift_card", "amount": 1},
        400,
        "VALIDATION_ERROR",
    )


async def test_reload_by_line_and_by_hand_then_deactivate(shop: GiftShop) -> None:
    till = shop.till
    first = await shop.sell_card(20, code="RELOAD-CARD-01")
    card_id = first["lineItems"][0]["giftCardId"]
    again = await shop.sell_card(15, code="RELOAD-CARD-01")
    assert again["lineItems"][0]["giftCardId"] == card_id
    reloaded = await till.post(
        f"/v1/gift-cards/{card_id}/reload", {"amount": 5, "reason": "goodwill"}, status=200
    )
    assert reloaded["balance"] == 40
    stopped = await till.post(
        f"/v1/gift-cards/{card_id}/deactivate", {"reason": "reported stolen"}, status=200
    )
    assert (stopped["status"], stopped["balance"]) == ("deactivated", 40)
    order = await till.order(till.line(shop.goods_sku))
    await till.error(
        "POST",
        f"/v1/orders/{order['orderId']}/payments",
        {"tenderType": "gift_card", "amount": 1, "giftCardCode": "RELOAD-CARD-01"},
        409,
        "GIFT_CARD_INACTIVE",
    )
    await till.error(
        "POST",
        f"/v1/gift-cards/{card_id}/reload",
        {"amount": 5, "reason": "x"},
        409,
        "GIFT_CARD_INACTIVE",
    )
    line = till.line(shop.gift_sku, giftCardCode="RELOAD-CARD-01")
    await till.order(line, status=409)


async def test_another_tenants_card_is_not_found_by_id_or_code(
    shop: GiftShop, make_tenant: TenantFactory
) -> None:
    order = await shop.sell_card(10, code="MINE-CARD-0001")
    card_id = order["lineItems"][0]["giftCardId"]
    intruder = await make_tenant(name="Intruder")
    client = shop.till.client
    for path in (f"/v1/gift-cards/{card_id}", f"/v1/gift-cards/{card_id}/entries"):
        response = await client.get(path, headers=intruder.headers)
        assert response.status_code == 404, response.text
    response = await client.get(
        "/v1/gift-cards/lookup", params={"code": "MINE-CARD-0001"}, headers=intruder.headers
    )
    assert (response.status_code, response.json()["error"]["code"]) == (404, "GIFT_CARD_NOT_FOUND")
    listed = await client.get("/v1/gift-cards", headers=intruder.headers)
    assert card_id not in listed.text


async def test_a_gift_card_code_on_an_ordinary_product_is_refused(shop: GiftShop) -> None:
    till = shop.till
    got = await till.order(till.line(shop.goods_sku, giftCardCode="ABCD-1234"), status=400)
    assert got["error"]["details"][0]["field"] == "lineItems[0].giftCardCode"


async def test_a_gift_card_line_added_to_an_open_order_is_loaded_on_completion(
    shop: GiftShop,
) -> None:
    till = shop.till
    order = await till.order(till.line(shop.goods_sku))
    added = await till.post(
        f"/v1/orders/{order['orderId']}/line-items",
        till.line(shop.gift_sku, unitPrice=20, giftCardCode="ADDED-CARD-0001"),
    )
    gift = added["lineItems"][1]
    assert (gift["tax"], gift["total"]) == (0, 20)
    assert (await shop.lookup("ADDED-CARD-0001"))["status"] == "inactive"
    paid = await till.pay(added)
    assert paid["order"]["status"] == "completed"
    looked = await shop.lookup("ADDED-CARD-0001")
    assert (looked["status"], looked["balance"]) == ("active", 20)


async def test_a_cashier_sells_a_card_of_any_value_without_approval(
    shop: GiftShop, client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    till = shop.till
    _, token = await add_user(client, tenant, role="cashier")
    cashier = replace(till, headers=bearer(token))
    order = await cashier.order(cashier.line(shop.gift_sku, unitPrice=35))
    assert order["lineItems"][0]["priceOverridden"] is False
    mug = await cashier.order(cashier.line(shop.goods_sku, unitPrice=5), status=403)
    assert mug["error"]["code"] == "DISCOUNT_APPROVAL_REQUIRED"


async def test_one_physical_card_is_sold_by_one_order_at_a_time(shop: GiftShop) -> None:
    till = shop.till
    await till.post("/v1/gift-cards/codes", {"codes": ["ONCE-CARD-0001"]})
    first = await till.order(till.line(shop.gift_sku, unitPrice=25, giftCardCode="ONCE-CARD-0001"))
    second = await till.order(
        till.line(shop.gift_sku, unitPrice=40, giftCardCode="once card 0001"), status=409
    )
    assert second["error"]["code"] == "GIFT_CARD_ALREADY_SOLD"
    assert second["error"]["details"] == [
        {"field": "lineItems[0].giftCardCode", "message": f"the card is sold on {first['orderId']}"}
    ]
    twice = till.line(shop.gift_sku, unitPrice=10, giftCardCode="ONCE-CARD-0001")
    other = await till.order(till.line(shop.goods_sku))
    added = await till.call("POST", f"/v1/orders/{other['orderId']}/line-items", twice, 409)
    assert added["error"]["code"] == "GIFT_CARD_ALREADY_SOLD"
    # A new physical card twice on one order: the second line cannot activate it again.
    both = await till.order(
        till.line(shop.gift_sku, unitPrice=10, giftCardCode="TWICE-CARD-001"),
        till.line(shop.gift_sku, unitPrice=10, giftCardCode="TWICE-CARD-001"),
        status=409,
    )
    assert both["error"]["details"][0]["field"] == "lineItems[1].giftCardCode"

    # Once the first order is voided the card is free; once sold, a line reloads it.
    await till.post(f"/v1/orders/{first['orderId']}/void", {"reason": "wrong card"}, 200)
    sold = await till.sell(till.line(shop.gift_sku, unitPrice=40, giftCardCode="ONCE-CARD-0001"))
    await till.sell(till.line(shop.gift_sku, unitPrice=5, giftCardCode="ONCE-CARD-0001"))
    card = await shop.card(sold)
    assert (card["status"], card["balance"], card["orderId"]) == ("active", 45, sold["orderId"])
    entries = await till.get(f"/v1/gift-cards/{card['giftCardId']}/entries")
    assert sorted(e["reason"] for e in entries["items"]) == ["activation", "reload"]


async def test_the_tenants_expiry_dates_each_card_as_it_is_activated(shop: GiftShop) -> None:
    till = shop.till
    assert (await till.get("/v1/tenant"))["giftCardExpiryMonths"] == 0
    assert (await shop.card(await shop.sell_card(10)))["expiresAt"] is None
    await till.error("PATCH", "/v1/tenant", {"giftCardExpiryMonths": -1}, 400, "VALIDATION_ERROR")
    changed = await till.call("PATCH", "/v1/tenant", {"giftCardExpiryMonths": 12}, 200)
    assert changed["giftCardExpiryMonths"] == 12

    sold = await shop.sell_card(10, code="YEAR-CARD-0001")
    card = await shop.card(sold)
    activated = datetime.fromisoformat(card["activatedAt"])
    assert datetime.fromisoformat(card["expiresAt"]) == add_months(activated, 12)
    reloaded = await shop.card(await shop.sell_card(5, code="YEAR-CARD-0001"))
    assert (reloaded["balance"], reloaded["expiresAt"]) == (15, card["expiresAt"])

    # A card registered with an expiry of its own keeps it.
    own = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0)
    await till.post(
        "/v1/gift-cards/codes", {"codes": ["OWN-EXPIRY-01"], "expiresAt": own.isoformat()}
    )
    mine = await shop.card(await shop.sell_card(10, code="OWN-EXPIRY-01"))
    assert datetime.fromisoformat(mine["expiresAt"]) == own

    # Taken back whole, a card is inactive again without the expiry its sale gave it.
    again = await shop.sell_card(20, code="BACK-EXPIRY-01")
    assert (await shop.card(again))["expiresAt"] is not None
    await till.post(f"/v1/orders/{again['orderId']}/void", {"reason": "mistake"}, 200)
    back = await shop.card(again)
    assert (back["status"], back["expiresAt"]) == ("inactive", None)
