"""The demo tenant's sales history, seen over the API: 30 days at both locations, every tender,
refunds, voids and exchanges, shifts that add up, gapless receipts and a ledger that sums; its
customers with loyalty points, gift cards sold and partly spent, promotions and a coupon."""

import re
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.demo.test_catalog import everything
from tests.support.tenants import login
from tillpoint.demo.tenant import PASSWORD, seed_demo

Json = dict[str, Any]


def money(value: Any) -> Decimal:
    return Decimal(str(value))


@pytest.fixture(scope="module")
async def demo(app_and_db: tuple[Any, Any]) -> AsyncIterator[Json]:
    """The demo seeded once for this module: the owner's headers, locations, orders, shifts."""
    app, db = app_and_db
    domain = f"{uuid.uuid4().hex[:8]}.example.com"
    await seed_demo(db, app.state.settings, email_domain=domain)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await login(client, f"owner@{domain}", PASSWORD)
        assert response.status_code == 201, response.text
        headers = {"Authorization": f"Bearer {response.json()['authToken']}"}
        # Renamed, so `tillpoint demo` in later tests of this database does not take it for its own.
        renamed = await client.patch(
            "/v1/tenant", json={"name": "Demo sales test"}, headers=headers
        )
        assert renamed.status_code == 200, renamed.text
        locations = (await client.get("/v1/locations", headers=headers)).json()["items"]
        registers = []
        for location in locations:
            path = f"/v1/locations/{location['locationId']}/registers"
            registers += (await client.get(path, headers=headers)).json()["items"]
        shifts = []
        for register in registers:
            path = f"/v1/registers/{register['registerId']}/shifts"
            shifts += await everything(client, path, headers)
        yield {
            "client": client,
            "headers": headers,
            "locations": {loc["locationId"]: loc for loc in locations},
            "registers": registers,
            "orders": await everything(client, "/v1/orders", headers),
            "shifts": shifts,
        }


async def test_orders_at_both_locations_on_most_of_thirty_days(demo: Json) -> None:
    days: dict[str, set[str]] = defaultdict(set)
    for order in demo["orders"]:
        zone = ZoneInfo(demo["locations"][order["locationId"]]["timezone"])
        at = datetime.fromisoformat(order["occurredAt"].replace("Z", "+00:00"))
        days[order["locationId"]].add(at.astimezone(zone).date().isoformat())
    assert set(days) == set(demo["locations"])
    assert all(len(d) >= 25 for d in days.values()), {k: len(v) for k, v in days.items()}
    assert 300 <= len(demo["orders"]) <= 1500


async def test_tenders_discounts_tips_refunds_voids_and_exchanges(demo: Json) -> None:
    orders = demo["orders"]
    tenders = {p["tenderType"] for o in orders for p in o["payments"]}
    assert {"cash", "credit_card", "other"} <= tenders
    assert any(p["changeDue"] > 0 for o in orders for p in o["payments"]), "cash with change"
    assert any(len({p["tenderType"] for p in o["payments"]}) > 1 for o in orders), "split"
    assert any(o["totals"]["tipTotal"] > 0 for o in orders)
    assert any(o["discounts"] for o in orders), "order discounts"
    assert any(line["discounts"] for o in orders for line in o["lineItems"]), "line discounts"
    assert any(m for o in orders for line in o["lineItems"] for m in line["modifiers"])
    assert any(money(line["quantity"]) % 1 for o in orders for line in o["lineItems"]), "weight"
    statuses = {o["status"] for o in orders}
    assert {"completed", "partially_refunded", "refunded", "voided", "open"} <= statuses
    voided = [o for o in orders if o["status"] == "voided"]
    assert any(o["receiptNumber"] for o in voided), "a completed sale voided in its shift"
    assert any(not o["receiptNumber"] for o in voided), "a parked order voided"
    assert any(o["exchangeOrderId"] for o in orders)
    assert any(o["exchangeRefundId"] for o in orders)
    assert [o["status"] for o in orders if o["status"] == "open"] == ["open"], "one parked order"


async def test_closed_shifts_add_up_and_today_is_open(demo: Json) -> None:
    client, headers = demo["client"], demo["headers"]
    orders = demo["orders"]
    cash_sales: dict[str, Decimal] = defaultdict(Decimal)
    for order in orders:
        for p in order["payments"]:
            if p["tenderType"] == "cash" and p["status"] == "captured":
                cash_sales[p["shiftId"]] += money(p["amount"])
    cash_refunds: dict[str, Decimal] = defaultdict(Decimal)
    for order in (o for o in orders if o["refunds"]):
        refunds = await client.get(f"/v1/orders/{order['orderId']}/refunds", headers=headers)
        for refund in refunds.json():
            for tender in refund["tenders"]:
                if tender["tenderType"] == "cash":
                    cash_refunds[refund["shiftId"]] += money(tender["amount"])
    closed = [s for s in demo["shifts"] if s["status"] == "closed"]
    assert len(closed) >= 80
    for shift in closed:
        report = shift["report"]
        path = f"/v1/registers/{shift['registerId']}/shifts/{shift['shiftId']}/cash-movements"
        moved = await everything(client, path, headers)
        paid_in = sum((money(m["amount"]) for m in moved if m["kind"] == "paid_in"), Decimal(0))
        paid_out = sum((money(m["amount"]) for m in moved if m["kind"] == "paid_out"), Decimal(0))
        assert money(report["cashSales"]) == cash_sales[shift["shiftId"]]
        assert money(report["cashRefunds"]) == cash_refunds[shift["shiftId"]]
        assert (money(report["paidIn"]), money(report["paidOut"])) == (paid_in, paid_out)
        expected = money(shift["openingFloat"]) + cash_sales[shift["shiftId"]]
        expected += paid_in - paid_out - cash_refunds[shift["shiftId"]]
        assert money(shift["expectedCash"]) == money(report["expectedCash"]) == expected
        assert money(shift["overShort"]) == money(shift["countedCash"]) - expected
        assert shift["openedAt"] < shift["closedAt"]
    assert any(money(s["overShort"]) for s in closed), "a drawer over or short now and then"
    assert any(money(s["report"]["paidOut"]) for s in closed)
    assert any(money(s["report"]["paidIn"]) for s in closed)
    assert any(money(s["report"]["cashRefunds"]) for s in closed)
    live = [s for s in demo["shifts"] if s["status"] == "open"]
    assert len(live) == 1
    current = await client.get(
        f"/v1/registers/{live[0]['registerId']}/shifts/current", headers=headers
    )
    assert current.status_code == 200, current.text


