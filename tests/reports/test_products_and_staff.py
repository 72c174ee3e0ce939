"""Product performance and the staff report over HTTP: figures from the sales themselves,
ABC classes, sorting and top-N, sell-through against the stock, per employee and shift."""

import csv
import io
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.support.catalog import create_category
from tests.support.sales import Till, add_employee, make_shop
from tests.support.tenants import TenantFixture

Json = dict[str, Any]


@pytest.fixture
async def till(client: httpx.AsyncClient, tenant: TenantFixture) -> Till:
    shop = await make_shop(client, tenant)  # tax-additive 9 %
    await shop.call("PATCH", f"/v1/locations/{shop.location_id}", {"timezone": "UTC"})
    return shop


def by_key(report: Json) -> dict[str, Json]:
    return {row["key"]: row for row in report["rows"]}


async def test_products_show_what_sold_came_back_and_cost(
    client: httpx.AsyncClient, tenant: TenantFixture, till: Till
) -> None:
    kitchen = (await create_category(client, tenant, f"Kitchen {till.location_id}"))["categoryId"]
    mug = await till.product("Mug", 10, cost=4, categoryId=kitchen)
    lamp = await till.product("Lamp", 40, cost=15)
    candle = await till.product("Candle", 5)  # no cost known
    await till.stock(mug, 7)
    first = await till.sell(till.line(mug, 3), till.line(candle, 2))
    await till.sell(
        till.line(lamp), till.line(mug, discounts=[{"type": "percentage", "value": 10}])
    )
    mug_line = first["lineItems"][0]["lineItemId"]
    body = {"lineItems": [{"lineItemId": mug_line, "quantity": 1}], "reason": "cracked"}
    await till.post(f"/v1/orders/{first['orderId']}/refunds", body)
    ids = {sku: till.products[sku]["productId"] for sku in (mug, lamp, candle)}

    report = await till.get("/v1/reports/products", locationId=till.location_id)
    rows = by_key(report)
    m, lp, c = rows[ids[mug]], rows[ids[lamp]], rows[ids[candle]]
    assert (m["unitsSold"], m["unitsReturned"]) == (4, 1)
    assert (m["grossSales"], m["discounts"], m["returns"]) == (40, 1, 10)
    assert m["netSales"] == 29
    assert m["costOfGoods"] == 4 * 4 - 4
    assert m["margin"] == 29 - 12
    assert m["marginPercent"] == round(17 / 29 * 100, 2)
    # 7 stocked − 4 sold + 1 back = 4 on hand; 4 sold of the 8 it had → 50 %.
    assert (m["onHand"], m["sellThrough"]) == (4, 50)
    assert (lp["netSales"], lp["costOfGoods"], lp["margin"]) == (40, 15, 25)
    assert (c["netSales"], c["costOfGoods"]) == (10, 0)
    # ABC by net sales 40, 29, 10 of 79: the lamp starts at 0 % (A), the mug at 51 % (A),
    # the candle at 87 % (B).
    assert [(r["key"], r["abcClass"]) for r in report["rows"]] == [
        (ids[lamp], "A"), (ids[mug], "A"), (ids[candle], "B")
    ]  # fmt: skip
    top = await till.get("/v1/reports/products", locationId=till.location_id, sort="units", limit=1)
    assert [r["key"] for r in top["rows"]] == [ids[mug]]
    assert top["totalRows"] == 3
    cheapest = await till.get(
        "/v1/reports/products", locationId=till.location_id, sort="margin", order="asc"
    )
    assert [r["key"] for r in cheapest["rows"]][0] == ids[candle]
    categories = by_key(
        await till.get("/v1/reports/products", locationId=till.location_id, groupBy="category")
    )
    assert categories[kitchen]["netSales"] == 29
    assert categories[kitchen]["label"].startswith("Kit")
    assert categories[""]["netSales"] == 50
    variants = await till.get(
        "/v1/reports/products", locationId=till.location_id, groupBy="variant"
    )
    assert {r["sku"] for r in variants["rows"]} == {mug, lamp, candle}
    response = await till.client.get(
        "/v1/reports/products",
        params={"locationId": till.location_id, "format": "csv"},
        headers=till.auth,
    )
    parsed = list(csv.DictReader(io.StringIO(response.text)))
    assert [Decimal(r["netSales"]) for r in parsed] == [Decimal("40"), Decimal("29"), Decimal("10")]


async def test_staff_figures_per_employee_and_shift(till: Till) -> None:
    ann = await add_employee(till, "cashier", "1357")
    bob = await add_employee(till, "cashier", "2468")
    sku = await till.product("Pen", 2)
    kept = await till.sell(till.line(sku, 5), employeeId=ann, tip=1)  # 10 + tip
    await till.sell(till.line(sku, 2), employeeId=ann, discounts=[{"type": "fixed", "value": 1}])
    await till.sell(till.line(sku, 10), employeeId=bob)
    line = kept["lineItems"][0]["lineItemId"]
    refund = {"lineItems": [{"lineItemId": line, "quantity": 1}], "reason": "dry"}
    await till.post(f"/v1/orders/{kept['orderId']}/refunds", refund)
    report = await till.get("/v1/reports/employees", locationId=till.location_id)
    rows = {row["employeeId"]: row for row in report["rows"]}
    a, b = rows[ann], rows[bob]
    assert (a["orders"], a["netSales"], a["discounts"], a["tips"]) == (2, 13 - 2, 1, 1)
    assert (a["refunds"], a["returns"], a["averageTicket"]) == (1, 2, 6.5)
    assert (b["orders"], b["netSales"], b["averageTicket"]) == (1, 20, 20)
    assert a["employeeName"] == "Cashier on duty"
    assert report["totals"]["netSales"] == 31
    assert report["totals"]["orders"] == 3
    shifts = await till.get("/v1/reports/employees", locationId=till.location_id, groupBy="shift")
    assert {(r["employeeId"], r["registerId"]) for r in shifts["rows"]} == {
        (ann, till.register_id), (bob, till.register_id)
    }  # fmt: skip
    assert all(r["shiftId"] and r["shiftOpenedAt"] for r in shifts["rows"])
