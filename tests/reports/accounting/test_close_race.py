"""Two closes of the same day at once: one closes it, the other is 409 (the key decides)."""

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx

from tests.support.tenants import TenantFixture, add_location

CLOSES = "/v1/accounting/day-closes"


async def test_two_closes_at_once_close_it_once(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    location = (await add_location(client, tenant))["locationId"]
    day = datetime.now(UTC).astimezone(ZoneInfo("America/New_York")).date() - timedelta(days=2)
    path, params = CLOSES, {"date": day.isoformat(), "locationId": location}

    async def close() -> httpx.Response:
        return await client.post(path, params=params, headers=tenant.headers)

    first, second = await asyncio.gather(close(), close())
    assert sorted([first.status_code, second.status_code]) == [201, 409], (
        first.text,
        second.text,
    )
    events = await client.get(
        "/v1/events", params={"types": "accounting.day_closed"}, headers=tenant.headers
    )
    assert len(events.json()["items"]) == 1


async def test_a_close_sent_again_with_its_idempotency_key_is_replayed(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    location = (await add_location(client, tenant))["locationId"]
    day = datetime.now(UTC).astimezone(ZoneInfo("America/New_York")).date() - timedelta(days=3)
    params = {"date": day.isoformat(), "locationId": location}
    headers = {**tenant.headers, "Idempotency-Key": "close-once"}
    first = await client.post(CLOSES, params=params, headers=headers)
    again = await client.post(CLOSES, params=params, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201), again.text
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
