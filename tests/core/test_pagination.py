"""List conventions over HTTP: page/pageSize/total, stable order, updatedFrom/updatedTo, UTC `Z`."""

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from tests.support.tenants import TenantFixture, add_location

Z_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$")
# Each list's items name their id <resource>Id.
ID_KEYS = {"registers": "registerId", "tax-classes": "taxClassId", "employees": "employeeId"}


async def list_page(
    client: httpx.AsyncClient, owner: TenantFixture, path: str = "/v1/locations", **params: Any
) -> dict[str, Any]:
    response = await client.get(path, headers=owner.headers, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def all_pages(
    client: httpx.AsyncClient,
    owner: TenantFixture,
    path: str,
    page_size: int,
    id_key: str = "locationId",
) -> list[list[str]]:
    """Every page's ids, checking page/pageSize/total on each."""
    pages: list[list[str]] = []
    total = None
    while True:
        body = await list_page(client, owner, path, page=len(pages) + 1, pageSize=page_size)
        assert (body["page"], body["pageSize"]) == (len(pages) + 1, page_size)
        assert total is None or body["total"] == total
        total = body["total"]
        if not body["items"]:
            return pages
        pages.append([item[id_key] for item in body["items"]])


def assert_validation_error(response: httpx.Response, field: str) -> None:
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert field in [d["field"] for d in error["details"]], error


async def test_pages_cover_every_location_once(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    ids = [(await add_location(client, tenant, f"Shop {i}"))["locationId"] for i in range(7)]
    pages = await all_pages(client, tenant, "/v1/locations", 3)
    assert [len(p) for p in pages] == [3, 3, 1]
    flat = [i for p in pages for i in p]
    assert flat == sorted(ids)
    beyond = await list_page(client, tenant, page=4, pageSize=3)
    assert (beyond["items"], beyond["total"]) == ([], 7)
    default = await list_page(client, tenant)
    assert (default["page"], default["pageSize"], default["total"]) == (1, 50, 7)
    assert [loc["locationId"] for loc in default["items"]] == sorted(ids)


async def test_order_is_by_id_not_by_update_time(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    ids = [(await add_location(client, tenant, f"Shop {i}"))["locationId"] for i in range(5)]
    before = await all_pages(client, tenant, "/v1/locations", 2)
    for loc_id in reversed(sorted(ids)[:3]):
        response = await client.patch(
            f"/v1/locations/{loc_id}", headers=tenant.headers, json={"name": "Touched"}
        )
        assert response.status_code == 200, response.text
    assert await all_pages(client, tenant, "/v1/locations", 2) == before


@pytest.mark.parametrize("path", ["registers", "tax-classes", "employees"])
async def test_other_lists_paginate_the_same_way(
    client: httpx.AsyncClient, tenant: TenantFixture, path: str
) -> None:
    loc = await add_location(client, tenant)
    roles = await list_page(client, tenant, "/v1/roles")
    cashier = next(r["roleId"] for r in roles["items"] if r["name"] == "cashier")
    url = f"/v1/locations/{loc['locationId']}/registers" if path == "registers" else f"/v1/{path}"
    before = await all_pages(client, tenant, url, 200, ID_KEYS[path])
    ids = [i for p in before for i in p]  # tax classes: the two every tenant starts with
    for i in range(5):
        payload = {
            "registers": {"name": f"Till {i}"},
            "tax-classes": {"code": f"class_{i}", "name": f"Class {i}"},
            "employees": {
                "name": f"Emp {i}",
                "roleId": cashier,
                "locationIds": [loc["locationId"]],
            },
        }[path]
        response = await client.post(url, headers=tenant.headers, json=payload)
        assert response.status_code == 201, response.text
        ids.append(response.json()[ID_KEYS[path]])
    pages = await all_pages(client, tenant, url, 2, ID_KEYS[path])
    assert [len(p) for p in pages] == [2] * (len(ids) // 2) + [1] * (len(ids) % 2)
    assert [i for p in pages for i in p] == sorted(ids)
    hour = timedelta(hours=1)
    future = await list_page(
        client, tenant, url, updatedFrom=(datetime.now(UTC) + hour).isoformat()
    )
    past = await list_page(client, tenant, url, updatedTo=(datetime.now(UTC) - hour).isoformat())
    assert (future["total"], past["total"]) == (0, 0)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"pageSize": 0}, "pageSize"),
        ({"pageSize": 201}, "pageSize"),
        ({"pageSize": -5}, "pageSize"),
        ({"pageSize": "ten"}, "pageSize"),
        ({"page": 0}, "page"),
        ({"page": -1}, "page"),
        ({"page": "first"}, "page"),
    ],
)
async def test_bad_paging_is_400(
    client: httpx.AsyncClient, tenant: TenantFixture, params: dict[str, Any], field: str
) -> None:
    response = await client.get("/v1/locations", headers=tenant.headers, params=params)
    assert_validation_error(response, field)


