"""Per-key rate limits with RateLimit-* headers; 429 + Retry-After past the limit."""

import os
import uuid

import httpx
import pytest

from tests.support.tenants import TenantFixture, add_api_key, bearer, make_settings
from tillpoint.app import create_app
from tillpoint.core.db import Database
from tillpoint.core.transactions import transaction

REDIS_URL = os.environ.get("TILLPOINT_TEST_REDIS_URL")


async def burn(client: httpx.AsyncClient, key: str, n: int) -> list[httpx.Response]:
    return [await client.get("/v1/locations", headers=bearer(key)) for _ in range(n)]


async def test_the_61st_request_in_a_minute_is_limited(client, tenant: TenantFixture) -> None:
    limited = await add_api_key(client, tenant, ["settings:read"], rateLimitPerMinute=60)
    other = await add_api_key(client, tenant, ["settings:read"], rateLimitPerMinute=60)
    responses = await burn(client, limited["key"], 60)
    assert [r.status_code for r in responses] == [200] * 60
    assert responses[0].headers["RateLimit-Limit"] == "60"
    assert responses[0].headers["RateLimit-Remaining"] == "59"
    assert responses[-1].headers["RateLimit-Remaining"] == "0"
    assert 0 < int(responses[-1].headers["RateLimit-Reset"]) <= 60

    refused = await client.get("/v1/locations", headers=bearer(limited["key"]))
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "RATE_LIMITED"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60

    # Another key of the same tenant is unaffected.
    assert (await client.get("/v1/locations", headers=bearer(other["key"]))).status_code == 200


async def test_users_get_the_headers_too(client, tenant: TenantFixture) -> None:
    response = await client.get("/v1/me", headers=tenant.headers)
    assert int(response.headers["RateLimit-Limit"]) > 0
    assert "RateLimit-Remaining" in response.headers


@pytest.mark.skipif(not REDIS_URL, reason="TILLPOINT_TEST_REDIS_URL not set")
async def test_replicas_share_limits_through_redis(database_url: str, tmp_path) -> None:
    """Two app instances (two replicas) on one Redis count one key's requests together."""
    settings = make_settings(
        database_url, tmp_path, redis_url=REDIS_URL, default_rate_limit_per_minute=600
    )
    db = Database(settings.sqlalchemy_url)
    replicas = [create_app(settings, db=db), create_app(settings, db=db)]
    clients = [
        httpx.AsyncClient(transport=httpx.ASGITransport(app=a), base_url="http://t")
        for a in replicas
    ]
    try:
        from tillpoint.provisioning import create_tenant

        email = f"redis-{uuid.uuid4().hex[:8]}@shop.example.com"
        async with transaction(db) as session:
            await create_tenant(session, name="R", owner_email=email, owner_password="x" * 12)
        token = (
            await clients[0].post("/v1/sessions", json={"username": email, "password": "x" * 12})
        ).json()["authToken"]
        created = await clients[0].post(
            "/v1/api-keys",
            headers=bearer(token),
            json={"name": "shared", "scopes": ["settings:read"], "rateLimitPerMinute": 10},
        )
        key = created.json()["key"]
        statuses = [
            (await clients[i % 2].get("/v1/locations", headers=bearer(key))).status_code
            for i in range(11)
        ]
        assert statuses == [200] * 10 + [429]
    finally:
        for c in clients:
            await c.aclose()
        await db.dispose()
