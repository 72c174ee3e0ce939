"""Transfers: draft, edit, ship (in transit), partial receipts, shortfalls, cancel, errors."""

import httpx
import pytest

from tests.support.inventory import Inv, make_item
from tests.support.tenants import TenantFactory, TenantFixture, add_location
from tillpoint.core.db import Database


@pytest.fixture
def owner(client: httpx.AsyncClient, tenant: TenantFixture) -> Inv:
    return Inv(client, tenant.headers)


@pytest.fixture
async def locs(client: httpx.AsyncClient, tenant: TenantFixture) -> tuple[str, str]:
    a = (await add_location(client, tenant, "Warehouse"))["locationId"]
    b = (await add_location(client, tenant, "Shop"))["locationId"]
    return a, b


async def test_full_lifecycle_with_partial_receipts_and_a_shortfall(
    owner: Inv, db: Database, tenant: TenantFixture, locs: tuple[str, str]
) -> None:
    src, dst = locs
    a, b = await make_item(db, tenant.id), await make_item(db, tenant.id)
    await owner.adjust(src, {a: 10, b: 10})
    body = {
        "sourceLocationId": src,
        "destinationLocationId": dst,
        "items": [{"sku": a, "quantity": 1}],
    }
    draft = await owner.post("/v1/inventory/transfers", body)
    assert draft["status"] == "draft"
    path = f"/v1/inventory/transfers/{draft['transferId']}"
    edited = await owner.call(
        "PATCH",
        path,
        {
            "items": [{"sku": a, "quantity": 6}, {"sku": b, "quantity": 4}],
            "notes": "weekly",
            "version": 1,
        },
    )
    assert edited["version"] == 2
    assert [(x["sku"], x["quantity"]) for x in edited["lines"]] == [(a, 6), (b, 4)]
    await owner.error("PATCH", path, {"notes": "stale", "version": 1}, 409, "VERSION_CONFLICT")

    shipped = await owner.post(f"{path}/ship", None, 200)
    assert shipped["status"] == "shipped"
    assert await owner.on_hand(src, a) == 4
    level = await owner.level(dst, a)
    assert level is not None
    assert (level["onHand"], level["inTransit"]) == (0, 6)
    await owner.error("PATCH", path, {"notes": "late"}, 409, "INVALID_STATUS")

    first = await owner.post(f"{path}/receive", {"items": [{"sku": a, "quantity": 2}]}, 200)
    assert first["status"] == "partially_received"
    assert {x["sku"]: x["outstanding"] for x in first["lines"]} == {a: 4, b: 4}
    await owner.error(
        "POST", f"{path}/receive", {"items": [{"sku": a, "quantity": 5}]}, 400, "VALIDATION_ERROR"
    )
    await owner.error("POST", f"{path}/cancel", None, 409, "INVALID_STATUS")
    second = await owner.post(
        f"{path}/receive",
        {
            "items": [{"sku": a, "quantity": 3}, {"sku": b, "quantity": 4}],
            "shortfalls": [{"sku": a, "reason": "broken in the van"}],
            "notes": "second delivery",
        },
        200,
    )
    assert second["status"] == "received"
    lines = {x["sku"]: x for x in second["lines"]}
    assert (lines[a]["received"], lines[a]["shortfall"], lines[a]["outstanding"]) == (5, 1, 0)
    assert lines[a]["shortfallReason"] == "broken in the van"
    assert len(second["receipts"]) == 2
    assert second["receipts"][1]["shortfalls"][0]["quantity"] == 1
    assert (await owner.level(dst, a) or {})["inTransit"] == 0
    assert [await owner.on_hand(dst, s) for s in (a, b)] == [5, 4]
    assert [await owner.on_hand(src, s) for s in (a, b)] == [4, 6]
    await owner.error(
        "POST", f"{path}/receive", {"items": [{"sku": a, "quantity": 1}]}, 409, "INVALID_STATUS"
    )
    events = [
        e["type"] for e in (await owner.get("/v1/events", types="inventory.transfer_*"))["items"]
    ]
    assert events == [
        "inventory.transfer_created",
        "inventory.transfer_updated",
        "inventory.transfer_shipped",
        "inventory.transfer_receipt_posted",
        "inventory.transfer_receipt_posted",
        "inventory.transfer_received",
    ]
    reasons = {m["reason"] for m in (await owner.get("/v1/inventory/movements", sku=a))["items"]}
    assert reasons == {"correction", "transfer_out", "transfer_in"}
    listed = await owner.get("/v1/inventory/transfers", locationId=dst, status="received")
    assert [t["transferId"] for t in listed["items"]] == [draft["transferId"]]


