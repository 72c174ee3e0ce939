"""Dead stock (on hand, no sale in N days) and low stock (available at or below the reorder
point) over HTTP."""

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx

from tests.reports.test_inventory_reports import iso, num
from tests.support.sales import make_shop
from tests.support.tenants import TenantFixture, add_location, add_user, bearer

Json = dict[str, Any]


async def test_dead_stock_is_stock_with_no_sale_in_the_days(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    till = await make_shop(client, tenant)
    fresh, stale, never, gone = [await till.product(price=5, cost=2) for _ in range(4)]
    for sku in (fresh, stale, never, gone):
        await till.stock(sku, 5)
    await till.sell(till.line(fresh, 1))
    long_ago = datetime.now(UTC) - timedelta(days=40)
    await till.sell(till.line(stale, 1), occurredAt=iso(long_ago))
    await till.sell(till.line(gone, 5))  # nothing left: not dead, just sold out

    def dead(body: Json) -> dict[str, Json]:
        return {row["sku"]: row for row in body["rows"]}

    response = await client.get(
        "/v1/reports/dead-stock",
        params={"locationId": till.location_id, "days": 30},
        headers=tenant.headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    rows = dead(body)
    assert set(rows) == {stale, never}
    assert rows[never]["lastSoldAt"] is None
    sold_at = datetime.fromisoformat(rows[stale]["lastSoldAt"].replace("Z", "+00:00"))
    assert abs(sold_at - long_ago) < timedelta(seconds=1)
    assert (num(rows[stale]["onHand"]), num(rows[stale]["value"])) == (Decimal(4), Decimal(8))
    assert (num(rows[never]["onHand"]), num(rows[never]["value"])) == (Decimal(5), Decimal(10))
    assert (num(body["totals"]["onHand"]), num(body["totals"]["value"])) == (
        Decimal(9),
        Decimal(18),
    )
    wider = await client.get(
        "/v1/reports/dead-stock",
        params={"locationId": till.location_id, "days": 60},
        headers=tenant.headers,
    )
    assert set(dead(wider.json())) == {never}
    for days in ("0", "x", "3661"):
        bad = await client.get(
            "/v1/reports/dead-stock", params={"days": days}, headers=tenant.headers
        )
        assert bad.status_code == 400, bad.text


async def test_low_stock_compares_what_is_available_with_the_reorder_point(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    till = await make_shop(client, tenant)
    held, few, plenty, unset = [await till.product(price=5) for _ in range(4)]
    for sku, stock in ((held, 10), (few, 3), (plenty, 10), (unset, 1)):
        await till.stock(sku, stock)
    for sku in (held, few, plenty):
        response = await client.put(
            "/v1/inventory/levels",
            json={"locationId": till.location_id, "sku": sku, "reorderPoint": 5},
            headers=tenant.headers,
        )
        assert response.status_code == 200, response.text
    await till.order(till.line(held, 6))  # parked: 6 reserved, 4 available
    response = await client.get(
        "/v1/reports/low-stock", params={"locationId": till.location_id}, headers=tenant.headers
    )
    assert response.status_code == 200, response.text
    rows = {row["sku"]: row for row in response.json()["rows"]}
    assert set(rows) == {held, few}
    assert (num(rows[held]["onHand"]), num(rows[held]["available"])) == (Decimal(10), Decimal(4))
    assert num(rows[held]["shortBy"]) == 1
    assert num(rows[few]["shortBy"]) == 2
    csv_body = await client.get(
        "/v1/reports/low-stock",
        params={"locationId": till.location_id, "format": "csv"},
        headers=tenant.headers,
    )
    lines = list(csv.DictReader(io.StringIO(csv_body.text)))
    assert {line["sku"]: num(line["available"]) for line in lines} == {held: 4, few: 3}


async def test_dead_and_low_stock_keep_to_the_readers_locations(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    till = await make_shop(client, tenant)
    sku = await till.product(price=5)
    await till.stock(sku, 1)
    response = await client.put(
        "/v1/inventory/levels",
        json={"locationId": till.location_id, "sku": sku, "reorderPoint": 5},
        headers=tenant.headers,
    )
    assert response.status_code == 200, response.text
    elsewhere = (await add_location(client, tenant, "Elsewhere"))["locationId"]
    _, token = await add_user(client, tenant, "manager", location_ids=[elsewhere])
    for path in ("/v1/reports/dead-stock", "/v1/reports/low-stock"):
        mine = await client.get(path, headers=tenant.headers)
        assert [row["sku"] for row in mine.json()["rows"]] == [sku], path
        theirs = await client.get(path, headers=bearer(token))
        assert theirs.json()["rows"] == [], path
        hidden = await client.get(
            path, params={"locationId": till.location_id}, headers=bearer(token)
        )
        assert hidden.status_code == 404, path
