"""The event feed never loses an event: concurrent writers, a polling consumer, exact once."""

import asyncio
import time

from tests.support.tenants import TenantFixture
from tillpoint.core.events import pending_events, read_events, record_event, write_events
from tillpoint.core.transactions import commit

WRITERS = 8
WRITE_SECONDS = 3.0


async def poll_all(client, tenant: TenantFixture, after: int) -> tuple[list[dict], int]:
    response = await client.get(
        "/v1/events", headers=tenant.headers, params={"after": after, "limit": 37}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    return body["items"], body["nextAfter"]


async def test_concurrent_writers_and_a_polling_consumer(client, db, tenant: TenantFixture) -> None:
    created: list[str] = []
    stop_at = time.monotonic() + WRITE_SECONDS

    async def writer(n: int) -> None:
        i = 0
        while time.monotonic() < stop_at:
            response = await client.post(
                "/v1/locations", headers=tenant.headers, json={"name": f"w{n}-{i}"}
            )
            assert response.status_code == 201, response.text
            location = response.json()
            created.append(location["locationId"])
            patched = await client.patch(
                f"/v1/locations/{location['locationId']}",
                headers=tenant.headers,
                json={"active": False},
            )
            assert patched.status_code == 200, patched.text
            i += 1

    seen: list[dict] = []
    writers_done = asyncio.Event()

    async def consumer() -> None:
        after = 0
        while True:
            items, after = await poll_all(client, tenant, after)
            seen.extend(items)
            if not items:
                if writers_done.is_set():
                    items, after = await poll_all(client, tenant, after)
                    seen.extend(items)
                    if not items:
                        return
                await asyncio.sleep(0.01)

    consuming = asyncio.create_task(consumer())
    await asyncio.gather(*(writer(n) for n in range(WRITERS)))
    writers_done.set()
    await asyncio.wait_for(consuming, timeout=60)

    seqs = [e["seq"] for e in seen]
    assert len(created) >= WRITERS * 3, "the writers barely ran"
    assert seqs == sorted(seqs), "out of order"
    assert len(set(seqs)) == len(seqs), "duplicated"
    assert seqs == list(range(1, len(seqs) + 1)), "a gap: some event was skipped"
    async with db.session(tenant_id=tenant.id) as session:
        stored = (await read_events(session, after=0, limit=100_000)).events
    assert [e.id for e in stored] == [e["id"] for e in seen]
    created_events = {e["data"]["locationId"] for e in seen if e["type"] == "location.created"}
    updated_events = {e["data"]["locationId"] for e in seen if e["type"] == "location.updated"}
    assert created_events == updated_events == set(created)


async def test_an_event_in_flight_holds_back_later_ones(db, tenant: TenantFixture) -> None:
    """T1 has taken a number but not committed; T2 commits meanwhile. A reader must see neither
    until T1 commits, and then both in order — never T2 alone (its consumer would skip T1)."""
    async with db.session(tenant_id=tenant.id, read_only=True) as reader:
        start = (await read_events(reader, after=0, limit=100_000)).next_after

    first = db.session(tenant_id=tenant.id)
    record_event(first, "test.first", {"n": 1})
    await write_events(first, pending_events(first))  # numbered, row lock held, not committed
    first.info.pop("pending_events")

    async def second_writer() -> None:
        async with db.session(tenant_id=tenant.id) as second:
            record_event(second, "test.second", {"n": 2})
            await commit(second)

    second_task = asyncio.create_task(second_writer())
    await asyncio.sleep(0.3)
    async with db.session(tenant_id=tenant.id, read_only=True) as reader:
        page = await read_events(reader, after=start, limit=10)
    assert page.events == []
    assert page.next_after == start
    assert not second_task.done(), "the second writer took a number while the first held its own"

    await first.commit()
    await first.close()
    await asyncio.wait_for(second_task, timeout=30)
    async with db.session(tenant_id=tenant.id, read_only=True) as reader:
        page = await read_events(reader, after=start, limit=10)
    assert [e.type for e in page.events] == ["test.first", "test.second"]
    assert [e.seq for e in page.events] == [start + 1, start + 2]


async def test_type_filter_and_next_after_skip_filtered_events(
    client, tenant: TenantFixture
) -> None:
    location = (
        await client.post("/v1/locations", headers=tenant.headers, json={"name": "A"})
    ).json()
    await client.post(
        f"/v1/locations/{location['locationId']}/registers",
        headers=tenant.headers,
        json={"name": "R1"},
    )
    everything = (await client.get("/v1/events", headers=tenant.headers)).json()
    only = (
        await client.get("/v1/events", headers=tenant.headers, params={"types": "register.*"})
    ).json()
    assert [e["type"] for e in only["items"]] == ["register.created"]
    assert only["nextAfter"] == everything["nextAfter"] == everything["items"][-1]["seq"]
    assert only["hasMore"] is False
    assert everything["items"][0]["occurredAt"].endswith("Z")


async def test_limit_pages_through_the_feed(client, tenant: TenantFixture) -> None:
    for i in range(5):
        await client.post("/v1/locations", headers=tenant.headers, json={"name": f"L{i}"})
    first = (await client.get("/v1/events?limit=2", headers=tenant.headers)).json()
    assert len(first["items"]) == 2
    assert first["hasMore"] is True
    rest = (
        await client.get(f"/v1/events?after={first['nextAfter']}&limit=100", headers=tenant.headers)
    ).json()
    # tenant.created, user.created, two tax_class.created, then the five locations.
    assert [e["seq"] for e in first["items"] + rest["items"]] == list(range(1, 10))


async def test_a_change_that_changes_nothing_appends_nothing(client, tenant: TenantFixture) -> None:
    location = (
        await client.post("/v1/locations", headers=tenant.headers, json={"name": "A"})
    ).json()
    before = (await client.get("/v1/events", headers=tenant.headers)).json()["nextAfter"]
    same = await client.patch(
        f"/v1/locations/{location['locationId']}", headers=tenant.headers, json={"name": "A"}
    )
    assert same.status_code == 200
    assert same.json()["version"] == location["version"]
    after = (await client.get("/v1/events", headers=tenant.headers)).json()["nextAfter"]
    assert after == before
