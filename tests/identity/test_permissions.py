"""Roles and API-key scopes decide what a principal may do; refusals write nothing."""

from tests.support.tenants import TenantFixture, add_api_key, add_location, add_user, bearer


async def count(client, tenant: TenantFixture, path: str) -> int:
    response = await client.get(path, headers=tenant.headers)
    assert response.status_code == 200, response.text
    return int(response.json()["total"])


async def test_cashier_cannot_create_keys_roles_or_tax_rates(client, tenant: TenantFixture) -> None:
    location = await add_location(client, tenant)
    _, cashier = await add_user(client, tenant, "cashier")
    rates_path = f"/v1/locations/{location['locationId']}/tax-rates"
    before = {
        path: await count(client, tenant, path)
        for path in ("/v1/api-keys", "/v1/roles", rates_path)
    }
    attempts = [
        ("/v1/api-keys", {"name": "sneaky", "scopes": ["orders:read"]}),
        ("/v1/roles", {"name": "sneaky", "permissions": ["orders:read"]}),
        (rates_path, {"taxClass": "standard", "name": "Sneaky", "rate": 1}),
    ]
    for path, body in attempts:
        response = await client.post(path, headers=bearer(cashier), json=body)
        assert response.status_code == 403, f"{path}: {response.text}"
        assert response.json()["error"]["code"] == "FORBIDDEN"
    after = {path: await count(client, tenant, path) for path in before}
    assert after == before


async def test_cashier_may_read_locations_but_not_change_them(
    client, tenant: TenantFixture
) -> None:
    location = await add_location(client, tenant)
    _, cashier = await add_user(client, tenant, "cashier")
    assert (await client.get("/v1/locations", headers=bearer(cashier))).status_code == 200
    response = await client.patch(
        f"/v1/locations/{location['locationId']}", headers=bearer(cashier), json={"name": "Renamed"}
    )
    assert response.status_code == 403
    again = await client.get(f"/v1/locations/{location['locationId']}", headers=tenant.headers)
    assert again.json()["name"] == location["name"]


async def test_api_key_is_limited_to_its_scopes(client, tenant: TenantFixture) -> None:
    key = await add_api_key(client, tenant, ["settings:read"])
    headers = bearer(key["key"])
    assert (await client.get("/v1/locations", headers=headers)).status_code == 200
    denied = await client.post("/v1/locations", headers=headers, json={"name": "Nope"})
    assert denied.status_code == 403
    assert denied.json()["error"]["code"] == "FORBIDDEN"
    assert (await client.get("/v1/users", headers=headers)).status_code == 403
    assert await count(client, tenant, "/v1/locations") == 0


async def test_integration_role_user_cannot_manage_staff(client, tenant: TenantFixture) -> None:
    _, integration = await add_user(client, tenant, "integration")
    response = await client.post(
        "/v1/users",
        headers=bearer(integration),
        json={"email": "x@shop.example.com", "name": "X", "password": "long enough", "roleId": "x"},
    )
    assert response.status_code == 403


async def test_entitlements_follow_the_role(client, tenant: TenantFixture) -> None:
    _, cashier = await add_user(client, tenant, "cashier")
    me = (await client.get("/v1/me", headers=bearer(cashier))).json()
    assert "orders" in me["entitlements"]
    assert "staff" not in me["entitlements"]
    assert "api_keys:manage" not in me["permissions"]
