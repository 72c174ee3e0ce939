"""Promotions over HTTP: create, change with a version, archive on DELETE, list with filters,
coupon codes (one or a generated batch, case-insensitive and unique per tenant), permissions,
events, and another tenant's promotions being 404."""

from typing import Any

import httpx

from tests.promotions.conftest import Promos
from tests.support.sales import Till
from tests.support.tenants import TenantFixture

Json = dict[str, Any]


async def test_create_read_update_archive(promos: Promos, till: Till) -> None:
    created = await promos.create(
        name="Winter sale",
        kind="fixed_amount",
        percent=None,
        amount=5,
        minCartAmount=20,
        maxUses=100,
        startDate="2026-12-01",
        endDate="2026-12-31",
        weekdays=[6, 7],
        startTime="09:00",
        endTime="17:00",
        sources=["register"],
        stacking="exclusive",
        priority=5,
    )
    assert created["promotionId"].startswith("prm_")
    assert (created["amount"], created["minCartAmount"], created["uses"]) == (5, 20, 0)
    assert created["version"] == 1
    assert created["trigger"] == "automatic"
    pid = created["promotionId"]
    assert await promos.get(pid) == created

    changed = await till.call(
        "PATCH", f"/v1/promotions/{pid}", {"name": "Winter", "maxUses": None, "version": 1}
    )
    assert (changed["name"], changed["maxUses"], changed["version"]) == ("Winter", None, 2)
    for field in ("scope", "priority", "active", "firstOrderOnly"):
        error = await till.error(
            "PATCH", f"/v1/promotions/{pid}", {field: None}, 400, "VALIDATION_ERROR"
        )
        assert error["details"][0]["field"] == field
    stale = await till.error(
        "PATCH", f"/v1/promotions/{pid}", {"version": 1}, 409, "VERSION_CONFLICT"
    )
    assert stale["details"][0]["field"] == "version"

    archived = await till.call("DELETE", f"/v1/promotions/{pid}")
    assert archived["archivedAt"] is not None
    listed = await till.get("/v1/promotions")
    assert pid not in {p["promotionId"] for p in listed["items"]}
    listed = await till.get("/v1/promotions", includeArchived="true")
    assert pid in {p["promotionId"] for p in listed["items"]}
    await till.error("PATCH", f"/v1/promotions/{pid}", {"name": "x"}, 409, "INVALID_STATUS")

    types = [e["type"] for e in (await till.get("/v1/events", types="promotion.*"))["items"]]
    assert types == ["promotion.created", "promotion.updated", "promotion.archived"]


async def test_list_filters(promos: Promos, till: Till) -> None:
    auto = await promos.create(name="Happy hour", endDate="2026-01-31")
    coupon = await promos.create(name="Newsletter", trigger="coupon", active=False)
    page = await till.get("/v1/promotions", trigger="coupon")
    assert [p["promotionId"] for p in page["items"]] == [coupon["promotionId"]]
    page = await till.get("/v1/promotions", active="true")
    assert [p["promotionId"] for p in page["items"]] == [auto["promotionId"]]
    page = await till.get("/v1/promotions", validOn="2026-02-01")
    assert [p["promotionId"] for p in page["items"]] == [coupon["promotionId"]]
    for bad in ("0", "2026-02-30", "20260201"):
        await till.call("GET", "/v1/promotions", status=400, params={"validOn": bad})
    page = await till.get("/v1/promotions", q="HAPPY")
    assert [p["promotionId"] for p in page["items"]] == [auto["promotionId"]]
    page = await till.get("/v1/promotions", pageSize=1)
    assert (page["total"], len(page["items"])) == (2, 1)


async def test_invalid_promotions_are_refused(till: Till) -> None:
    refused = await till.error(
        "POST",
        "/v1/promotions",
        {
            "name": "x",
            "kind": "percentage",
            "percent": 5,
            "startDate": "2026-12-10",
            "endDate": "2026-12-09",
        },
        400,
        "INVALID_DISCOUNT_DATES",
    )
    assert refused["details"][0]["field"] == "endDate"
    cases: list[tuple[Json, str]] = [
        ({"kind": "percentage"}, "percent"),
        ({"kind": "fixed_amount", "amount": 5, "percent": 5}, "percent"),
        ({"kind": "buy_x_get_y", "buyQuantity": 2}, "getQuantity"),
        ({"kind": "percentage", "percent": 5, "scope": "product"}, "targetIds"),
        (
            {"kind": "percentage", "percent": 5, "targetIds": ["prd_01JD0000000000000000000000"]},
            "targetIds",
        ),
        (
            {
                "kind": "percentage",
                "percent": 5,
                "scope": "category",
                "targetIds": ["cat_01JD0000000000000000000000"],
            },
            "targetIds",
        ),
        (
            {"kind": "percentage", "percent": 5, "locationIds": ["loc_01JD0000000000000000000000"]},
            "locationIds",
        ),
        ({"kind": "percentage", "percent": 5, "startTime": "09:00"}, "endTime"),
    ]
    for fields, field in cases:
        error = await till.error(
            "POST", "/v1/promotions", {"name": "x", **fields}, 400, "VALIDATION_ERROR"
        )
        assert error["details"][0]["field"] == field, (fields, error)