async def test_receipt_numbers_are_gapless_per_location_and_year(demo: Json) -> None:
    numbers: dict[tuple[str, str], list[int]] = defaultdict(list)
    for order in demo["orders"]:
        if order["completedAt"] is None:
            assert order["receiptNumber"] is None
            continue
        match = re.fullmatch(r"R-(\d{4})-(\d{6})", order["receiptNumber"] or "")
        assert match, order["receiptNumber"]
        numbers[(order["locationId"], match[1])].append(int(match[2]))
    assert {loc for loc, _ in numbers} == set(demo["locations"])
    for sequence in numbers.values():
        assert sorted(sequence) == list(range(1, len(sequence) + 1))


async def test_the_ledger_sums_to_on_hand_for_sold_items(demo: Json) -> None:
    client, headers = demo["client"], demo["headers"]
    sold: dict[tuple[str, str], int] = defaultdict(int)
    for order in demo["orders"]:
        for line in order["lineItems"]:
            sold[(line["variantId"], order["locationId"])] += 1
    for (variant_id, location_id), _ in sorted(sold.items(), key=lambda kv: -kv[1])[:6]:
        query = {"variantId": variant_id, "locationId": location_id}
        movements = await everything(client, "/v1/inventory/movements", headers, **query)
        assert any(m["reason"] == "sale" for m in movements)
        levels = await everything(client, "/v1/inventory/levels", headers, **query)
        on_hand = sum((money(x["onHand"]) for x in levels), Decimal(0))
        assert sum((money(m["delta"]) for m in movements), Decimal(0)) == on_hand


async def test_a_receipt_printer_at_each_location(demo: Json) -> None:
    client, headers = demo["client"], demo["headers"]
    for location_id in demo["locations"]:
        path = f"/v1/locations/{location_id}/printers"
        printers = (await client.get(path, headers=headers)).json()["items"]
        assert [(p["type"], p["address"]) for p in printers] == [
            ("receipt", "receipt-printer.invalid:9100")
        ]


async def test_customers_loyalty_gift_cards_and_promotions_in_use(demo: Json) -> None:
    client, headers = demo["client"], demo["headers"]
    customers = await everything(client, "/v1/customers", headers)
    assert len(customers) == 500
    named = [o["customerId"] for o in demo["orders"] if o["customerId"]]
    assert 0.25 < len(named) / len(demo["orders"]) < 0.45, "a third of the sales name a customer"
    buyers = set(named)
    assert len(buyers) >= 100
    program = (await client.get("/v1/loyalty/program", headers=headers)).json()
    assert program["active"] is True
    balances = []
    for customer_id in sorted(buyers)[:25]:
        path = f"/v1/customers/{customer_id}/loyalty"
        loyalty = (await client.get(path, params={"pageSize": 200}, headers=headers)).json()
        entries = loyalty["entries"]
        assert entries["total"] == len(entries["items"])
        assert sum(e["points"] for e in entries["items"]) == loyalty["balance"] >= 0
        balances.append(loyalty["balance"])
    assert sum(1 for b in balances if b > 0) >= 20

    cards = await everything(client, "/v1/gift-cards", headers)
    sold = [c for c in cards if c["orderId"]]
    assert len(sold) >= 5
    spent = 0
    for card in sold:
        entries = await everything(client, f"/v1/gift-cards/{card['giftCardId']}/entries", headers)
        reasons = [e["reason"] for e in entries]
        assert reasons[0] == "activation", reasons
        assert sum(money(e["amount"]) for e in entries) == money(card["balance"]) >= 0
        spent += "redemption" in reasons
    assert spent >= 3, "gift cards partly spent"
    assert any(c["status"] == "inactive" for c in cards), "cards waiting to be sold"
    paid_by_card = [
        p for o in demo["orders"] for p in o["payments"] if p["tenderType"] == "gift_card"
    ]
    assert len(paid_by_card) >= 3

    promotions = await everything(client, "/v1/promotions", headers)
    automatic = [p for p in promotions if p["trigger"] == "automatic"]
    coupons = [p for p in promotions if p["trigger"] == "coupon"]
    assert (len(automatic), len(coupons)) == (2, 1)
    codes = await client.get(f"/v1/promotions/{coupons[0]['promotionId']}/codes", headers=headers)
    assert [c["code"] for c in codes.json()["items"]] == ["WELCOME10"]
    credits = []
    for customer in customers:
        path = f"/v1/customers/{customer['customerId']}/store-credit"
        credit = (await client.get(path, headers=headers)).json()
        if money(credit["balance"]):
            credits.append((money(credit["balance"]), credit["items"][0]["reason"]))
    assert credits == [(Decimal(25), "adjusted")]
