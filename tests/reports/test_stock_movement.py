"""The stock movement report over HTTP: each ledger movement in its column, closing = opening +
every movement = the levels, per location's business days; CSV; limits and bad input."""

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from tests.reports.test_inventory_reports import iso, num
from tests.support.catalog import create_product, unique_sku
from tests.support.inventory import Inv
from tests.support.sales import make_shop
from tests.support.tenants import TenantFixture, add_location, add_user, bearer

Json = dict[str, Any]


MOVEMENT = "/v1/reports/stock-movement"
COLUMNS = ("received", "sold", "returned", "adjusted", "counted", "transferredIn", "transferredOut")


async def movement(client: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> Json:
    response = await client.get(MOVEMENT, params=params, headers=headers)
    assert response.status_code == 200, response.text
    body: Json = response.json()
    return body


async def test_stock_movement_sorts_each_movement_and_closing_adds_up(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    till = await make_shop(client, tenant)
    other = (await add_location(client, tenant, "Other"))["locationId"]
    api = Inv(client, tenant.headers)
    sku = await till.product(price=10)
    zone = (await till.get(f"/v1/locations/{till.location_id}"))["timezone"]
    long_ago = datetime.now(UTC) - timedelta(days=5)
    await api.adjust(till.location_id, {sku: 6}, reason="received", occurredAt=iso(long_ago))
    await api.adjust(till.location_id, {sku: 20}, reason="received")
    sold = await till.sell(till.line(sku, 3))
    line = sold["lineItems"][0]
    await till.post(
        f"/v1/orders/{sold['orderId']}/refunds",
        {"lineItems": [{"lineItemId": line["lineItemId"], "quantity": 1}], "reason": "x"},
    )
    await api.adjust(till.location_id, {sku: -2}, reason="damage")
    await api.adjust(till.location_id, {sku: -1}, reason="stock_count")
    body = {"sourceLocationId": till.location_id, "destinationLocationId": other}
    made = await api.post(
        "/v1/inventory/transfers", body | {"items": [{"sku": sku, "quantity": 4}]}
    )
    path = f"/v1/inventory/transfers/{made['transferId']}"
    await api.post(f"{path}/ship", None, 200)
    await api.post(f"{path}/receive", {"items": [{"sku": sku, "quantity": 4}]}, 200)

    today = datetime.now(UTC).astimezone(ZoneInfo(zone)).date()
    recent = {"from": str(today - timedelta(days=1)), "to": str(today + timedelta(days=1))}
    report = await movement(client, tenant.headers, **recent)
    rows = {row["locationId"]: row for row in report["rows"] if row["sku"] == sku}
    here, there = rows[till.location_id], rows[other]
    assert {name: num(here[name]) for name in ("opening", *COLUMNS, "closing")} == {
        "opening": 6,
        "received": 20,
        "sold": -3,
        "returned": 1,
        "adjusted": -2,
        "counted": -1,
        "transferredIn": 0,
        "transferredOut": -4,
        "closing": 17,
    }
    assert (num(there["opening"]), num(there["transferredIn"]), num(there["closing"])) == (
        Decimal(0),
        Decimal(4),
        Decimal(4),
    )
    # Closing is opening plus every movement, and what the levels hold now.
    for row in (here, there):
        assert num(row["closing"]) == num(row["opening"]) + sum(num(row[c]) for c in COLUMNS)
    assert num(here["closing"]) == num(await api.on_hand(till.location_id, sku))
    assert num(there["closing"]) == num(await api.on_hand(other, sku))
    totals = report["totals"]
    for name in ("opening", *COLUMNS, "closing"):
        assert num(totals[name]) == sum(num(row[name]) for row in report["rows"]), name

    # The day of the early delivery alone: it opened empty and closed with it.
    day = long_ago.astimezone(ZoneInfo(zone)).date()
    then = await movement(
        client, tenant.headers, locationId=till.location_id, **{"from": str(day), "to": str(day)}
    )
    [only] = [row for row in then["rows"] if row["sku"] == sku]
    assert (num(only["opening"]), num(only["received"]), num(only["closing"])) == (
        Decimal(0),
        Decimal(6),
        Decimal(6),
    )

    response = await client.get(MOVEMENT, params=recent | {"format": "csv"}, headers=tenant.headers)
    lines = list(csv.DictReader(io.StringIO(response.text)))
    assert len(lines) == len(report["rows"]) + 1
    for got, row in zip(lines, [*report["rows"], report["totals"]], strict=True):
        for name in ("opening", *COLUMNS, "closing"):
            assert num(got[name]) == num(row[name]), name
    assert next(iter(lines[-1].values())) == "total"


async def test_stock_movement_limits_and_bad_input(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    mine = (await add_location(client, tenant, "Mine"))["locationId"]
    theirs = (await add_location(client, tenant, "Theirs"))["locationId"]
    item = await create_product(client, tenant, sku=unique_sku())
    await Inv(client, tenant.headers).adjust(theirs, {item["sku"]: 2})
    _, token = await add_user(client, tenant, "manager", location_ids=[mine])
    seen = await movement(client, bearer(token))
    assert seen["rows"] == []
    hidden = await client.get(MOVEMENT, params={"locationId": theirs}, headers=bearer(token))
    assert hidden.status_code == 404
    for params, field in (
        ({"from": "2026-02-02", "to": "2026-02-01"}, "from"),
        ({"to": "0"}, "to"),
    ):
        response = await client.get(MOVEMENT, params=params, headers=tenant.headers)
        assert response.status_code == 400, response.text
        assert [d["field"] for d in response.json()["error"]["details"]] == [field]