async def test_coupon_codes_one_and_batch(promos: Promos, till: Till) -> None:
    promotion = await promos.create(trigger="coupon")
    path = f"/v1/promotions/{promotion['promotionId']}/codes"
    one = await till.post(path, {"code": "welcome10"})
    [code] = one["codes"]
    assert code["couponId"].startswith("cpn_")
    assert code["code"] == "WELCOME10"
    assert code["maxUses"] is None
    await till.error("POST", path, {"code": "WELCOME10"}, 409, "ALREADY_EXISTS")
    await till.error("POST", path, {"code": "Welcome10"}, 409, "ALREADY_EXISTS")
    batch = await till.post(path, {"count": 50, "prefix": "xmas-", "length": 8})
    codes = [c["code"] for c in batch["codes"]]
    assert len(set(codes)) == 50
    assert all(c.startswith("XMAS-") and len(c) == 13 for c in codes)
    assert all(c["maxUses"] == 1 for c in batch["codes"])
    listed = await till.get(path, pageSize=200)
    assert listed["total"] == 51
    await till.error("POST", path, {"code": "A1B2", "count": 2}, 400, "VALIDATION_ERROR")
    auto = await promos.create()
    await till.error(
        "POST",
        f"/v1/promotions/{auto['promotionId']}/codes",
        {"code": "NOPE"},
        409,
        "INVALID_STATUS",
    )
    events = (await till.get("/v1/events", types="promotion.codes_created"))["items"]
    assert [len(e["data"]["codes"]) for e in events] == [1, 50]


async def test_codes_are_unique_per_tenant_only(
    promos: Promos, client: httpx.AsyncClient, make_tenant: Any
) -> None:
    await promos.coupon("SHARED")
    other = await make_tenant(name="Other shop")
    body = {"name": "Theirs", "kind": "percentage", "percent": 5, "trigger": "coupon"}
    theirs = (await client.post("/v1/promotions", json=body, headers=other.headers)).json()
    response = await client.post(
        f"/v1/promotions/{theirs['promotionId']}/codes",
        json={"code": "shared"},
        headers=other.headers,
    )
    assert response.status_code == 201, response.text


async def test_another_tenants_promotions_are_not_found(
    promos: Promos, client: httpx.AsyncClient, make_tenant: Any
) -> None:
    promotion = await promos.coupon("MINE")
    intruder: TenantFixture = await make_tenant(name="Intruder")
    pid = promotion["promotionId"]
    for method, path, body in [
        ("GET", f"/v1/promotions/{pid}", None),
        ("PATCH", f"/v1/promotions/{pid}", {"name": "Mine now"}),
        ("DELETE", f"/v1/promotions/{pid}", None),
        ("GET", f"/v1/promotions/{pid}/codes", None),
        ("POST", f"/v1/promotions/{pid}/codes", {"code": "STOLEN"}),
    ]:
        response = await client.request(method, path, json=body, headers=intruder.headers)
        assert response.status_code == 404, (method, path, response.text)
        assert response.json()["error"]["code"] == "NOT_FOUND"
    listed = await client.get("/v1/promotions", headers=intruder.headers)
    assert listed.json()["total"] == 0
    # Their coupon code does not exist for the intruder's orders either.
    body = {"name": "Intruder shop"}
    location = (await client.post("/v1/locations", json=body, headers=intruder.headers)).json()
    response = await client.post(
        "/v1/orders/calculate",
        json={"locationId": location["locationId"], "couponCodes": ["MINE"]},
        headers=intruder.headers,
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "COUPON_NOT_FOUND"


async def test_reading_needs_catalog_read_and_writing_promotions_write(
    promos: Promos, client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    promotion = await promos.create()
    keys = {}
    for scopes in (["catalog:read"], ["orders:write"]):
        response = await client.post(
            "/v1/api-keys", json={"name": "k", "scopes": scopes}, headers=tenant.headers
        )
        assert response.status_code == 201, response.text
        keys[scopes[0]] = {"Authorization": f"Bearer {response.json()['key']}"}
    reader, outsider = keys["catalog:read"], keys["orders:write"]
    path = f"/v1/promotions/{promotion['promotionId']}"
    assert (await client.get(path, headers=reader)).status_code == 200
    assert (await client.get(path, headers=outsider)).status_code == 403
    for headers in (reader, outsider):
        response = await client.patch(path, json={"name": "x"}, headers=headers)
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "FORBIDDEN"
