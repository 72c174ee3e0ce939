"""The daily sales report over HTTP: a day of sales, returns and voids to the cent, business
days in each location's timezone, CSV with the JSON's columns, and who may see what."""

import csv
import io
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.support.sales import Till, make_shop
from tests.support.tenants import TenantFixture, add_location, add_user, bearer

Json = dict[str, Any]


@pytest.fixture
async def till(client: httpx.AsyncClient, tenant: TenantFixture) -> Till:
    shop = await make_shop(client, tenant)  # tax-additive 9 %
    await shop.call("PATCH", f"/v1/locations/{shop.location_id}", {"timezone": "UTC"})
    return shop


async def report(till: Till, **params: Any) -> Json:
    params.setdefault("locationId", till.location_id)
    got: Json = await till.get("/v1/reports/daily-sales", **params)
    return got


def today() -> str:
    return datetime.now(UTC).date().isoformat()


async def test_a_day_of_sales_returns_and_voids_to_the_cent(till: Till) -> None:
    mug = await till.product("Mug", 10, cost=4)
    lamp = await till.product("Lamp", 25, cost=11)
    first = await till.sell(till.line(mug, 2), till.line(lamp), tip=3)  # 45 + 4.05 tax + 3 tip
    second = await till.order(till.line(mug), discounts=[{"type": "fixed", "value": 1}])
    await till.pay(second, 5, "cash", amountTendered=5)
    paid = await till.pay(second, 4.81, "credit_card", cardBrand="mastercard")
    assert paid["order"]["status"] == "completed"
    voided = await till.sell(till.line(lamp))  # completed, then voided: taken back today
    await till.post(f"/v1/orders/{voided['orderId']}/void", {"reason": "rang twice"}, 200)
    refund = await till.post(
        f"/v1/orders/{first['orderId']}/refunds",
        {"lineItems": [{"lineItemId": first["lineItems"][0]["lineItemId"], "quantity": 1}],
         "reason": "chipped"},
    )  # fmt: skip
    day = await report(till)
    assert [row["key"] for row in day["rows"]] == [today()]
    row = day["rows"][0]
    assert row == day["totals"] | {"key": today(), "label": today()}
    assert (row["orders"], row["refunds"], row["voidedOrders"]) == (3, 1, 1)
    # Gross: 45 + 10 + 25 (the voided sale counts as sold, then as a void).
    assert (row["grossSales"], row["discounts"], row["returns"], row["voids"]) == (80, 1, 10, 25)
    assert row["netSales"] == 80 - 1 - 10 - 25
    # Tax 4.05 + 0.81 + 2.25 on the sales, less 0.90 refunded and 2.25 voided.
    assert row["tax"] == round(4.05 + 0.81 + 2.25 - 0.90 - 2.25, 2)
    assert row["tips"] == 3
    assert refund["amount"] == 10.9
    assert row["tenders"] == {
        "cash": 5,
        "credit_card:mastercard": 4.81,
        "credit_card:visa": 52.05 - 10.9,  # the first sale's card, less its refund
    }
    assert row["totalCollected"] == round(5 + 4.81 + 52.05 - 10.9, 2)
    # Cost at the cost each line stored: 2 × 4 + 11 + 4 + 11, less the mug back and the void.
    assert row["costOfGoods"] == 4 + 11 + 4
    assert row["margin"] == 44 - 19
    assert row["averageTicket"] == round((80 - 1) / 3, 2)
    assert row["taxes"] == {"Sales tax (9 %)": row["tax"]}


