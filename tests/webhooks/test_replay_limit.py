"""A replay of more than 10,000 events is refused whole, and queues nothing."""

from datetime import timedelta

import httpx

from tests.support.tenants import TenantFixture
from tillpoint.core.db import Database, utcnow
from tillpoint.core.events import record_event
from tillpoint.core.transactions import transaction

HOOKS = "/v1/webhooks"
# A public address (never contacted: the subscription is inactive and only replayed).
PUBLIC_URL = "https://93.184.215.14/tillpoint/hooks"
TOO_MANY = 10_001


async def test_a_replay_of_more_than_10000_events_is_refused_and_queues_nothing(
    client: httpx.AsyncClient, tenant: TenantFixture, db: Database
) -> None:
    started = utcnow() - timedelta(seconds=1)
    # The events a busy day leaves behind, written as the app writes them (one transaction).
    async with transaction(db, tenant_id=tenant.id) as session:
        for i in range(TOO_MANY):
            record_event(session, "location.updated", {"n": i}, subject_id=f"loc_{i}")
        for i in range(3):
            record_event(session, "location.created", {"n": i}, subject_id=f"loc_new_{i}")
    hook = await client.post(
        HOOKS,
        headers=tenant.headers,
        json={"url": PUBLIC_URL, "eventTypes": ["location.*"], "active": False},
    )
    assert hook.status_code == 201, hook.text
    hook_id = hook.json()["webhookId"]
    window = {"from": started.isoformat(), "to": (utcnow() + timedelta(seconds=1)).isoformat()}

    refused = await client.post(f"{HOOKS}/{hook_id}/replay", headers=tenant.headers, json=window)
    assert refused.status_code == 400, refused.text
    error = refused.json()["error"]
    assert error["code"] == "REPLAY_RANGE_TOO_LARGE"
    assert "10000" in error["message"]
    deliveries = await client.get(f"{HOOKS}/{hook_id}/deliveries", headers=tenant.headers)
    assert deliveries.json()["total"] == 0

    # A filter that leaves fewer events in the same range replays just those.
    narrow = await client.patch(
        f"{HOOKS}/{hook_id}",
        headers=tenant.headers,
        json={"eventTypes": ["location.created"], "version": hook.json()["version"]},
    )
    assert narrow.status_code == 200, narrow.text
    allowed = await client.post(f"{HOOKS}/{hook_id}/replay", headers=tenant.headers, json=window)
    assert allowed.status_code == 202, allowed.text
    assert allowed.json()["deliveriesCreated"] == 3
    deliveries = await client.get(f"{HOOKS}/{hook_id}/deliveries", headers=tenant.headers)
    assert deliveries.json()["total"] == 3
