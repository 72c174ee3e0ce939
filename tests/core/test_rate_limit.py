"""Per-key rate limits with RateLimit-* headers; 429 + Retry-After past the limit."""

import math
import os
import uuid

import httpx
import hypothesis
import pytest
from hypothesis import strategies as st

from tests.support.tenants import TenantFixture, add_api_key, bearer, make_settings
from tillpoint.app import create_app
from tillpoint.core.db import Database
from tillpoint.core.ratelimit import MovingWindows
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


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_window_lets_the_limit_through_then_refuses_until_the_oldest_leaves() -> None:
    clock = FakeClock()
    windows = MovingWindows(window=60, clock=clock)
    first = windows.hit("k", 3)
    assert (first.allowed, first.remaining, first.reset_seconds) == (True, 2, 60)
    clock.now += 10
    assert windows.hit("k", 3).remaining == 1
    assert windows.hit("k", 3).remaining == 0
    refused = windows.hit("k", 3)
    assert (refused.allowed, refused.remaining, refused.reset_seconds) == (False, 0, 50)
    assert refused.headers()["Retry-After"] == "50"
    assert windows.hit("other", 3).allowed  # keys count apart
    clock.now += 50  # the first hit leaves the window
    again = windows.hit("k", 3)
    assert (again.allowed, again.remaining, again.reset_seconds) == (True, 0, 10)


def test_keys_with_an_empty_window_are_forgotten() -> None:
    clock = FakeClock()
    windows = MovingWindows(window=60, clock=clock)
    for i in range(100):
        windows.hit(f"ip:{i}", 5)
    clock.now += 61
    windows.hit("k", 5)
    assert set(windows._hits) == {"k"}


class ReferenceWindow:
    """The rule, written as plainly as possible: a request is let through when fewer than
    ``limit`` requests were let through in the ``window`` seconds before it."""

    def __init__(self, window: float) -> None:
        self.window = window
        self.allowed: dict[str, list[float]] = {}

    def hit(self, key: str, limit: int, now: float) -> tuple[bool, int, int]:
        inside = [t for t in self.allowed.get(key, []) if t > now - self.window]
        allowed = len(inside) < limit
        if allowed:
            inside.append(now)
        self.allowed[key] = inside
        reset = math.ceil(min(inside) + self.window - now) if inside else int(self.window)
        return allowed, max(0, limit - len(inside)), reset


@hypothesis.settings(max_examples=300, deadline=None)
@hypothesis.given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c"]),
            st.floats(min_value=0, max_value=40, allow_nan=False),
        ),
        max_size=60,
    )
)
def test_moving_windows_agree_with_the_reference(
    requests: list[tuple[str, float]],
) -> None:
    clock = FakeClock()
    windows = MovingWindows(window=60, clock=clock)
    reference = ReferenceWindow(60)
    limits = {"a": 3, "b": 1, "c": 5}
    for key, step in requests:
        clock.now += step
        got = windows.hit(key, limits[key])
        assert (got.allowed, got.remaining, got.reset_seconds) == reference.hit(
            key, limits[key], clock.now
        )
