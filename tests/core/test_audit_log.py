"""The audit log over HTTP: every successful write, attributed to its principal and request."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.support.tenants import (
    TenantFactory,
    TenantFixture,
    add_api_key,
    add_location,
    add_user,
    bearer,
)


def rid() -> str:
    return f"req-{uuid.uuid4().hex}"


async def write(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    method: str,
    path: str,
    body: dict[str, Any] | None = None,
    *,
    request_id: str,
) -> httpx.Response:
    response = await client.request(
        method, path, headers={**headers, "X-Request-Id": request_id}, json=body
    )
    assert response.headers["X-Request-Id"] == request_id
    return response


async def audit(client: httpx.AsyncClient, owner: TenantFixture, **params: Any) -> dict[str, Any]:
    response = await client.get(
        "/v1/audit-log", headers=owner.headers, params={"pageSize": 200, **params}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def by_request(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["requestId"]: entry for entry in body["items"]}


async def test_each_write_is_attributed_to_the_user(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    h = tenant.headers
    ids = {name: rid() for name in ["loc", "patch", "reg", "archive", "txc", "txr", "emp"]}
    loc = await write(client, h, "POST", "/v1/locations", {"name": "A"}, request_id=ids["loc"])
    loc_id = loc.json()["locationId"]
    base = f"/v1/locations/{loc_id}"
    await write(client, h, "PATCH", base, {"name": "B", "version": 1}, request_id=ids["patch"])
    reg = await write(client, h, "POST", f"{base}/registers", {"name": "T"}, request_id=ids["reg"])
    reg_id = reg.json()["registerId"]
    await write(client, h, "DELETE", f"{base}/registers/{reg_id}", request_id=ids["archive"])
    txc = await write(
        client, h, "POST", "/v1/tax-classes", {"code": "std", "name": "S"}, request_id=ids["txc"]
    )
    rate = {"taxClass": "std", "name": "S", "rate": 8.875}
    txr = await write(client, h, "POST", f"{base}/tax-rates", rate, request_id=ids["txr"])
    roles = (await client.get("/v1/roles", headers=h)).json()["items"]
    cashier = next(r["roleId"] for r in roles if r["name"] == "cashier")
    emp_body = {"name": "E", "roleId": cashier, "pin": "61530842"}
    emp = await write(client, h, "POST", "/v1/employees", emp_body, request_id=ids["emp"])

    expected = {
        "loc": ("POST", "/v1/locations", "/v1/locations", 201, loc_id),
        "patch": ("PATCH", "/v1/locations/{location_id}", base, 200, loc_id),
        "reg": ("POST", "/v1/locations/{location_id}/registers", f"{base}/registers", 201, reg_id),
        "archive": (
            "DELETE",
            "/v1/locations/{location_id}/registers/{register_id}",
            f"{base}/registers/{reg_id}",
            200,
            reg_id,
        ),
        "txc": ("POST", "/v1/tax-classes", "/v1/tax-classes", 201, txc.json()["taxClassId"]),
        "txr": (
            "POST",
            "/v1/locations/{location_id}/tax-rates",
            f"{base}/tax-rates",
            201,
            txr.json()["taxRateId"],
        ),
        "emp": ("POST", "/v1/employees", "/v1/employees", 201, emp.json()["employeeId"]),
    }
    entries = by_request(await audit(client, tenant))
    for name, (method, route, path, status, resource) in expected.items():
        entry = entries[ids[name]]
        assert (entry["principalType"], entry["principalId"]) == ("user", tenant.owner_id), name
        assert entry["action"] == f"{method} {route}", name
        assert (entry["method"], entry["path"], entry["status"]) == (method, path, status), name
        assert entry["resourceId"] == resource, name
        assert entry["occurredAt"].endswith("Z")
    assert "61530842" not in str(entries[ids["emp"]])
    # Newest first.
    order = [e["requestId"] for e in (await audit(client, tenant))["items"]]
    assert order.index(ids["emp"]) < order.index(ids["loc"])


async def test_api_key_writes_are_attributed_to_the_key(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    key = await add_api_key(client, tenant, ["settings:read", "settings:write"])
    request_id = rid()
    response = await write(
        client, bearer(key["key"]), "POST", "/v1/locations", {"name": "K"}, request_id=request_id
    )
    assert response.status_code == 201, response.text
    entry = by_request(await audit(client, tenant))[request_id]
    assert (entry["principalType"], entry["principalId"]) == ("api_key", key["apiKeyId"])
    assert (entry["action"], entry["resourceId"]) == (
        "POST /v1/locations",
        response.json()["locationId"],
    )
    listed = await audit(client, tenant, principalId=key["apiKeyId"])
    assert [e["requestId"] for e in listed["items"]] == [request_id]


async def test_failed_writes_leave_no_entry(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    loc = await add_location(client, tenant)
    path = f"/v1/locations/{loc['locationId']}"
    await client.post("/v1/tax-classes", headers=tenant.headers, json={"code": "s", "name": "S"})
    _, cashier = await add_user(client, tenant, "cashier")
    before = await audit(client, tenant)
    attempts: list[tuple[dict[str, str], str, str, dict[str, Any], int]] = [
        (tenant.headers, "POST", "/v1/locations", {"name": "X", "timezone": "Nowhere/Land"}, 400),
        (tenant.headers, "PATCH", path, {"name": "X", "version": 7}, 409),
        (tenant.headers, "PATCH", f"/v1/locations/loc_{'0' * 26}", {"name": "X"}, 404),
        (tenant.headers, "POST", "/v1/tax-classes", {"code": "s", "name": "Dup"}, 409),
        (
            bearer(cashier),
            "POST",
            f"{path}/tax-rates",
            {"taxClass": "s", "name": "R", "rate": 1},
            403,
        ),
        ({}, "POST", "/v1/locations", {"name": "Anonymous"}, 401),
    ]
    sent = []
    for headers, method, url, body, status in attempts:
        request_id = rid()
        response = await write(client, headers, method, url, body, request_id=request_id)
        assert response.status_code == status, response.text
        assert response.json()["error"]["requestId"] == request_id
        sent.append(request_id)
    after = await audit(client, tenant)
    assert after["total"] == before["total"]
    assert not set(sent) & set(by_request(after))


async def test_filters(client: httpx.AsyncClient, tenant: TenantFixture) -> None:
    manager_id, token = await add_user(client, tenant, "manager")
    manager = bearer(token)
    a = await add_location(client, tenant, "A")
    b = await write(client, manager, "POST", "/v1/locations", {"name": "B"}, request_id=rid())
    b_id = b.json()["locationId"]
    mark = datetime.now(UTC)
    patch_id = rid()
    await write(
        client,
        manager,
        "PATCH",
        f"/v1/locations/{a['locationId']}",
        {"name": "A2"},
        request_id=patch_id,
    )

    mine = await audit(client, tenant, principalId=manager_id)
    assert sorted(e["resourceId"] for e in mine["items"]) == sorted([a["locationId"], b_id])
    assert {e["principalId"] for e in mine["items"]} == {manager_id}
    about_a = await audit(client, tenant, resourceId=a["locationId"])
    assert sorted(e["action"] for e in about_a["items"]) == [
        "PATCH /v1/locations/{location_id}",
        "POST /v1/locations",
    ]
    patches = await audit(client, tenant, action="PATCH /v1/locations")
    assert [e["requestId"] for e in patches["items"]] == [patch_id]
    assert (await audit(client, tenant, action="%"))["total"] == 0  # a literal, not a pattern
    since = await audit(client, tenant, **{"from": mark.isoformat()})
    assert [e["requestId"] for e in since["items"]] == [patch_id]
    until = await audit(client, tenant, to=mark.isoformat().replace("+00:00", "Z"))
    assert patch_id not in by_request(until)
    assert {b_id, a["locationId"]} <= {e["resourceId"] for e in until["items"]}
    window = await audit(
        client, tenant, principalId=manager_id, **{"from": (mark - timedelta(hours=1)).isoformat()}
    )
    assert window["total"] == 2
    for params in ({"from": "2026-01-21T00:00:00"}, {"to": "soon"}):
        response = await client.get("/v1/audit-log", headers=tenant.headers, params=params)
        assert response.status_code == 400, response.text
        assert response.json()["error"]["code"] == "VALIDATION_ERROR"


async def test_invalid_request_id_is_replaced_consistently(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    sent = "not a valid id!"
    response = await client.post(
        "/v1/locations", headers={**tenant.headers, "X-Request-Id": sent}, json={"name": "R"}
    )
    assert response.status_code == 201, response.text
    given = response.headers["X-Request-Id"]
    assert given
    assert given != sent
    entry = by_request(await audit(client, tenant))[given]
    assert entry["resourceId"] == response.json()["locationId"]


async def test_idempotent_replay_is_audited_once(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    headers = {**tenant.headers, "Idempotency-Key": uuid.uuid4().hex}
    first = await client.post("/v1/locations", headers=headers, json={"name": "Once"})
    again = await client.post("/v1/locations", headers=headers, json={"name": "Once"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json()["locationId"] == first.json()["locationId"]
    entries = await audit(client, tenant, resourceId=first.json()["locationId"])
    assert entries["total"] == 1


async def test_audit_log_is_tenant_scoped(
    client: httpx.AsyncClient, tenant: TenantFixture, make_tenant: TenantFactory
) -> None:
    loc = await add_location(client, tenant)
    other = await make_tenant()
    assert (await audit(client, other, resourceId=loc["locationId"]))["total"] == 0
    assert (await audit(client, other, principalId=tenant.owner_id))["total"] == 0
    assert (await audit(client, tenant, resourceId=loc["locationId"]))["total"] == 1


async def test_updated_from_filters_the_audit_log(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    await add_location(client, tenant, "Before")
    mark = datetime.now(UTC)
    after = await add_location(client, tenant, "After")
    since = await audit(client, tenant, updatedFrom=mark.isoformat())
    assert [e["resourceId"] for e in since["items"]] == [after["locationId"]]


@pytest.mark.parametrize("who", ["cashier", "api_key"])
async def test_reading_needs_audit_read(
    client: httpx.AsyncClient, tenant: TenantFixture, who: str
) -> None:
    if who == "cashier":
        headers = bearer((await add_user(client, tenant, "cashier"))[1])
    else:
        headers = bearer((await add_api_key(client, tenant, ["settings:read"]))["key"])
    response = await client.get("/v1/audit-log", headers=headers)
    assert response.status_code == 403, response.text
    assert response.json()["error"]["code"] == "FORBIDDEN"
    unauthenticated = await client.get("/v1/audit-log")
    assert unauthenticated.status_code == 401
