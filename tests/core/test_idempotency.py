"""Idempotency-Key: retries replay the first response; nothing is ever created twice."""

import asyncio
from datetime import timedelta

from sqlalchemy import update

from tests.support.tenants import TenantFixture
from tillpoint.core.db import utcnow
from tillpoint.core.idempotency import IdempotencyRecord


def keyed(tenant: TenantFixture, key: str) -> dict[str, str]:
    return {**tenant.headers, "Idempotency-Key": key}


async def location_count(client, tenant: TenantFixture) -> int:
    return int((await client.get("/v1/locations", headers=tenant.headers)).json()["total"])


async def test_replay_returns_the_identical_response(client, tenant: TenantFixture) -> None:
    body = {"name": "SoHo", "timezone": "America/New_York"}
    first = await client.post("/v1/locations", headers=keyed(tenant, "k-1"), json=body)
    # Same JSON with other key order and spacing is the same request.
    again = await client.post(
        "/v1/locations",
        headers={**keyed(tenant, "k-1"), "Content-Type": "application/json"},
        content=b'{ "timezone": "America/New_York",  "name": "SoHo" }',
    )
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert await location_count(client, tenant) == 1


async def test_same_key_with_another_body_is_refused(client, tenant: TenantFixture) -> None:
    await client.post("/v1/locations", headers=keyed(tenant, "k-2"), json={"name": "A"})
    other = await client.post("/v1/locations", headers=keyed(tenant, "k-2"), json={"name": "B"})
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert await location_count(client, tenant) == 1


async def test_concurrent_requests_with_one_key_create_once(client, tenant: TenantFixture) -> None:
    body = {"name": "Race"}
    responses = await asyncio.gather(
        *(
            client.post("/v1/locations", headers=keyed(tenant, "k-race"), json=body)
            for _ in range(12)
        )
    )
    statuses = sorted(r.status_code for r in responses)
    assert set(statuses) <= {201, 409}, statuses
    created = [r for r in responses if r.status_code == 201]
    assert created, statuses
    assert len({r.json()["locationId"] for r in created}) == 1
    for refused in (r for r in responses if r.status_code == 409):
        assert refused.json()["error"]["code"] == "IDEMPOTENCY_KEY_IN_USE"
    assert await location_count(client, tenant) == 1


async def test_keys_are_scoped_to_the_tenant(client, make_tenant) -> None:
    first, second = await make_tenant(), await make_tenant()
    a = await client.post("/v1/locations", headers=keyed(first, "shared"), json={"name": "A"})
    b = await client.post("/v1/locations", headers=keyed(second, "shared"), json={"name": "A"})
    assert a.status_code == b.status_code == 201
    assert a.json()["locationId"] != b.json()["locationId"]
    assert "Idempotent-Replayed" not in b.headers


async def test_client_errors_are_replayed_too(client, tenant: TenantFixture) -> None:
    body = {"name": "Bad zone", "timezone": "Mars/Olympus"}
    first = await client.post("/v1/locations", headers=keyed(tenant, "k-400"), json=body)
    again = await client.post("/v1/locations", headers=keyed(tenant, "k-400"), json=body)
    assert first.status_code == again.status_code == 400
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["error"]["details"] == first.json()["error"]["details"]


async def test_a_claim_abandoned_by_a_crash_can_be_retried(
    client, db, tenant: TenantFixture
) -> None:
    """A process that died mid-request leaves its claim, and its heartbeat stops; after the
    stale window it is retaken. (tests/core/test_idempotency_crash.py kills a real server.)"""
    first = await client.post("/v1/locations", headers=keyed(tenant, "k-crash"), json={"name": "X"})
    assert first.status_code == 201
    async with db.session(tenant_id=tenant.id) as session, session.begin():
        await session.execute(
            update(IdempotencyRecord)
            .where(IdempotencyRecord.key == "k-crash")
            .values(
                completed=False,
                claimed_at=utcnow() - timedelta(hours=1),
                heartbeat_at=utcnow() - timedelta(minutes=1),
            )
        )
    retried = await client.post(
        "/v1/locations", headers=keyed(tenant, "k-crash"), json={"name": "X"}
    )
    assert retried.status_code == 201
    assert "Idempotent-Replayed" not in retried.headers


async def test_keys_expire_after_a_day(client, db, tenant: TenantFixture) -> None:
    await client.post("/v1/locations", headers=keyed(tenant, "k-old"), json={"name": "Old"})
    async with db.session(tenant_id=tenant.id) as session, session.begin():
        await session.execute(
            update(IdempotencyRecord)
            .where(IdempotencyRecord.key == "k-old")
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    fresh = await client.post("/v1/locations", headers=keyed(tenant, "k-old"), json={"name": "New"})
    assert fresh.status_code == 201
    assert fresh.json()["name"] == "New"


async def test_an_overlong_key_is_a_validation_error(client, tenant: TenantFixture) -> None:
    response = await client.post(
        "/v1/locations", headers=keyed(tenant, "k" * 300), json={"name": "A"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert await location_count(client, tenant) == 0


async def test_server_errors_are_not_stored_so_a_retry_runs_again(
    database_url: str, tmp_path, tenant: TenantFixture
) -> None:
    """A route of this test's own app instance fails once with an unexpected error."""
    import httpx

    from tests.support.tenants import make_settings
    from tillpoint.app import create_app
    from tillpoint.core.deps import CurrentPrincipal

    app = create_app(make_settings(database_url, tmp_path))
    calls: list[int] = []

    @app.post("/v1/flaky-test-route", status_code=201)
    async def flaky(_: CurrentPrincipal) -> dict[str, int]:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the database went away")
        return {"calls": len(calls)}

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://t") as c,
    ):
        headers = keyed(tenant, "k-500")
        first = await c.post("/v1/flaky-test-route", headers=headers, json={})
        assert first.status_code == 500
        assert first.json()["error"]["code"] == "INTERNAL_ERROR"
        assert "Traceback" not in first.text
        retried = await c.post("/v1/flaky-test-route", headers=headers, json={})
        assert retried.status_code == 201
        assert retried.json() == {"calls": 2}
        assert "Idempotent-Replayed" not in retried.headers
        replayed = await c.post("/v1/flaky-test-route", headers=headers, json={})
        assert replayed.headers["Idempotent-Replayed"] == "true"
        assert len(calls) == 2
