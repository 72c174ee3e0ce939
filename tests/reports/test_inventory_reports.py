"""Inventory reports over HTTP: valuation as of any moment (the ledger's quantity then × the
cost in force then), its groupings and CSV, location limits and bad input."""

import asyncio
import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.catalog import create_product, unique_sku
from tests.support.inventory import Inv, make_item
from tests.support.sales import make_shop
from tests.support.tenants import TenantFixture, add_location, add_user, bearer
from tillpoint.core.db import Database
from tillpoint.reports.valuation import stock_value

Json = dict[str, Any]
VALUATION = "/v1/reports/inventory-valuation"


def num(value: Any) -> Decimal:
    return Decimal(str(value))


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


async def valuation(client: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> Json:
    response = await client.get(VALUATION, params=params, headers=headers)
    assert response.status_code == 200, response.text
    body: Json = response.json()
    return body


async def moment() -> datetime:
    """Now, with a little time either side, so the server's timestamps fall before or after."""
    await asyncio.sleep(0.02)
    now = datetime.now(UTC)
    await asyncio.sleep(0.02)
    return now


async def test_value_as_of_a_moment_uses_the_quantity_and_the_cost_of_that_moment(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    api = Inv(client, tenant.headers)
    where = (await add_location(client, tenant))["locationId"]
    plain = await create_product(client, tenant, sku=unique_sku(), cost=2)
    food = await create_product(client, tenant, sku=unique_sku(), cost=3.5, category="Food")
    unknown = await create_product(client, tenant, sku=unique_sku())
    await api.adjust(where, {plain["sku"]: 10, food["sku"]: 4, unknown["sku"]: 5})
    first = await moment()
    patched = await client.patch(
        f"/v1/catalog/products/{plain['productId']}", json={"cost": 2.5}, headers=tenant.headers
    )
    assert patched.status_code == 200, patched.text
    await api.adjust(where, {plain["sku"]: -3, food["sku"]: 1}, reason="damage")

    then = await valuation(
        client, tenant.headers, locationId=where, asOf=iso(first), groupBy="variant"
    )
    rows = {row["sku"]: row for row in then["rows"]}
    assert (num(rows[plain["sku"]]["quantity"]), num(rows[plain["sku"]]["value"])) == (10, 20)
    assert num(rows[plain["sku"]]["unitCost"]) == 2
    assert (num(rows[food["sku"]]["quantity"]), num(rows[food["sku"]]["value"])) == (4, 14)
    assert rows[food["sku"]]["categoryName"] == "Food"
    assert rows[unknown["sku"]]["value"] is None
    assert num(rows[unknown["sku"]]["unknownCostQuantity"]) == 5
    totals = then["totals"]
    assert (num(totals["quantity"]), num(totals["value"])) == (19, 34)
    assert num(totals["unknownCostQuantity"]) == 5

    now = await valuation(client, tenant.headers, locationId=where, groupBy="variant")
    rows = {row["sku"]: row for row in now["rows"]}
    assert (num(rows[plain["sku"]]["quantity"]), num(rows[plain["sku"]]["value"])) == (
        7,
        Decimal("17.5"),
    )
    assert (num(rows[food["sku"]]["quantity"]), num(rows[food["sku"]]["value"])) == (
        5,
        Decimal("17.5"),
    )
    # Before the products existed: no stock, nothing valued.
    before = await valuation(
        client, tenant.headers, locationId=where, asOf=iso(first - timedelta(days=1))
    )
    assert before["rows"] == []
    assert num(before["totals"]["value"]) == 0


async def test_groupings_sum_the_same_stock_and_csv_has_the_same_numbers(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    api = Inv(client, tenant.headers)
    east = (await add_location(client, tenant, "East"))["locationId"]
    west = (await add_location(client, tenant, "West"))["locationId"]
    weighed = await create_product(
        client, tenant, sku=unique_sku(), cost=3.33, soldBy="weight", category="Deli"
    )
    tee = await create_product(client, tenant, sku=unique_sku(), cost=7, category="Clothes")
    await api.adjust(east, {weighed["sku"]: 1.255, tee["sku"]: 2})
    await api.adjust(west, {weighed["sku"]: 0.5})
    # 1.255 × 3.33 = 4.17915 → 4.18; 0.5 × 3.33 = 1.665 → 1.67; 2 × 7 = 14.
    expected = {
        (east, "Deli"): Decimal("4.18"),
        (east, "Clothes"): 14,
        (west, "Deli"): Decimal("1.67"),
    }

    by = {}
    for group_by in ("variant", "category", "location"):
        by[group_by] = await valuation(client, tenant.headers, groupBy=group_by)
        assert by[group_by]["totals"] == by["variant"]["totals"], group_by
    categories = {
        (row["locationId"], row["categoryName"]): num(row["value"])
        for row in by["category"]["rows"]
    }
    assert categories == expected
    locations = {row["locationId"]: num(row["value"]) for row in by["location"]["rows"]}
    assert locations == {east: Decimal("18.18"), west: Decimal("1.67")}
    assert num(by["location"]["totals"]["value"]) == Decimal("19.85")
    assert num(by["location"]["totals"]["quantity"]) == Decimal("3.755")

    for group_by, body in by.items():
        response = await client.get(
            VALUATION, params={"groupBy": group_by, "format": "csv"}, headers=tenant.headers
        )
        assert response.status_code == 200, response.text
        lines = list(csv.DictReader(io.StringIO(response.text)))
        assert len(lines) == len(body["rows"]) + 1
        for line, row in zip(lines, [*body["rows"], body["totals"]], strict=True):
            for name in ("quantity", "value", "unknownCostQuantity"):
                assert num(line[name]) == num(row[name]), (group_by, name)
        assert next(iter(lines[-1].values())) == "total"
        assert set(lines[0]) == set(body["rows"][0])


async def test_negative_stock_is_valued_as_it_is(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    where = (await add_location(client, tenant))["locationId"]
    item = await create_product(client, tenant, sku=unique_sku(), cost=1.25)
    await Inv(client, tenant.headers).adjust(where, {item["sku"]: -3}, reason="loss")
    body = await valuation(client, tenant.headers, locationId=where, groupBy="variant")
    [row] = body["rows"]
    assert (num(row["quantity"]), num(row["value"])) == (-3, Decimal("-3.75"))


# Backdated movements of two items at one location, and the moments to value them at.
movements = st.lists(
    st.tuples(st.integers(0, 1), st.integers(-4, 9).filter(bool), st.integers(1, 600)),
    min_size=1,
    max_size=8,
)
probes = st.lists(st.integers(0, 700), min_size=1, max_size=3)


@pytest.fixture
async def stocked(client: httpx.AsyncClient, tenant: TenantFixture) -> Json:
    return {
        "api": Inv(client, tenant.headers),
        "location": (await add_location(client, tenant))["locationId"],
    }


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
@given(moves=movements, minutes=probes)
async def test_quantity_as_of_equals_the_ledger_summed_up_to_then(
    client: httpx.AsyncClient,
    tenant: TenantFixture,
    db: Database,
    stocked: Json,
    moves: list[tuple[int, int, int]],
    minutes: list[int],
) -> None:
    api, where = stocked["api"], stocked["location"]
    skus = [await make_item(db, tenant.id) for _ in range(2)]
    now = datetime.now(UTC)
    for which, delta, ago in moves:
        at = now - timedelta(minutes=ago)
        await api.adjust(where, {skus[which]: delta}, occurredAt=iso(at))
    for probe in minutes:
        at = now - timedelta(minutes=probe, seconds=30)
        body = await valuation(
            client, tenant.headers, locationId=where, asOf=iso(at), groupBy="variant"
        )
        got = {row["sku"]: num(row["quantity"]) for row in body["rows"] if row["sku"] in skus}
        for index, sku in enumerate(skus):
            summed = sum(d for w, d, ago in moves if w == index and ago > probe)
            assert got.get(sku, 0) == summed, (sku, probe, moves)
            assert num(await api.on_hand(where, sku, asOf=iso(at))) == summed
        # Items made without a cost have none: every unit is of unknown cost.
        assert all(row["value"] is None for row in body["rows"] if row["sku"] in skus)


@settings(max_examples=50, deadline=None, database=None)
@given(milli=st.integers(-(10**12), 10**12), cost=st.integers(0, 10**9))
def test_value_rounds_half_up_to_the_minor_unit(milli: int, cost: int) -> None:
    # Exact in fractions of a thousandth: the quantity's thousandths times the cost.
    exact = Decimal(milli) * cost / 1000
    assert stock_value(milli, cost) == int(exact.quantize(Decimal(1), ROUND_HALF_UP))
    assert abs(stock_value(milli, cost) * 1000 - milli * cost) <= 500


async def test_location_limits_and_bad_input(
    client: httpx.AsyncClient, tenant: TenantFixture, make_tenant: Any
) -> None:
    api = Inv(client, tenant.headers)
    mine = (await add_location(client, tenant, "Mine"))["locationId"]
    theirs = (await add_location(client, tenant, "Theirs"))["locationId"]
    item = await create_product(client, tenant, sku=unique_sku(), cost=1)
    await api.adjust(mine, {item["sku"]: 1})
    await api.adjust(theirs, {item["sku"]: 2})
    _, token = await add_user(client, tenant, "manager", location_ids=[mine])
    body = await valuation(client, bearer(token), groupBy="location")
    assert [row["locationId"] for row in body["rows"]] == [mine]
    assert num(body["totals"]["quantity"]) == 1
    hidden = await client.get(VALUATION, params={"locationId": theirs}, headers=bearer(token))
    assert (hidden.status_code, hidden.json()["error"]["code"]) == (404, "NOT_FOUND")
    other = await make_tenant()
    foreign = await client.get(VALUATION, params={"locationId": mine}, headers=other.headers)
    assert (foreign.status_code, foreign.json()["error"]["code"]) == (404, "NOT_FOUND")
    for params, field in (
        ({"asOf": "2026-01-01"}, "asOf"),  # a date is not a moment
        ({"asOf": "2026-01-01T00:00:00"}, "asOf"),  # no zone
        ({"asOf": "0"}, "asOf"),
        ({"groupBy": "sku"}, "groupBy"),
    ):
        response = await client.get(VALUATION, params=params, headers=tenant.headers)
        assert response.status_code == 400, (params, response.text)
        assert [d["field"] for d in response.json()["error"]["details"]] == [field]
    for edge in ("0001-01-01T00:00:00Z", "9999-12-31T23:59:59+00:00"):
        response = await client.get(VALUATION, params={"asOf": edge}, headers=tenant.headers)
        assert response.status_code == 200, response.text


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
    assert (num(there["opening"]), num(there["transferredIn"]), num(there["closing"])) == (0, 4, 4)
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
    assert (num(only["opening"]), num(only["received"]), num(only["closing"])) == (0, 6, 6)

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
    assert (num(rows[stale]["onHand"]), num(rows[stale]["value"])) == (4, 8)
    assert (num(rows[never]["onHand"]), num(rows[never]["value"])) == (5, 10)
    assert (num(body["totals"]["onHand"]), num(body["totals"]["value"])) == (9, 18)
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
    assert (num(rows[held]["onHand"]), num(rows[held]["available"])) == (10, 4)
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
