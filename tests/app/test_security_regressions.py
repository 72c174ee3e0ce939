"""Regressions for defects found in review: each test is an attack that once worked."""

import asyncio
import time
import uuid
from collections import Counter

from sqlalchemy import select

from tests.support.tenants import (
    PASSWORD,
    TenantFixture,
    add_location,
    add_user,
    bearer,
    login,
)
from tillpoint.core.idempotency import IdempotencyRecord, IdempotencyStore


async def role_id(client, tenant: TenantFixture, name: str) -> str:
    roles = (await client.get("/v1/roles", headers=tenant.headers)).json()["items"]
    return next(r["roleId"] for r in roles if r["name"] == name)


async def test_a_location_limited_manager_cannot_touch_users_beyond_its_locations(
    client, tenant: TenantFixture
) -> None:
    shop, other = (
        await add_location(client, tenant, "Shop"),
        await add_location(client, tenant, "Other"),
    )
    everywhere_id, _ = await add_user(client, tenant, "manager")
    _, limited = await add_user(client, tenant, "manager", location_ids=[shop["locationId"]])
    hijack = await client.patch(
        f"/v1/users/{everywhere_id}", headers=bearer(limited), json={"password": "taken-over!"}
    )
    assert hijack.status_code == 404
    listed = (await client.get("/v1/users", headers=bearer(limited))).json()["items"]
    assert everywhere_id not in {u["userId"] for u in listed}
    assert tenant.owner_id not in {u["userId"] for u in listed}
    assert (
        await client.get(f"/v1/locations/{other['locationId']}", headers=bearer(limited))
    ).status_code == 404


async def test_a_location_limited_user_cannot_mint_an_api_key(
    client, tenant: TenantFixture
) -> None:
    shop = await add_location(client, tenant)
    role = await client.post(
        "/v1/roles",
        headers=tenant.headers,
        json={"name": "key maker", "permissions": ["api_keys:manage", "settings:read"]},
    )
    _, limited = await add_user(client, tenant, "manager", location_ids=[shop["locationId"]])
    limited_id = (await client.get("/v1/me", headers=bearer(limited))).json()["principalId"]
    await client.patch(
        f"/v1/users/{limited_id}", headers=tenant.headers, json={"roleId": role.json()["roleId"]}
    )
    email = (await client.get(f"/v1/users/{limited_id}", headers=tenant.headers)).json()["email"]
    limited = (await login(client, email)).json()["authToken"]
    response = await client.post(
        "/v1/api-keys", headers=bearer(limited), json={"name": "wide", "scopes": ["settings:read"]}
    )
    assert response.status_code == 403


async def test_managers_cannot_change_employees_with_more_access(
    client, tenant: TenantFixture
) -> None:
    shop = await add_location(client, tenant)
    boss = await client.post(
        "/v1/employees",
        headers=tenant.headers,
        json={"name": "Boss", "roleId": await role_id(client, tenant, "owner"), "pin": "1234"},
    )
    everywhere = await client.post(
        "/v1/employees",
        headers=tenant.headers,
        json={"name": "Floater", "roleId": await role_id(client, tenant, "cashier"), "pin": "1111"},
    )
    _, manager = await add_user(client, tenant, "manager")
    _, limited = await add_user(client, tenant, "manager", location_ids=[shop["locationId"]])
    pin_change = await client.patch(
        f"/v1/employees/{boss.json()['employeeId']}", headers=bearer(manager), json={"pin": "9999"}
    )
    assert pin_change.status_code == 403
    assert (
        await client.delete(f"/v1/employees/{boss.json()['employeeId']}", headers=bearer(manager))
    ).status_code == 403
    wider = await client.patch(
        f"/v1/employees/{everywhere.json()['employeeId']}",
        headers=bearer(limited),
        json={"pin": "2222"},
    )
    assert wider.status_code == 403
    fine = await client.patch(
        f"/v1/employees/{everywhere.json()['employeeId']}",
        headers=bearer(manager),
        json={"pin": "2222"},
    )
    assert fine.status_code == 200


async def test_session_responses_are_never_stored_for_replay(
    client, db, tenant: TenantFixture
) -> None:
    keyed = {**tenant.headers, "Idempotency-Key": "login-key"}
    refreshed = await client.post(
        "/v1/sessions/refresh", headers=keyed, json={"refreshToken": tenant.refresh_token}
    )
    assert refreshed.status_code == 200
    again = await client.post(
        "/v1/sessions/refresh", headers=keyed, json={"refreshToken": tenant.refresh_token}
    )
    assert again.status_code == 401, "a reused refresh token must never be answered with tokens"
    async with db.session(tenant_id=tenant.id) as session:
        stored = (
            await session.execute(
                select(IdempotencyRecord).where(IdempotencyRecord.key == "login-key")
            )
        ).first()
    assert stored is None