async def test_page_size_limit_is_200(client: httpx.AsyncClient, tenant: TenantFixture) -> None:
    await add_location(client, tenant)
    body = await list_page(client, tenant, pageSize=200)
    assert (body["pageSize"], body["total"], len(body["items"])) == (200, 1, 1)


async def test_updated_from_and_to(client: httpx.AsyncClient, tenant: TenantFixture) -> None:
    locs = [await add_location(client, tenant, f"Shop {i}") for i in range(3)]
    mark = datetime.now(UTC)
    touched = locs[1]["locationId"]
    response = await client.patch(
        f"/v1/locations/{touched}", headers=tenant.headers, json={"name": "Touched"}
    )
    assert response.status_code == 200, response.text
    untouched = sorted([locs[0]["locationId"], locs[2]["locationId"]])

    def ids(body: dict[str, Any]) -> list[str]:
        return [item["locationId"] for item in body["items"]]

    zulu = mark.isoformat().replace("+00:00", "Z")
    plus_two = mark.astimezone(timezone(timedelta(hours=2))).isoformat()
    minus_five = mark.astimezone(timezone(timedelta(hours=-5))).isoformat()
    for stamp in (zulu, plus_two, minus_five):
        after = await list_page(client, tenant, updatedFrom=stamp)
        assert (ids(after), after["total"]) == ([touched], 1), stamp
        before = await list_page(client, tenant, updatedTo=stamp)
        assert (ids(before), before["total"]) == (untouched, 2), stamp
    both = await list_page(
        client,
        tenant,
        updatedFrom=(mark - timedelta(hours=1)).isoformat(),
        updatedTo=(mark + timedelta(hours=1)).isoformat(),
    )
    assert both["total"] == 3
    later = (mark + timedelta(hours=1)).isoformat()
    assert (await list_page(client, tenant, updatedFrom=later))["total"] == 0


@pytest.mark.parametrize("param", ["updatedFrom", "updatedTo"])
@pytest.mark.parametrize("value", ["2026-01-21T14:42:18", "2026-01-21", "yesterday"])
async def test_naive_or_bad_timestamps_are_400(
    client: httpx.AsyncClient, tenant: TenantFixture, param: str, value: str
) -> None:
    response = await client.get("/v1/locations", headers=tenant.headers, params={param: value})
    assert_validation_error(response, param)


async def test_timestamps_are_utc_with_z(client: httpx.AsyncClient, tenant: TenantFixture) -> None:
    started = datetime.now(UTC)
    loc = await add_location(client, tenant)
    register = await client.post(
        f"/v1/locations/{loc['locationId']}/registers",
        headers=tenant.headers,
        json={"name": "Till"},
    )
    listed = await list_page(client, tenant)
    events = await list_page(client, tenant, "/v1/events", types="location.*,register.*")
    stamps = [
        loc["createdAt"],
        loc["updatedAt"],
        register.json()["createdAt"],
        listed["items"][0]["createdAt"],
        *[e["occurredAt"] for e in events["items"]],
    ]
    assert len(stamps) == 6
    for stamp in stamps:
        assert Z_TIMESTAMP.match(stamp), stamp
        parsed = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        assert parsed.utcoffset() == timedelta(0)
        # The wall-clock instant, not local time mislabelled as UTC (the ms may be truncated).
        assert started - timedelta(seconds=1) <= parsed <= datetime.now(UTC)


@pytest.mark.parametrize(
    ("value", "found"), [("0001-01-01T00:00:00+01:00", 1), ("9999-12-31T23:59:59-01:00", 0)]
)
async def test_a_timestamp_beyond_pythons_range_is_not_a_500(
    app: Any, tenant: TenantFixture, value: str, found: int
) -> None:
    # A valid RFC 3339 date-time (what the document's `date-time` admits) whose instant lies
    # before the first or after the last one Python holds stands at that end of time.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        await client.post("/v1/locations", json={"name": "Dock"}, headers=tenant.headers)
        response = await client.get(
            "/v1/locations", headers=tenant.headers, params={"updatedFrom": value}
        )
    assert response.status_code == 200, response.text
    assert (response.json()["total"] > 0) == bool(found)
