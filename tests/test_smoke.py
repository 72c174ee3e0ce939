from conftest import TenantFixture


async def test_login_and_me(client, tenant: TenantFixture) -> None:
    response = await client.get("/v1/me", headers=tenant.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["id"] == tenant.owner_id
    assert body["tenant"]["id"] == tenant.id
    assert "orders" in body["entitlements"]


async def test_create_location_and_feed(client, tenant: TenantFixture) -> None:
    created = await client.post("/v1/locations", headers=tenant.headers, json={"name": "SoHo"})
    assert created.status_code == 201, created.text
    events = await client.get("/v1/events", headers=tenant.headers, params={"types": "location.*"})
    assert events.status_code == 200, events.text
    assert [e["type"] for e in events.json()["items"]] == ["location.created"]
