"""Webhook subscriptions over HTTP (docs/api.md, Webhooks): the secret shown once and stored
nowhere in clear, validation and the SSRF refusal, versions, rotation, deletion, permissions,
tenant isolation, replay ranges and the per-tenant limit.

The shared test app runs with ``webhook_allow_private=False`` and no job runner. URLs here are
public IP literals (no DNS needed); the tests cause no events after creating an active
subscription, so nothing is queued for delivery to them."""

import asyncio
import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import inspect, text

from tests.support.tenants import TenantFixture, add_api_key, add_location, add_user, bearer
from tillpoint.core.db import Database

HOOKS = "/v1/webhooks"
PUBLIC_URL = "https://93.184.215.14/tillpoint/hooks"
FIELDS = {
    "webhookId",
    "url",
    "eventTypes",
    "locationId",
    "description",
    "active",
    "disabledReason",
    "disabledAt",
    "previousSecretExpiresAt",
    "createdAt",
    "updatedAt",
    "version",
}
Json = dict[str, Any]


async def create(
    client: httpx.AsyncClient, headers: dict[str, str], expect: int = 201, **fields: Any
) -> Json:
    body = {"url": PUBLIC_URL, "eventTypes": ["location.created"], **fields}
    response = await client.post(HOOKS, headers=headers, json=body)
    assert response.status_code == expect, response.text
    result: Json = response.json()
    return result


def error_code(response: httpx.Response) -> str:
    code: str = response.json()["error"]["code"]
    return code


def parse_time(value: str) -> datetime:
    assert value.endswith("Z"), value
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


async def all_rows_text(db: Database) -> list[tuple[str, str]]:
    """Every value of every row of every table, as text (bytes decoded too)."""
    found: list[tuple[str, str]] = []
    async with db.engine.connect() as conn:
        names = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
        for name in names:
            for row in (await conn.execute(text(f'SELECT * FROM "{name}"'))).all():
                for value in row:
                    if isinstance(value, bytes | bytearray | memoryview):
                        found.append((name, bytes(value).decode("latin-1")))
                    found.append((name, str(value)))
    return found


