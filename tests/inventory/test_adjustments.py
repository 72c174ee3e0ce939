"""Adjustments, levels, the absolute set with compare-and-set, as-of levels and movements."""

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.support.inventory import Inv, make_item
from tests.support.tenants import TenantFactory, TenantFixture, add_location, add_user, bearer
from tillpoint.core.db import Database


@pytest.fixture
def owner(client: httpx.AsyncClient, tenant: TenantFixture) -> Inv:
    return Inv(client, tenant.headers)


@pytest.fixture
async def loc(client: httpx.AsyncClient, tenant: TenantFixture) -> str:
    return str((await add_location(client, tenant, "Main St"))["locationId"])


def z(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


async def test_reference_adjustment(
    owner: Inv, db: Database, tenant: TenantFixture, loc: str
) -> None:
    m = await make_item(db, tenant.id, sku="TEE-CL-001-BL-M")
    large = await make_item(db, tenant.id, sku="TEE-CL-001-BL-L")
    body = {
        "locationId": loc,
        "reason": "stock_count",
        "items": [{"sku": m, "deltaQuantity": -2}, {"sku": large, "deltaQuantity": 1}],
        "notes": "Cycle count 2026-01-22; corrected discrepancies.",
    }
    created = await owner.post("/v1/inventory/adjustments", body)
    assert created["adjustmentId"].startswith("adj_")
    assert created["locationId"] == loc
    assert created["reason"] == "stock_count"
    assert created["status"] == "posted"
    assert created["itemCount"] == 2
    assert created["createdAt"].endswith("Z")
    assert [i["deltaQuantity"] for i in created["items"]] == [-2, 1]
    assert await owner.on_hand(loc, m) == -2  # the location allows negative stock by default
    assert await owner.on_hand(loc, large) == 1
    level = await owner.level(loc, large)
    assert level is not None
    assert (level["available"], level["reserved"], level["inTransit"]) == (1, 0, 0)

    got = await owner.get(f"/v1/inventory/adjustments/{created['adjustmentId']}")
    assert got == created
    listed = await owner.get("/v1/inventory/adjustments", locationId=loc, reason="stock_count")
    assert [a["adjustmentId"] for a in listed["items"]] == [created["adjustmentId"]]
    assert (await owner.get("/v1/inventory/adjustments", reason="damage"))["total"] == 0

    moves = (await owner.get("/v1/inventory/movements", sku=m))["items"]
    assert [(x["delta"], x["reason"], x["referenceId"]) for x in moves] == [
        (-2, "stock_count", created["adjustmentId"])
    ]
    events = (await owner.get("/v1/events", types="inventory.*"))["items"]
    changed = [e["data"] for e in events if e["type"] == "inventory.level_changed"]
    assert {(e["sku"], e["oldOnHand"], e["newOnHand"], e["delta"]) for e in changed} == {
        (m, 0, -2, -2),
        (large, 0, 1, 1),
    }
    assert all(e["referenceType"] == "adjustment" for e in changed)
    assert "inventory.adjustment_posted" in {e["type"] for e in events}


async def test_bad_adjustments(owner: Inv, db: Database, tenant: TenantFixture, loc: str) -> None:
    sku = await make_item(db, tenant.id)
    kilo = await make_item(db, tenant.id, sold_by="weight")
    path = "/v1/inventory/adjustments"

    def body(items: list[Any], **extra: Any) -> dict[str, Any]:
        return {"locationId": loc, "reason": "damage", "items": items, **extra}

    error = await owner.error(
        "POST",
        path,
        body([{"sku": "NOPE-1", "deltaQuantity": 1}, {"sku": "NOPE-2", "deltaQuantity": 1}]),
        400,
        "VALIDATION_ERROR",
    )
    assert [d["field"] for d in error["details"]] == ["items[0].sku", "items[1].sku"]
    await owner.error(
        "POST", path, body([{"sku": sku, "deltaQuantity": 1.5}]), 400, "VALIDATION_ERROR"
    )
    await owner.error(
        "POST", path, body([{"sku": sku, "deltaQuantity": 0}]), 400, "VALIDATION_ERROR"
    )
    await owner.error(
        "POST", path, body([{"sku": sku, "deltaQuantity": 1.2345}]), 400, "VALIDATION_ERROR"
    )
    future = z(datetime.now(UTC) + timedelta(hours=1))
    await owner.error(
        "POST",
        path,
        body([{"sku": sku, "deltaQuantity": 1}], occurredAt=future),
        400,
        "VALIDATION_ERROR",
    )
    await owner.error(
        "POST",
        path,
        body([{"sku": sku, "deltaQuantity": 1}], reason="bogus"),
        400,
        "VALIDATION_ERROR",
    )
    await owner.adjust(loc, {kilo: 1.25})
    assert await owner.on_hand(loc, kilo) == 1.25
    other = "loc_" + "0" * 26
    await owner.error(
        "POST",
        path,
        {**body([{"sku": sku, "deltaQuantity": 1}]), "locationId": other},
        404,
        "NOT_FOUND",
    )


async def test_insufficient_stock_names_every_short_line(
    owner: Inv, client: httpx.AsyncClient, db: Database, tenant: TenantFixture
) -> None:
    loc = (await add_location(client, tenant, "Strict", allowNegativeStock=False))["locationId"]
    a, b, c = [await make_item(db, tenant.id) for _ in range(3)]
    await owner.adjust(loc, {a: 1, b: 5, c: 2})
    body = {
        "locationId": loc,
        "reason": "damage",
        "items": [
            {"sku": a, "deltaQuantity": -2},
            {"sku": b, "deltaQuantity": -1},
            {"sku": c, "deltaQuantity": -3},
        ],
    }
    error = await owner.error("POST", "/v1/inventory/adjustments", body, 409, "INSUFFICIENT_STOCK")
    details = {d["field"]: d for d in error["details"]}
    assert set(details) == {"items[0]", "items[2]"}
    assert details["items[0]"]["sku"] == a
    assert (details["items[0]"]["requested"], details["items[0]"]["available"]) == (2, 1)
    assert (details["items[2]"]["available"], details["items[2]"]["locationId"]) == (2, loc)
    # Nothing of the failed request stayed, not even the line that fitted.
    assert await owner.on_hand(loc, b) == 5
    assert (await owner.get("/v1/inventory/adjustments", locationId=loc))["total"] == 1


async def test_put_level_sets_absolutely_with_compare_and_set(
    owner: Inv, db: Database, tenant: TenantFixture, loc: str
) -> None:
    sku = await make_item(db, tenant.id)
    await owner.adjust(loc, {sku: 4})
    put = {"locationId": loc, "sku": sku, "onHand": 10, "expectedOnHand": 3}
    error = await owner.error("PUT", "/v1/inventory/levels", put, 409, "STOCK_CHANGED")
    assert error["details"][0]["field"] == "expectedOnHand"
    assert error["details"][0]["currentOnHand"] == 4
    put |= {"expectedOnHand": 4, "reorderPoint": 5, "reorderQuantity": 12, "notes": "recount"}
    level = await owner.call("PUT", "/v1/inventory/levels", put)
    assert (level["onHand"], level["reorderPoint"], level["reorderQuantity"]) == (10, 5, 12)
    moves = (await owner.get("/v1/inventory/movements", sku=sku))["items"]
    assert [(x["delta"], x["reason"]) for x in moves] == [(6, "correction"), (4, "correction")]
    assert moves[0]["onHandAfter"] == 10
    # By variant id, only the reorder point; clearing it with null.
    variant = level["variantId"]
    level = await owner.call(
        "PUT",
        "/v1/inventory/levels",
        {"locationId": loc, "variantId": variant, "reorderPoint": None},
    )
    assert (level["onHand"], level["reorderPoint"], level["reorderQuantity"]) == (10, None, 12)
    await owner.error(
        "PUT",
        "/v1/inventory/levels",
        {"locationId": loc, "sku": sku, "variantId": variant},
        400,
        "VALIDATION_ERROR",
    )
    await owner.error(
        "PUT",
        "/v1/inventory/levels",
        {"locationId": loc, "sku": sku, "onHand": -1},
        400,
        "VALIDATION_ERROR",
    )


async def test_below_reorder_point(
    owner: Inv, db: Database, tenant: TenantFixture, loc: str
) -> None:
    low, high, unset = [await make_item(db, tenant.id) for _ in range(3)]
    for sku, on_hand in ((low, 2), (high, 20), (unset, 1)):
        await owner.adjust(loc, {sku: on_hand})
    for sku in (low, high):
        await owner.call(
            "PUT", "/v1/inventory/levels", {"locationId": loc, "sku": sku, "reorderPoint": 5}
        )
    below = await owner.get("/v1/inventory/levels", locationId=loc, belowReorderPoint="true")
    assert [x["sku"] for x in below["items"]] == [low]


async def test_worked_example_backdated_count(
    owner: Inv, db: Database, tenant: TenantFixture, loc: str
) -> None:
    """onHand 10; a sale of 3 at 10:00 is recorded; a count taken at 09:00 says 12 → onHand 9."""
    sku = await make_item(db, tenant.id)
    day = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    at = {h: z(day.replace(hour=h, minute=0, second=0)) for h in (8, 9, 10)}
    await owner.adjust(loc, {sku: 10}, reason="received", occurredAt=at[8])
    await owner.adjust(loc, {sku: -3}, reason="other", occurredAt=at[10])
    assert await owner.on_hand(loc, sku) == 7
    count = await owner.post("/v1/inventory/counts", {"locationId": loc, "countedAt": at[9]})
    await owner.post(
        f"/v1/inventory/counts/{count['countId']}/lines",
        {"items": [{"sku": sku, "countedQuantity": 12}]},
        200,
    )
    shown = await owner.get(f"/v1/inventory/counts/{count['countId']}")
    assert [(x["expected"], x["counted"], x["variance"]) for x in shown["lines"]] == [(10, 12, 2)]
    committed = await owner.post(f"/v1/inventory/counts/{count['countId']}/commit", None, 200)
    assert committed["status"] == "committed"
    assert await owner.on_hand(loc, sku) == 9
    assert await owner.on_hand(loc, sku, asOf=at[9]) == 12
    assert await owner.on_hand(loc, sku, asOf=at[10]) == 9
    assert await owner.on_hand(loc, sku, asOf=at[8]) == 10
    assert await owner.ledger_sum(loc, sku) == 9
    # The committed count still shows what was expected and the variance.
    shown = await owner.get(f"/v1/inventory/counts/{count['countId']}")
    assert [(x["expected"], x["counted"], x["variance"]) for x in shown["lines"]] == [(10, 12, 2)]
    moves = (await owner.get("/v1/inventory/movements", sku=sku))["items"]
    # Newest first by occurredAt.
    assert [(x["delta"], x["reason"]) for x in moves] == [
        (-3, "other"),
        (2, "stock_count"),
        (10, "received"),
    ]
    window = await owner.get("/v1/inventory/movements", sku=sku, **{"from": at[9], "to": at[10]})
    assert [x["reason"] for x in window["items"]] == ["stock_count"]
    await owner.error(
        "POST", f"/v1/inventory/counts/{count['countId']}/commit", None, 409, "INVALID_STATUS"
    )


async def test_location_limited_user_and_other_tenants(
    owner: Inv,
    client: httpx.AsyncClient,
    db: Database,
    tenant: TenantFixture,
    make_tenant: TenantFactory,
    loc: str,
) -> None:
    other_loc = (await add_location(client, tenant, "Elsewhere"))["locationId"]
    sku = await make_item(db, tenant.id)
    here = await owner.adjust(loc, {sku: 1})
    there = await owner.adjust(other_loc, {sku: 2})
    _, token = await add_user(client, tenant, "manager", location_ids=[loc])
    manager = Inv(client, bearer(token))
    assert [
        a["adjustmentId"] for a in (await manager.get("/v1/inventory/adjustments"))["items"]
    ] == [here["adjustmentId"]]
    await manager.error(
        "GET", f"/v1/inventory/adjustments/{there['adjustmentId']}", None, 404, "NOT_FOUND"
    )
    assert [x["locationId"] for x in (await manager.get("/v1/inventory/levels"))["items"]] == [loc]
    assert (await manager.get("/v1/inventory/movements"))["total"] == 1
    response = await client.get(
        "/v1/inventory/levels", headers=manager.headers, params={"locationId": other_loc}
    )
    assert response.status_code == 404

    intruder = Inv(client, (await make_tenant(name="Intruder")).headers)
    await intruder.error(
        "GET", f"/v1/inventory/adjustments/{here['adjustmentId']}", None, 404, "NOT_FOUND"
    )
    for path in ("adjustments", "levels", "movements"):
        assert (await intruder.get(f"/v1/inventory/{path}"))["total"] == 0
    body = {"locationId": loc, "reason": "damage", "items": [{"sku": sku, "deltaQuantity": 1}]}
    await intruder.error("POST", "/v1/inventory/adjustments", body, 404, "NOT_FOUND")


async def test_levels_search_the_sku_and_name_in_any_case(
    owner: Inv, db: Database, tenant: TenantFixture, loc: str
) -> None:
    tea = await make_item(db, tenant.id, sku="TEA-GRN-1")
    coffee = await make_item(db, tenant.id, sku="COF-DRK-1")
    await owner.adjust(loc, {tea: 3, coffee: 4})
    for text, expected in (("grn", ["TEA-GRN-1"]), ("item cof", ["COF-DRK-1"]), ("%", [])):
        found = await owner.get("/v1/inventory/levels", locationId=loc, q=text)
        assert [x["sku"] for x in found["items"]] == expected, text
    too_long = await owner.call("GET", "/v1/inventory/levels", None, 400, q="x" * 201)
    assert too_long["error"]["code"] == "VALIDATION_ERROR"