async def test_a_replay_goes_only_to_the_principal_who_asked(client, tenant: TenantFixture) -> None:
    _, cashier = await add_user(client, tenant, "cashier")
    body = {"name": "Paris", "timezone": "Europe/Paris"}
    created = await client.post(
        "/v1/locations", headers={**tenant.headers, "Idempotency-Key": "shared"}, json=body
    )
    assert created.status_code == 201
    replay = await client.post(
        "/v1/locations", headers={**bearer(cashier), "Idempotency-Key": "shared"}, json=body
    )
    assert replay.status_code == 422
    assert "Idempotent-Replayed" not in replay.headers


async def test_concurrent_guesses_cannot_outrun_the_lockout(client, tenant: TenantFixture) -> None:
    guesses = [f"wrong-{i}" for i in range(30)]
    responses = await asyncio.gather(*(login(client, tenant.owner_email, g) for g in guesses))
    statuses = Counter(r.status_code for r in responses)
    # At most (failures to lock − 1) + (attempts checked at once) guesses are ever checked.
    assert statuses[401] <= 4 + 5, statuses
    assert statuses[401] + statuses[423] + statuses[429] == 30, statuses
    for _ in range(10):
        if (await login(client, tenant.owner_email, "wrong-again")).status_code == 423:
            break
    assert (await login(client, tenant.owner_email)).status_code == 423


async def test_concurrent_correct_logins_to_one_account_are_not_locked_out(
    client, tenant: TenantFixture
) -> None:
    """Several tills signing in with one account at shift start."""
    responses = await asyncio.gather(*(login(client, tenant.owner_email) for _ in range(12)))
    statuses = Counter(r.status_code for r in responses)
    assert statuses[423] == 0, statuses
    assert set(statuses) <= {201, 429}, statuses
    for refused in (r for r in responses if r.status_code == 429):
        assert refused.headers["Retry-After"] == "1"
    assert (await login(client, tenant.owner_email)).status_code == 201


async def test_idempotent_writes_never_hold_two_connections(
    database_url: str, tmp_path, tenant: TenantFixture
) -> None:
    """With a pool of one connection (three with overflow), six concurrent keyed writes must
    all go through: a request holding one connection while it waits for another would stall."""
    import httpx

    from tests.support.tenants import make_settings
    from tillpoint.app import create_app
    from tillpoint.core.db import Database

    settings = make_settings(database_url, tmp_path)
    db = Database(settings.sqlalchemy_url, pool_size=1)
    app = create_app(settings, db=db)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c,
    ):
        responses = await asyncio.wait_for(
            asyncio.gather(
                *(
                    c.post(
                        "/v1/locations",
                        headers={**tenant.headers, "Idempotency-Key": f"pool-{i}"},
                        json={"name": f"P{i}"},
                    )
                    for i in range(6)
                )
            ),
            timeout=60,
        )
    assert [r.status_code for r in responses] == [201] * 6


async def test_concurrent_refresh_token_reuse_ends_the_login(client, tenant: TenantFixture) -> None:
    responses = await asyncio.gather(
        *(
            client.post("/v1/sessions/refresh", json={"refreshToken": tenant.refresh_token})
            for _ in range(5)
        )
    )
    winners = [r.json() for r in responses if r.status_code == 200]
    assert len(winners) == 1
    assert sorted(r.status_code for r in responses) == [200, 401, 401, 401, 401]
    me = await client.get("/v1/me", headers=bearer(winners[0]["authToken"]))
    assert me.status_code == 401, "the reuse must revoke the login the winner continued"


async def test_idempotency_claims_survive_a_concurrent_release(db, tenant: TenantFixture) -> None:
    store = IdempotencyStore(db, ttl_seconds=3600, stale_seconds=120)
    key = f"race-{uuid.uuid4().hex}"
    stop = asyncio.Event()

    async def releaser() -> None:
        while not stop.is_set():
            for holder in ("a", "b"):  # a release names the request whose claim it ends
                await store.release(tenant.id, key, holder)
            await asyncio.sleep(0)

    async def claimer(holder: str) -> list[str]:
        return [(await store.claim(tenant.id, key, "h", holder)).outcome.value for _ in range(150)]

    releasing = asyncio.create_task(releaser())
    try:
        outcomes = await asyncio.gather(claimer("a"), claimer("b"))
    finally:
        stop.set()
        await releasing
    assert set(outcomes[0] + outcomes[1]) <= {"claimed", "in_use"}


async def test_a_missing_mfa_code_is_not_a_failed_login(client, tenant: TenantFixture) -> None:
    """The password was right; asking for the code must not walk the user into a lockout."""
    import pyotp

    secret = (await client.post("/v1/me/mfa", headers=tenant.headers)).json()["secret"]
    confirmed = await client.post(
        "/v1/me/mfa/confirm",
        headers=tenant.headers,
        json={"code": pyotp.TOTP(secret).now(), "currentPassword": PASSWORD},
    )
    assert confirmed.status_code == 204
    for _ in range(7):
        response = await login(client, tenant.owner_email)
        assert response.json()["error"]["code"] == "MFA_REQUIRED"
    # The code used to confirm is spent; the next step's code is accepted (clock drift).
    code = pyotp.TOTP(secret).at(time.time() + 30)
    response = await login(client, tenant.owner_email, mfa={"type": "totp", "code": code})
    assert response.status_code == 201, response.text