async def test_create_shows_the_secret_once_and_get_never(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    created = await create(client, tenant.headers, description="till sync")
    assert set(created) == FIELDS | {"secret"}
    secret = created["secret"]
    assert secret.startswith("whsec_")
    assert len(secret) > 30
    assert created["url"] == PUBLIC_URL
    assert created["eventTypes"] == ["location.created"]
    assert created["active"] is True
    assert created["locationId"] is None
    assert created["disabledReason"] is None
    path = f"{HOOKS}/{created['webhookId']}"
    got = (await client.get(path, headers=tenant.headers)).json()
    assert set(got) == FIELDS
    assert got == {k: v for k, v in created.items() if k != "secret"}
    listed = (await client.get(HOOKS, headers=tenant.headers)).json()
    assert [w["webhookId"] for w in listed["items"]] == [created["webhookId"]]
    assert listed["total"] == 1
    assert all(set(w) == FIELDS for w in listed["items"])


async def test_the_secret_is_in_no_table_row_log_line_or_later_response(
    client: httpx.AsyncClient,
    db: Database,
    tenant: TenantFixture,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    key = {**tenant.headers, "Idempotency-Key": f"wh-{uuid.uuid4()}"}
    body = {"url": PUBLIC_URL, "eventTypes": ["order.*"]}
    first = await client.post(HOOKS, headers=key, json=body)
    assert first.status_code == 201, first.text
    secret, webhook_id = first.json()["secret"], first.json()["webhookId"]
    replayed = await client.post(HOOKS, headers=key, json=body)
    assert replayed.headers.get("Idempotent-Replayed") == "true"
    assert replayed.json()["secret"] is None, "a replay must not show the secret again"
    rotate_key = {**tenant.headers, "Idempotency-Key": f"rot-{uuid.uuid4()}"}
    rotated = await client.post(f"{HOOKS}/{webhook_id}/rotate-secret", headers=rotate_key)
    assert rotated.status_code == 200, rotated.text
    new_secret = rotated.json()["secret"]
    assert new_secret.startswith("whsec_")
    assert new_secret != secret
    again = await client.post(f"{HOOKS}/{webhook_id}/rotate-secret", headers=rotate_key)
    assert again.json()["secret"] is None
    secrets = [secret, new_secret, secret.removeprefix("whsec_"), new_secret.removeprefix("whsec_")]

    for response in (
        await client.get(HOOKS, headers=tenant.headers),
        await client.get(f"{HOOKS}/{webhook_id}", headers=tenant.headers),
        await client.get(f"{HOOKS}/{webhook_id}/deliveries", headers=tenant.headers),
        await client.get("/v1/events", headers=tenant.headers, params={"limit": 1000}),
        await client.get("/v1/audit-log", headers=tenant.headers, params={"pageSize": 200}),
    ):
        assert not any(s in response.text for s in secrets), response.text
    for table, value in await all_rows_text(db):
        assert not any(s in value for s in secrets), f"a webhook secret in table {table}"
    for record in caplog.records:
        line = f"{record.getMessage()} {vars(record)}"
        assert not any(s in line for s in secrets), record


@pytest.mark.parametrize("types", [["order.*"], ["*"], ["location.created", "product.*"]])
async def test_event_types_families_and_star_are_accepted(
    client: httpx.AsyncClient, tenant: TenantFixture, types: list[str]
) -> None:
    created = await create(client, tenant.headers, eventTypes=types, active=False)
    assert created["eventTypes"] == types
    assert created["active"] is False


@pytest.mark.parametrize(
    "types", [["order.complete"], ["location.created", "nonsense"], ["ordr.*"], []]
)
async def test_unknown_event_types_are_a_validation_error(
    client: httpx.AsyncClient, tenant: TenantFixture, types: list[str]
) -> None:
    response = await client.post(
        HOOKS, headers=tenant.headers, json={"url": PUBLIC_URL, "eventTypes": types}
    )
    assert response.status_code == 400, response.text
    assert error_code(response) == "VALIDATION_ERROR"
    assert (await client.get(HOOKS, headers=tenant.headers)).json()["total"] == 0


@pytest.mark.parametrize(
    "url",
    [
        "http://93.184.215.14/hooks",  # plain http
        "http://127.0.0.1:8080/hooks",
        "https://127.0.0.1/hooks",
        "https://10.0.0.1/hooks",
        "https://169.254.169.254/latest/meta-data",
        "https://localhost/hooks",
        "https://[::1]/hooks",
        "https://user:pass@93.184.215.14/hooks",
    ],
)
async def test_private_and_plain_http_urls_are_refused(
    client: httpx.AsyncClient, tenant: TenantFixture, url: str
) -> None:
    response = await client.post(
        HOOKS, headers=tenant.headers, json={"url": url, "eventTypes": ["location.created"]}
    )
    assert response.status_code == 400, response.text
    assert error_code(response) == "WEBHOOK_URL_NOT_ALLOWED"
    assert response.json()["error"]["message"]
    created = await create(client, tenant.headers, active=False)
    patched = await client.patch(
        f"{HOOKS}/{created['webhookId']}", headers=tenant.headers, json={"url": url}
    )
    assert patched.status_code == 400, patched.text
    assert error_code(patched) == "WEBHOOK_URL_NOT_ALLOWED"
    got = (await client.get(f"{HOOKS}/{created['webhookId']}", headers=tenant.headers)).json()
    assert got["url"] == PUBLIC_URL


async def test_patch_with_a_stale_version_is_a_conflict(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    created = await create(client, tenant.headers, active=False)
    path = f"{HOOKS}/{created['webhookId']}"
    first = await client.patch(
        path,
        headers=tenant.headers,
        json={"description": "v2", "eventTypes": ["order.*"], "version": created["version"]},
    )
    assert first.status_code == 200, first.text
    assert first.json()["version"] > created["version"]
    assert (first.json()["description"], first.json()["eventTypes"]) == ("v2", ["order.*"])
    assert "secret" not in first.json()
    stale = await client.patch(
        path, headers=tenant.headers, json={"description": "v3", "version": created["version"]}
    )
    assert stale.status_code == 409, stale.text
    assert error_code(stale) == "VERSION_CONFLICT"
    assert (await client.get(path, headers=tenant.headers)).json() == first.json()
    unknown = await client.patch(path, headers=tenant.headers, json={"colour": "red"})
    assert unknown.status_code == 400
    assert error_code(unknown) == "VALIDATION_ERROR"


async def test_rotate_secret_keeps_the_old_one_for_24_hours(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    created = await create(client, tenant.headers, active=False)
    path = f"{HOOKS}/{created['webhookId']}"
    assert created["previousSecretExpiresAt"] is None
    rotated = await client.post(f"{path}/rotate-secret", headers=tenant.headers)
    assert rotated.status_code == 200, rotated.text
    body = rotated.json()
    assert set(body) == FIELDS | {"secret"}
    assert body["secret"].startswith("whsec_")
    assert body["secret"] != created["secret"]
    expires = parse_time(body["previousSecretExpiresAt"])
    expected = datetime.now(UTC) + timedelta(hours=24)
    assert abs((expires - expected).total_seconds()) < 120
    got = (await client.get(path, headers=tenant.headers)).json()
    assert got["previousSecretExpiresAt"] == body["previousSecretExpiresAt"]
    assert "secret" not in got


async def test_delete_then_not_found(client: httpx.AsyncClient, tenant: TenantFixture) -> None:
    created = await create(client, tenant.headers, active=False)
    path = f"{HOOKS}/{created['webhookId']}"
    deleted = await client.delete(path, headers=tenant.headers)
    assert deleted.status_code == 204
    assert deleted.content == b""
    for response in (
        await client.get(path, headers=tenant.headers),
        await client.delete(path, headers=tenant.headers),
        await client.patch(path, headers=tenant.headers, json={"description": "x"}),
        await client.get(f"{path}/deliveries", headers=tenant.headers),
    ):
        assert response.status_code == 404, response.text
        assert error_code(response) == "NOT_FOUND"
    assert (await client.get(HOOKS, headers=tenant.headers)).json()["total"] == 0


async def test_a_cashier_may_not_manage_webhooks_but_a_scoped_key_may(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    created = await create(client, tenant.headers, active=False)
    _user, cashier = await add_user(client, tenant, "cashier")
    as_cashier = bearer(cashier)
    path = f"{HOOKS}/{created['webhookId']}"
    for response in (
        await client.get(HOOKS, headers=as_cashier),
        await client.get(path, headers=as_cashier),
        await client.post(HOOKS, headers=as_cashier, json={"url": PUBLIC_URL, "eventTypes": ["*"]}),
        await client.post(f"{path}/rotate-secret", headers=as_cashier),
        await client.delete(path, headers=as_cashier),
    ):
        assert response.status_code == 403, response.text
        assert error_code(response) == "FORBIDDEN"
    assert (await client.get(path, headers=tenant.headers)).status_code == 200
    permissions = (await client.get("/v1/permissions", headers=tenant.headers)).text
    assert "webhooks:manage" in permissions
    key = await add_api_key(client, tenant, ["webhooks:manage"])
    made = await create(client, bearer(key["key"]), active=False)
    assert made["secret"].startswith("whsec_")


async def test_another_tenants_webhook_is_not_found(
    client: httpx.AsyncClient, tenant: TenantFixture, make_tenant: Any
) -> None:
    theirs = await create(client, tenant.headers, active=False)
    other = await make_tenant()
    path = f"{HOOKS}/{theirs['webhookId']}"
    for response in (
        await client.get(path, headers=other.headers),
        await client.patch(path, headers=other.headers, json={"description": "mine"}),
        await client.post(f"{path}/rotate-secret", headers=other.headers),
        await client.post(f"{path}/test", headers=other.headers),
        await client.get(f"{path}/deliveries", headers=other.headers),
        await client.post(
            f"{path}/replay",
            headers=other.headers,
            json={"from": "2000-01-01T00:00:00Z", "to": "2000-01-02T00:00:00Z"},
        ),
        await client.delete(path, headers=other.headers),
    ):
        assert response.status_code == 404, response.text
        assert error_code(response) == "NOT_FOUND"
    assert (await client.get(HOOKS, headers=other.headers)).json()["total"] == 0
    assert (await client.get(path, headers=tenant.headers)).json()["description"] is None


async def test_a_location_limited_user_subscribes_only_to_their_locations(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    mine = await add_location(client, tenant, "Mine")
    foreign = await add_location(client, tenant, "Not mine")
    _user, token = await add_user(client, tenant, "integration", location_ids=[mine["locationId"]])
    limited = bearer(token)
    refused = await client.post(
        HOOKS,
        headers=limited,
        json={"url": PUBLIC_URL, "eventTypes": ["*"], "locationId": foreign["locationId"]},
    )
    assert refused.status_code == 403, refused.text
    tenant_wide = await client.post(
        HOOKS, headers=limited, json={"url": PUBLIC_URL, "eventTypes": ["location.created"]}
    )
    assert tenant_wide.status_code == 403, tenant_wide.text
    made = await create(client, limited, locationId=mine["locationId"], active=False)
    assert made["locationId"] == mine["locationId"]
    moved = await client.patch(
        f"{HOOKS}/{made['webhookId']}", headers=limited, json={"locationId": foreign["locationId"]}
    )
    assert moved.status_code == 403, moved.text
    everywhere = await client.patch(
        f"{HOOKS}/{made['webhookId']}", headers=limited, json={"locationId": None}
    )
    assert everywhere.status_code == 403, everywhere.text
    listed = (await client.get(HOOKS, headers=tenant.headers)).json()
    assert [w["webhookId"] for w in listed["items"]] == [made["webhookId"]]


async def test_replay_range_is_validated(client: httpx.AsyncClient, tenant: TenantFixture) -> None:
    created = await create(client, tenant.headers, active=False)
    path = f"{HOOKS}/{created['webhookId']}/replay"
    for body in (
        {"from": "2026-01-02T00:00:00Z", "to": "2026-01-01T00:00:00Z"},
        {"from": "2026-01-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"},
        {"from": "2026-01-01T00:00:00", "to": "2026-01-02T00:00:00"},  # naive
        {"from": "2026-01-01T00:00:00Z"},
        {"from": "yesterday", "to": "2026-01-02T00:00:00Z"},
    ):
        response = await client.post(path, headers=tenant.headers, json=body)
        assert response.status_code == 400, (body, response.text)
        assert error_code(response) == "VALIDATION_ERROR"
    empty = await client.post(
        path,
        headers=tenant.headers,
        json={"from": "2000-01-01T00:00:00Z", "to": "2000-01-02T00:00:00+02:00"},
    )
    assert empty.status_code == 202, empty.text
    assert empty.json()["webhookId"] == created["webhookId"]
    assert empty.json()["deliveriesCreated"] == 0
    assert parse_time(empty.json()["to"]) == datetime(2000, 1, 1, 22, tzinfo=UTC)
    listing = f"{HOOKS}/{created['webhookId']}/deliveries"
    deliveries = (await client.get(listing, headers=tenant.headers)).json()
    assert (deliveries["items"], deliveries["total"]) == ([], 0)
    unknown = await client.get(f"{listing}/whd_01JD00000000000000000000", headers=tenant.headers)
    assert unknown.status_code == 404


async def test_a_tenant_has_at_most_50_subscriptions(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    made = [
        await create(client, tenant.headers, description=f"n{i}", active=i % 2 == 0)
        for i in range(50)
    ]
    response = await client.post(
        HOOKS, headers=tenant.headers, json={"url": PUBLIC_URL, "eventTypes": ["*"]}
    )
    assert response.status_code == 409, response.text
    assert error_code(response) == "WEBHOOK_LIMIT_REACHED"
    listed = (await client.get(HOOKS, headers=tenant.headers, params={"pageSize": 200})).json()
    assert listed["total"] == 50
    assert [w["webhookId"] for w in listed["items"]] == [w["webhookId"] for w in made]
    gone = await client.delete(f"{HOOKS}/{made[7]['webhookId']}", headers=tenant.headers)
    assert gone.status_code == 204
    await create(client, tenant.headers, active=False)


async def test_concurrent_creates_never_pass_the_limit(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    body = {"url": PUBLIC_URL, "eventTypes": ["location.created"], "active": False}
    for _ in range(44):
        await create(client, tenant.headers, active=False)

    async def one() -> int:  # 12 at once for the last 6 places (few connections at a time)
        response = await client.post(HOOKS, headers=tenant.headers, json=body)
        assert response.status_code in (201, 409), response.text
        return response.status_code

    statuses = await asyncio.gather(*(one() for _ in range(12)))
    assert statuses.count(201) == 6, statuses
    listed = (await client.get(HOOKS, headers=tenant.headers, params={"pageSize": 200})).json()
    assert listed["total"] == 50
