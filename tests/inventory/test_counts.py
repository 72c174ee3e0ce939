"""Stock counts: scan-style increments from several devices, full and partial, category scope."""

import asyncio

import httpx
import pytest

from tests.support.inventory import Inv, make_category, make_item
from tests.support.tenants import TenantFactory, TenantFixture, add_location
from tillpoint.core.db import Database


@pytest.fixture
def owner(client: httpx.AsyncClient, tenant: TenantFixture) -> Inv:
    return Inv(client, tenant.headers)


@pytest.fixture
async def loc(client: httpx.AsyncClient, tenant: TenantFixture) -> str:
    return str((await add_location(client, tenant, "Main St"))["locationId"])


async def lines(owner: Inv, count_id: str, items: list[dict[str, object]]) -> dict[str, object]:
    result: dict[str, object] = await owner.post(
        f"/v1/inventory/counts/{count_id}/lines", {"items": items}, 200
    )
    return result


async def test_increments_from_two_devices_at_once_both_count(
    owner: Inv, db: Database, tenant: TenantFixture, loc: str
) -> None:
    a, b = await make_item(db, tenant.id), await make_item(db, tenant.id)
    count = await owner.post("/v1/inventory/counts", {"locationId": loc})
    scans = [{"sku": a, "increment": 1}, {"sku": b, "increment": 2}]
    # Two devices, each scanning in its own order, many times over, at the same time.
    await asyncio.gather(
        *(lines(owner, count["countId"], scans if n % 2 else scans[::-1]) for n in range(12))
    )
    shown = await owner.get(f"/v1/inventory/counts/{count['countId']}")
    assert {x["sku"]: x["counted"] for x in shown["lines"]} == {a: 12, b: 24}
    await lines(
        owner, count["countId"], [{"sku": a, "countedQuantity": 5}, {"sku": a, "increment": 1}]
    )
    await owner.post(f"/v1/inventory/counts/{count['countId']}/commit", None, 200)
    assert await owner.on_hand(loc, a) == 6
    assert await owner.on_hand(loc, b) == 24
    events = (await owner.get("/v1/events", types="inventory.count_committed"))["items"]
    assert [e["data"]["countId"] for e in events] == [count["countId"]]
    assert events[0]["data"]["movementCount"] == 2


async def test_full_count_zeroes_uncounted_and_partial_does_not(
    owner: Inv, db: Database, tenant: TenantFixture, loc: str
) -> None:
    counted, uncounted, untouched = [await make_item(db, tenant.id) for _ in range(3)]
    await owner.adjust(loc, {counted: 3, uncounted: 4, untouched: 5})

    partial = await owner.post("/v1/inventory/counts", {"locationId": loc})
    await lines(owner, partial["countId"], [{"sku": counted, "countedQuantity": 2}])
    await owner.post(f"/v1/inventory/counts/{partial['countId']}/commit", None, 200)
    assert [await owner.on_hand(loc, s) for s in (counted, uncounted, untouched)] == [2, 4, 5]

    full = await owner.post("/v1/inventory/counts", {"locationId": loc, "full": True})
    await lines(
        owner,
        full["countId"],
        [{"sku": counted, "countedQuantity": 7}, {"sku": untouched, "countedQuantity": 5}],
    )
    done = await owner.post(f"/v1/inventory/counts/{full['countId']}/commit", None, 200)
    assert [await owner.on_hand(loc, s) for s in (counted, uncounted, untouched)] == [7, 0, 5]
    shown = {x["sku"]: x for x in done["lines"]}
    assert (shown[uncounted]["expected"], shown[uncounted]["counted"]) == (4, 0)
    assert shown[untouched]["variance"] == 0
    moves = (await owner.get("/v1/inventory/movements", reason="stock_count"))["items"]
    assert {(m["sku"], m["delta"]) for m in moves} == {(counted, -1), (counted, 5), (uncounted, -4)}
    assert {m["referenceType"] for m in moves} == {"count"}


async def test_category_scope(owner: Inv, db: Database, tenant: TenantFixture, loc: str) -> None:
    drinks = await make_category(db, tenant.id, "Drinks")
    juice = await make_category(db, tenant.id, "Juice", parent_id=drinks)
    food = await make_category(db, tenant.id, "Food")
    cola = await make_item(db, tenant.id, category_id=drinks)
    orange = await make_item(db, tenant.id, category_id=juice)
    bread = await make_item(db, tenant.id, category_id=food)
    await owner.adjust(loc, {cola: 1, orange: 2, bread: 3})
    body = {"locationId": loc, "scope": {"categoryId": drinks}, "full": True}
    count = await owner.post("/v1/inventory/counts", body)
    assert count["scope"] == {"categoryId": drinks}
    error = await owner.error(
        "POST",
        f"/v1/inventory/counts/{count['countId']}/lines",
        {"items": [{"sku": cola, "countedQuantity": 1}, {"sku": bread, "countedQuantity": 1}]},
        400,
        "VALIDATION_ERROR",
    )
    assert [d["field"] for d in error["details"]] == ["items[1].sku"]
    await lines(owner, count["countId"], [{"sku": cola, "countedQuantity": 9}])
    await owner.post(f"/v1/inventory/counts/{count['countId']}/commit", None, 200)
    # The subcategory's uncounted item is zeroed; the other category is not touched.
    assert [await owner.on_hand(loc, s) for s in (cola, orange, bread)] == [9, 0, 3]
    bad_scope = {"locationId": loc, "scope": {"categoryId": "cat_" + "0" * 26}}
    await owner.error("POST", "/v1/inventory/counts", bad_scope, 400, "VALIDATION_ERROR")


async def test_count_lifecycle_and_errors(
    owner: Inv,
    client: httpx.AsyncClient,
    db: Database,
    tenant: TenantFixture,
    make_tenant: TenantFactory,
    loc: str,
) -> None:
    sku = await make_item(db, tenant.id)
    kilo = await make_item(db, tenant.id, sold_by="weight")
    count = await owner.post("/v1/inventory/counts", {"locationId": loc, "notes": "aisle 3"})
    path = f"/v1/inventory/counts/{count['countId']}"
    await owner.error(
        "POST",
        f"{path}/lines",
        {"items": [{"sku": sku, "increment": 0.5}]},
        400,
        "VALIDATION_ERROR",
    )
    await owner.error(
        "POST",
        f"{path}/lines",
        {"items": [{"sku": sku, "increment": 1, "countedQuantity": 1}]},
        400,
        "VALIDATION_ERROR",
    )
    await lines(owner, count["countId"], [{"sku": kilo, "increment": 0.25}])
    listed = await owner.get("/v1/inventory/counts", locationId=loc, status="open")
    assert [(c["countId"], c["lineCount"]) for c in listed["items"]] == [(count["countId"], 1)]
    cancelled = await owner.post(f"{path}/cancel", None, 200)
    assert cancelled["status"] == "cancelled"
    await owner.error("POST", f"{path}/commit", None, 409, "INVALID_STATUS")
    await owner.error(
        "POST", f"{path}/lines", {"items": [{"sku": sku, "increment": 1}]}, 409, "INVALID_STATUS"
    )
    assert await owner.on_hand(loc, kilo) == 0

    intruder = Inv(client, (await make_tenant(name="Intruder")).headers)
    await intruder.error("GET", path, None, 404, "NOT_FOUND")
    await intruder.error("POST", f"{path}/cancel", None, 404, "NOT_FOUND")
    await intruder.error("POST", f"{path}/lines", {}, 404, "NOT_FOUND")  # 404 before the body
    assert (await intruder.get("/v1/inventory/counts"))["total"] == 0
