"""Inventory reports over HTTP: valuation as of any moment (the ledger's quantity then × the
cost in force then), its groupings and CSV, location limits and bad input."""

import asyncio
import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.catalog import create_product, unique_sku
from tests.support.inventory import Inv, make_item
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
    assert (num(rows[plain["sku"]]["quantity"]), num(rows[plain["sku"]]["value"])) == (
        Decimal(10),
        Decimal(20),
    )
    assert num(rows[plain["sku"]]["unitCost"]) == 2
    assert (num(rows[food["sku"]]["quantity"]), num(rows[food["sku"]]["value"])) == (
        Decimal(4),
        Decimal(14),
    )
    assert rows[food["sku"]]["categoryName"] == "Food"
    assert rows[unknown["sku"]]["value"] is None
    assert num(rows[unknown["sku"]]["unknownCostQuantity"]) == 5
    totals = then["totals"]
    assert (num(totals["quantity"]), num(totals["value"])) == (Decimal(19), Decimal(34))
    assert num(totals["unknownCostQuantity"]) == 5

    now = await valuation(client, tenant.headers, locationId=where, groupBy="variant")
    rows = {row["sku"]: row for row in now["rows"]}
    assert (num(rows[plain["sku"]]["quantity"]), num(rows[plain["sku"]]["value"])) == (
        Decimal(7),
        Decimal("17.5"),
    )
    assert (num(rows[food["sku"]]["quantity"]), num(rows[food["sku"]]["value"])) == (
        Decimal(5),
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
    assert (num(row["quantity"]), num(row["value"])) == (Decimal(-3), Decimal("-3.75"))


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
