from fastapi.routing import iter_route_contexts

from tests.support.tenants import TenantFixture


async def test_login_and_me(client, tenant: TenantFixture) -> None:
    response = await client.get("/v1/me", headers=tenant.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["principalId"] == tenant.owner_id
    assert body["tenant"]["tenantId"] == tenant.id
    assert "orders" in body["entitlements"]


async def test_create_location_and_feed(client, tenant: TenantFixture) -> None:
    created = await client.post("/v1/locations", headers=tenant.headers, json={"name": "SoHo"})
    assert created.status_code == 201, created.text
    events = await client.get("/v1/events", headers=tenant.headers, params={"types": "location.*"})
    assert events.status_code == 200, events.text
    assert [e["type"] for e in events.json()["items"]] == ["location.created"]


def test_no_two_routes_serve_one_method_and_path(app) -> None:
    """Routers are included hot paths first (app.py); that order may only change speed, never
    which endpoint answers, so no method and path may be served twice."""
    served = [
        (method, route.path)
        for route in iter_route_contexts(app.routes)
        for method in sorted(route.methods or ())
    ]
    assert len(served) > 100
    assert len(served) == len(set(served)), sorted(
        {pair for pair in served if served.count(pair) > 1}
    )
