"""Property: whatever sequence of adjustments, sales, counts (backdated, full or partial) and
transfers runs, every level's onHand equals the sum of its ledger, as of now too; a location
that forbids negative stock never goes below zero; in transit equals what is outstanding."""

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.support.inventory import Inv, make_item
from tests.support.tenants import TenantFixture, add_location
from tillpoint.core.db import Database
from tillpoint.inventory.models import StockLevel, StockMovement

SKUS = 2
sku = st.integers(0, SKUS - 1)
loc = st.integers(0, 1)  # 0 allows negative stock, 1 does not
minutes_ago = st.integers(0, 600)

adjust = st.tuples(st.just("adjust"), loc, sku, st.integers(-5, 8), minutes_ago)
sale = st.tuples(st.just("sale"), loc, sku, st.integers(1, 4))
count = st.tuples(
    st.just("count"),
    loc,
    st.booleans(),  # full
    st.lists(st.tuples(sku, st.integers(0, 10), st.booleans()), max_size=3),  # (sku, n, scan)
    st.one_of(st.none(), minutes_ago),  # countedAt
)
transfer = st.tuples(
    st.just("transfer"),
    loc,
    st.lists(st.tuples(sku, st.integers(1, 4)), min_size=1, max_size=2),
    st.lists(st.sampled_from(["receive1", "receive_all", "short", "cancel"]), max_size=3),
)
operations = st.lists(st.one_of(adjust, sale, count, transfer), min_size=1, max_size=8)


def ago(minutes: int) -> str:
    moment = datetime.now(UTC) - timedelta(minutes=minutes)
    return moment.isoformat().replace("+00:00", "Z")


@pytest.fixture
async def setup(client: httpx.AsyncClient, tenant: TenantFixture) -> dict[str, Any]:
    free = (await add_location(client, tenant, "Free"))["locationId"]
    strict = (await add_location(client, tenant, "Strict", allowNegativeStock=False))["locationId"]
    return {"api": Inv(client, tenant.headers), "locs": [free, strict]}


async def run(api: Inv, locs: list[str], skus: list[str], op: tuple[Any, ...]) -> None:
    kind = op[0]
    if kind in ("adjust", "sale"):
        where, which = locs[op[1]], skus[op[2]]
        delta = op[3] if kind == "adjust" else -op[3]
        if delta == 0:
            return
        body = {
            "locationId": where,
            "reason": "correction" if kind == "adjust" else "other",
            "items": [{"sku": which, "deltaQuantity": delta}],
        }
        if kind == "adjust":
            body["occurredAt"] = ago(op[4])
        response = await api.client.post(
            "/v1/inventory/adjustments", headers=api.headers, json=body
        )
        assert response.status_code in (201, 409), response.text
    elif kind == "count":
        body = {"locationId": locs[op[1]], "full": op[2]}
        if op[4] is not None:
            body["countedAt"] = ago(op[4])
        made = await api.post("/v1/inventory/counts", body)
        for which, n, scan in op[3]:
            line = {"sku": skus[which], ("increment" if scan and n else "countedQuantity"): n}
            await api.post(f"/v1/inventory/counts/{made['countId']}/lines", {"items": [line]}, 200)
        # A backdated count that would leave a strict location below zero is refused.
        committed = await api.client.post(
            f"/v1/inventory/counts/{made['countId']}/commit", headers=api.headers
        )
        assert committed.status_code in (200, 409), committed.text
    else:
        source = locs[op[1]]
        items = [{"sku": skus[which], "quantity": n} for which, n in op[2]]
        body = {"sourceLocationId": source, "destinationLocationId": locs[1 - op[1]]}
        made = await api.post("/v1/inventory/transfers", body | {"items": items})
        path = f"/v1/inventory/transfers/{made['transferId']}"
        shipped = await api.client.post(f"{path}/ship", headers=api.headers)
        assert shipped.status_code in (200, 409), shipped.text
        for action in op[3]:
            current = await api.get(path)
            open_lines = [x for x in current["lines"] if x["outstanding"] > 0]
            if action == "cancel":
                response = await api.client.post(f"{path}/cancel", headers=api.headers)
                assert response.status_code in (200, 409), response.text
                continue
            if current["status"] not in ("shipped", "partially_received") or not open_lines:
                continue
            first = open_lines[0]
            if action == "short":
                receipt = {"shortfalls": [{"sku": first["sku"], "reason": "lost"}]}
            elif action == "receive1":
                receipt = {"items": [{"sku": first["sku"], "quantity": 1}]}
            else:
                receipt = {
                    "items": [{"sku": x["sku"], "quantity": x["outstanding"]} for x in open_lines]
                }
            await api.post(f"{path}/receive", receipt, 200)


async def check(db: Database, api: Inv, tenant_id: str, locs: list[str], skus: list[str]) -> None:
    async with db.session(tenant_id=tenant_id, read_only=True) as session:
        levels = {
            (lv.variant_id, lv.location_id): lv
            for lv in (await session.execute(select(StockLevel))).scalars()
        }
        sums = {
            (v, loc): int(total)
            for v, loc, total in await session.execute(
                select(
                    StockMovement.variant_id,
                    StockMovement.location_id,
                    func.sum(StockMovement.delta_milli),
                ).group_by(StockMovement.variant_id, StockMovement.location_id)
            )
        }
    for key, level in levels.items():
        assert sums.get(key, 0) == level.on_hand_milli, key
        if key[1] == locs[1]:
            assert level.on_hand_milli >= 0, key
    assert set(sums) <= set(levels)
    # In transit at each location is what shipped transfers still owe it.
    owed: dict[tuple[str, str], float] = {}
    transfers = (await api.get("/v1/inventory/transfers", pageSize=200))["items"]
    for t in transfers:
        if t["status"] in ("shipped", "partially_received"):
            for line in t["lines"]:
                key = (line["variantId"], t["destinationLocationId"])
                owed[key] = owed.get(key, 0) + line["outstanding"]
    for key, level in levels.items():
        assert level.in_transit_milli == round(owed.get(key, 0) * 1000), key
    # The as-of view now equals the running level.
    now = ago(-1)
    for where in locs:
        for which in skus:
            assert await api.on_hand(where, which, asOf=now) == await api.on_hand(where, which)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
@given(ops=operations)
async def test_ledger_always_sums_to_on_hand(
    setup: dict[str, Any], db: Database, tenant: TenantFixture, ops: list[tuple[Any, ...]]
) -> None:
    api, locs = setup["api"], setup["locs"]
    # Fresh items per example, so examples do not see each other's stock.
    skus = [await make_item(db, tenant.id) for _ in range(SKUS)]
    for op in ops:
        await run(api, locs, skus, op)
    await check(db, api, tenant.id, locs, skus)