async def test_cancel_after_ship_returns_stock_and_clears_transit(
    owner: Inv, db: Database, tenant: TenantFixture, locs: tuple[str, str]
) -> None:
    src, dst = locs
    a = await make_item(db, tenant.id)
    await owner.adjust(src, {a: 5})
    body = {
        "sourceLocationId": src,
        "destinationLocationId": dst,
        "items": [{"sku": a, "quantity": 3}],
    }
    transfer = await owner.post("/v1/inventory/transfers", body)
    path = f"/v1/inventory/transfers/{transfer['transferId']}"
    await owner.post(f"{path}/ship", None, 200)
    await owner.error("POST", f"{path}/ship", None, 409, "INVALID_STATUS")
    cancelled = await owner.post(f"{path}/cancel", None, 200)
    assert cancelled["status"] == "cancelled"
    assert await owner.on_hand(src, a) == 5
    assert (await owner.level(dst, a) or {})["inTransit"] == 0
    moves = (await owner.get("/v1/inventory/movements", sku=a, locationId=src))["items"]
    assert [m["reason"] for m in moves] == ["transfer_cancelled", "transfer_out", "correction"]
    await owner.error("POST", f"{path}/cancel", None, 409, "INVALID_STATUS")
    # A draft cancels without moving anything.
    draft = await owner.post("/v1/inventory/transfers", body)
    await owner.post(f"/v1/inventory/transfers/{draft['transferId']}/cancel", None, 200)
    assert await owner.on_hand(src, a) == 5


async def test_bad_transfers_and_other_tenants(
    owner: Inv,
    client: httpx.AsyncClient,
    db: Database,
    tenant: TenantFixture,
    make_tenant: TenantFactory,
    locs: tuple[str, str],
) -> None:
    src, dst = locs
    strict = (await add_location(client, tenant, "Strict", allowNegativeStock=False))["locationId"]
    a = await make_item(db, tenant.id)
    same = {
        "sourceLocationId": src,
        "destinationLocationId": src,
        "items": [{"sku": a, "quantity": 1}],
    }
    await owner.error("POST", "/v1/inventory/transfers", same, 400, "VALIDATION_ERROR")
    frac = {**same, "destinationLocationId": dst, "items": [{"sku": a, "quantity": 0.5}]}
    await owner.error("POST", "/v1/inventory/transfers", frac, 400, "VALIDATION_ERROR")
    body = {
        "sourceLocationId": strict,
        "destinationLocationId": dst,
        "items": [{"sku": a, "quantity": 2}],
    }
    transfer = await owner.post("/v1/inventory/transfers", body)
    path = f"/v1/inventory/transfers/{transfer['transferId']}"
    error = await owner.error("POST", f"{path}/ship", None, 409, "INSUFFICIENT_STOCK")
    assert error["details"][0]["sku"] == a
    await owner.adjust(strict, {a: 2})
    await owner.post(f"{path}/ship", None, 200)
    other = await make_item(db, tenant.id)
    await owner.error(
        "POST",
        f"{path}/receive",
        {"items": [{"sku": other, "quantity": 1}]},
        400,
        "VALIDATION_ERROR",
    )
    await owner.error("POST", f"{path}/receive", {}, 400, "VALIDATION_ERROR")

    intruder = Inv(client, (await make_tenant(name="Intruder")).headers)
    await intruder.error("GET", path, None, 404, "NOT_FOUND")
    await intruder.error("POST", f"{path}/cancel", None, 404, "NOT_FOUND")
    await intruder.error("POST", f"{path}/receive", {}, 404, "NOT_FOUND")
    await intruder.error("PATCH", path, {}, 404, "NOT_FOUND")
    assert (await intruder.get("/v1/inventory/transfers"))["total"] == 0
    assert await owner.on_hand(strict, a) == 0
