"""The journal of real sales, refunds and voids, rung up over HTTP: every line to the cent
against the orders' own totals, nothing unreconciled, and a refund or void after a day was
closed lands on its own day while the closed day stays as exported."""

import csv
import io
from collections import defaultdict
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.support.catalog import create_category
from tests.support.sales import Till, make_shop
from tests.support.tenants import TenantFixture

JOURNAL = "/v1/accounting/journal"
ZONE = ZoneInfo("America/New_York")  # the tenant's, which make_shop's location takes


@pytest.fixture
async def till(client: httpx.AsyncClient, tenant: TenantFixture) -> Till:
    return await make_shop(client, tenant)


def _d(value: Any) -> Decimal:
    return Decimal(str(value))


def _signed(journal: dict[str, Any]) -> dict[tuple[str, str], Decimal]:
    """(account key, description) → debit positive, credit negative."""
    got: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for line in journal["lines"]:
        amount = _d(line["debit"]) if line["debit"] is not None else -_d(line["credit"])
        got[line["accountKey"], line["description"]] += amount
    return dict(got)


async def _journal(till: Till, day: str, **params: Any) -> Any:
    return await till.get(JOURNAL, date=day, locationId=till.location_id, **params)


async def test_a_day_of_sales_then_a_refund_and_a_void_the_next(till: Till) -> None:
    drinks = await create_category(till.client, till.tenant, "Drinks")
    tea = await till.product("Tea", 10, categoryId=drinks["categoryId"], cost=4)
    mug = await till.product("Mug", 20)
    yesterday = datetime.now(UTC).astimezone(ZONE).date() - timedelta(days=1)
    when = datetime.combine(yesterday, time(12), ZONE).astimezone(UTC).isoformat()

    cash_order = await till.order(till.line(tea, 2), occurredAt=when)
    await till.pay(cash_order, tender="cash")
    card_order = await till.order(till.line(mug), occurredAt=when, tip=3)
    paid = await till.pay(card_order)
    card_order = paid["order"]
    cash_totals, card_totals = cash_order["totals"], card_order["totals"]

    day = yesterday.isoformat()
    journal = await _journal(till, day)
    lines = _signed(journal)
    assert lines == {
        ("cash", "Cash, net of refunds"): _d(cash_totals["grandTotal"]),
        ("cardClearing", "Card (visa), net of refunds"): _d(card_totals["grandTotal"]),
        ("costOfGoodsSold", "Cost of goods sold"): Decimal(8),
        ("sales", "Sales: Drinks"): -_d(cash_totals["subtotal"]),
        ("sales", "Sales: Uncategorised"): -_d(card_totals["subtotal"]),
        ("salesTaxPayable", "Sales tax: Sales tax 9%"): -(
            _d(cash_totals["taxTotal"]) + _d(card_totals["taxTotal"])
        ),
        ("tipsPayable", "Tips"): Decimal(-3),
        ("inventory", "Cost of goods sold"): Decimal(-8),
    }
    assert journal["unreconciledDifference"] == 0
    assert journal["totalDebit"] == journal["totalCredit"]

    closed = await till.post(f"/v1/accounting/day-closes?date={day}&locationId={till.location_id}")
    quickbooks = await till.client.get(
        JOURNAL,
        params={"date": day, "locationId": till.location_id, "format": "quickbooks-csv"},
        headers=till.auth,
    )
    await _csv_layouts_carry_the_json(till, day, closed)

    first = cash_order["lineItems"][0]
    refund = await till.post(
        f"/v1/orders/{cash_order['orderId']}/refunds",
        {"lineItems": [{"lineItemId": first["lineItemId"], "quantity": 1}], "reason": "spilt"},
    )
    await till.call("POST", f"/v1/orders/{card_order['orderId']}/void", {"reason": "wrong"})

    # The closed day is as exported, in every format.
    assert await _journal(till, day) == closed
    again = await till.client.get(
        JOURNAL,
        params={"date": day, "locationId": till.location_id, "format": "quickbooks-csv"},
        headers=till.auth,
    )
    assert again.content == quickbooks.content

    today = await _journal(till, datetime.now(UTC).astimezone(ZONE).date().isoformat())
    refunded, tax_back = _d(refund["amount"]), _d(cash_totals["taxTotal"]) / 2
    assert _signed(today) == {
        ("cash", "Cash, net of refunds"): -refunded,
        ("cardClearing", "Card (visa), net of refunds"): -_d(card_totals["grandTotal"]),
        ("sales", "Sales: Drinks"): refunded - tax_back,
        # A void gives the goods back like a return, on the day of the void.
        ("sales", "Sales: Uncategorised"): _d(card_totals["subtotal"]),
        ("sales", "Tips, service charges, gift cards and rounding refunded or voided"): Decimal(3),
        ("salesTaxPayable", "Sales tax: Sales tax 9%"): tax_back + _d(card_totals["taxTotal"]),
        ("costOfGoodsSold", "Cost of goods sold"): Decimal(-4),
        ("inventory", "Cost of goods sold"): Decimal(4),
    }
    assert today["unreconciledDifference"] == 0


async def _csv_layouts_carry_the_json(till: Till, day: str, journal: dict[str, Any]) -> None:
    """Both CSV layouts parse back with the csv module to the JSON's lines and amounts."""
    want = [
        (line["accountName"], line["accountCode"], line["description"],
         _d(line["debit"] or 0) - _d(line["credit"] or 0))
        for line in journal["lines"]
    ]  # fmt: skip
    params = {"date": day, "locationId": till.location_id}
    qb = await till.client.get(
        JOURNAL, params={**params, "format": "quickbooks-csv"}, headers=till.auth
    )
    rows = list(csv.DictReader(io.StringIO(qb.text)))
    assert [
        (r["Account Name"], r["Description"], _d(r["Debits"] or 0) - _d(r["Credits"] or 0))
        for r in rows
    ] == [(name, description, amount) for name, _, description, amount in want]
    assert {r["Journal Date"] for r in rows} == {f"{day[5:7]}/{day[8:10]}/{day[:4]}"}
    xero = await till.client.get(
        JOURNAL, params={**params, "format": "xero-csv"}, headers=till.auth
    )
    rows = list(csv.DictReader(io.StringIO(xero.text)))
    assert [(r["*AccountCode"], r["Description"], _d(r["*Amount"])) for r in rows] == [
        (code, description, amount) for _, code, description, amount in want
    ]
    assert {r["*Date"] for r in rows} == {f"{day[8:10]}/{day[5:7]}/{day[:4]}"}