async def test_business_days_follow_each_locations_timezone(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    new_york = await make_shop(client, tenant)
    tokyo = await make_shop(client, tenant)
    for shop, zone in ((new_york, "America/New_York"), (tokyo, "Asia/Tokyo")):
        await shop.call("PATCH", f"/v1/locations/{shop.location_id}", {"timezone": zone})
    sku = await new_york.product("Tea", 10)
    # 23:30 on 1 Dec in New York is 04:30Z on 2 Dec; 00:30 on 2 Dec in Tokyo is 15:30Z on 1 Dec.
    late = datetime(2026, 12, 1, 23, 30, tzinfo=ZoneInfo("America/New_York"))
    early = datetime(2026, 12, 2, 0, 30, tzinfo=ZoneInfo("Asia/Tokyo"))
    for shop, moment in ((new_york, late), (tokyo, early)):
        order = await shop.order(shop.line(sku), occurredAt=moment.isoformat())
        await shop.pay(order)
    ny = await report(new_york, **{"from": "2026-11-30", "to": "2026-12-03"})
    assert [(r["key"], r["orders"]) for r in ny["rows"]] == [("2026-12-01", 1)]
    tk = await report(tokyo, **{"from": "2026-11-30", "to": "2026-12-03"})
    assert [(r["key"], r["orders"]) for r in tk["rows"]] == [("2026-12-02", 1)]
    hours = await report(new_york, groupBy="hour", **{"from": "2026-12-01", "to": "2026-12-01"})
    assert [r["key"] for r in hours["rows"]] == ["23"]
    both = await new_york.get(
        "/v1/reports/daily-sales", **{"from": "2026-12-01", "to": "2026-12-02"}
    )
    assert set(both["locationIds"]) >= {new_york.location_id, tokyo.location_id}
    assert {r["key"]: r["orders"] for r in both["rows"]} == {"2026-12-01": 1, "2026-12-02": 1}


async def test_csv_has_the_jsons_columns_and_numbers(till: Till) -> None:
    sku = await till.product("Candle", 12.5)
    await till.sell(till.line(sku, 3))
    as_json = await report(till, groupBy="register")
    response = await till.client.get(
        "/v1/reports/daily-sales",
        params={"locationId": till.location_id, "groupBy": "register"},
        headers={**till.auth, "Accept": "text/csv"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == len(as_json["rows"]) + 1  # and the total line
    for parsed, row in zip(rows, [*as_json["rows"], as_json["totals"]], strict=True):
        flat = flatten(row)
        assert set(parsed) == set(flat) | (set(parsed) - set(flat))
        for column, value in flat.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                assert Decimal(parsed[column]) == Decimal(str(value)), column
    assert rows[-1]["key"] == "total"
    same = await till.client.get(
        "/v1/reports/daily-sales",
        params={"locationId": till.location_id, "groupBy": "register", "format": "csv"},
        headers=till.auth,
    )
    assert same.text == response.text


def flatten(row: Json, prefix: str = "") -> Json:
    flat: Json = {}
    for key, value in row.items():
        if isinstance(value, dict):
            flat |= flatten(value, f"{prefix}{key}.")
        else:
            flat[f"{prefix}{key}"] = value
    return flat


async def test_reports_need_reports_read_and_stay_in_the_users_locations(
    client: httpx.AsyncClient, tenant: TenantFixture, till: Till
) -> None:
    other = await add_location(client, tenant, "Elsewhere")
    _, cashier = await add_user(client, tenant, "cashier", location_ids=[till.location_id])
    response = await client.get("/v1/reports/daily-sales", headers=bearer(cashier))
    assert response.status_code == 403
    _, manager = await add_user(client, tenant, "manager", location_ids=[till.location_id])
    local = replace(till, headers=bearer(manager))
    mine = await local.get("/v1/reports/daily-sales")
    assert mine["locationIds"] == [till.location_id]
    await local.error(
        "GET", f"/v1/reports/daily-sales?locationId={other['locationId']}", None, 404, "NOT_FOUND"
    )


async def test_bad_ranges_are_a_400(till: Till) -> None:
    later = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    error = await till.error(
        "GET", f"/v1/reports/daily-sales?from={later}&to={today()}", None, 400, "VALIDATION_ERROR"
    )
    assert error["details"][0]["field"] == "from"
    await till.error(
        "GET", "/v1/reports/daily-sales?from=2020-01-01&to=2026-01-01", None, 400,
        "VALIDATION_ERROR",
    )  # fmt: skip
    await till.error("GET", "/v1/reports/daily-sales?groupBy=week", None, 400, "VALIDATION_ERROR")
