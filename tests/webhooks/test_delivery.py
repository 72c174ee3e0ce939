"""Webhook delivery to real local receivers, by the job runner inside the app (both databases):
retries and the delivery log, 410 and exhausted retries disabling, order per subscription,
redirects, timeouts, rotation, test pings, redelivery, replay and the subscription filters."""

import functools
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from tests.support.server import free_port
from tests.support.webhook_receivers import (
    Received,
    Receiver,
    Reply,
    Shop,
    check_delivery,
    codes,
    eventually,
    instant,
    new_shop,
    own_shop,
    running_app,
)
from tillpoint.core.db import Database
from tillpoint.core.jobs import enqueue
from tillpoint.core.transactions import transaction
from tillpoint.migrations.metadata import metadata
from tillpoint.webhooks import WebhookVerificationError, verify

REDIRECTS = (301, 302, 303, 307, 308)
OpenShop = Callable[..., AbstractAsyncContextManager[Shop]]


@pytest.fixture(scope="module")
async def runner_client(
    database_url: str, app_and_db: tuple[Any, Database], tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[httpx.AsyncClient]:
    """One app with the runner for most tests here (each test has a tenant of its own). Tests
    needing other settings come first in this file with apps of their own, before this one
    starts: two runners on one database would share the work."""
    data_dir = tmp_path_factory.mktemp("hooks")
    async with running_app(database_url, data_dir, app_and_db[1]) as client:
        yield client


@pytest.fixture
async def shop(runner_client: httpx.AsyncClient, db: Database) -> AsyncIterator[Shop]:
    opened = await new_shop(runner_client, db)
    yield opened
    await opened.delete_hooks()  # nothing of this test is left queued for the next


@pytest.fixture
def open_shop(database_url: str, db: Database, tmp_path: Path) -> OpenShop:
    """``open_shop(**settings)``: a tenant on an app of its own with these settings."""
    return functools.partial(own_shop, database_url, tmp_path, db)


@pytest.fixture
def receiver() -> Any:
    with Receiver() as r:
        yield r


# Apps of their own, before the module's app starts (see runner_client).


async def test_retries_exhausted_fail_the_delivery_and_disable(
    open_shop: OpenShop, receiver: Receiver
) -> None:
    receiver.script("/hook", then=Reply(503, b"later"))
    async with open_shop(webhook_retry_window_seconds=1) as shop:
        hook = await shop.hook(receiver.url("/hook"))
        await shop.location()
        disabled = await shop.disabled(hook["webhookId"])
        assert (disabled["disabledReason"], disabled["active"]) == ("retries_exhausted", False)
        (delivery,) = await shop.deliveries(hook["webhookId"])
        assert delivery["status"] == "failed"
        assert delivery["completedAt"] is not None
        assert delivery["attemptCount"] >= 2
        assert set(codes(delivery)) == {503}
        assert len(receiver.requests("/hook")) == delivery["attemptCount"]
        (notice,) = await shop.events("webhook.disabled")
        assert hook["webhookId"] in str(notice["data"])


async def test_slow_and_refusing_receivers_are_attempts_with_an_error(
    open_shop: OpenShop, receiver: Receiver
) -> None:
    receiver.script("/slow", Reply(200, delay=3), then=200)
    receiver.script("/hangs-up", 0, then=200)  # closes the connection without an answer
    async with open_shop(webhook_timeout_seconds=1) as shop:
        slow = await shop.hook(receiver.url("/slow"))
        hangs_up = await shop.hook(receiver.url("/hangs-up"))
        closed = await shop.hook(f"http://127.0.0.1:{free_port()}/nobody")
        await shop.location()
        for hook in (slow, hangs_up):
            (delivery,) = await shop.settled(hook["webhookId"], 1)
            assert delivery["status"] == "succeeded"
            no_answer, answered = sorted(delivery["attempts"], key=lambda a: a["attempt"])
            assert no_answer["statusCode"] is None
            assert no_answer["error"], "the attempt says why it had no answer"
            assert answered["statusCode"] == 200

        attempt = await shop.first_attempt(closed["webhookId"])
        assert attempt["statusCode"] is None
        assert attempt["error"]


async def test_a_private_address_is_refused_again_before_each_attempt(
    open_shop: OpenShop, receiver: Receiver, database_url: str, db: Database, tmp_path: Path
) -> None:
    """Saved while private addresses were allowed; delivered by a runner that refuses them."""
    async with (
        open_shop(webhook_allow_private=False) as shop,
        running_app(database_url, tmp_path, db, run_jobs_in_process=False) as lenient,
    ):
        refused = await shop.call(
            "POST", "/v1/webhooks", 400, json={"url": receiver.url(), "eventTypes": ["*"]}
        )
        assert refused["error"]["code"] == "WEBHOOK_URL_NOT_ALLOWED"
        hook = await Shop(lenient, shop.tenant_id, shop.headers).hook(receiver.url())
        await shop.location()
        attempt = await shop.first_attempt(hook["webhookId"])
        assert attempt["statusCode"] is None
        assert attempt["error"], "the attempt says the address is not allowed"
        assert receiver.requests() == [], "nothing reached the private address"


async def test_the_retry_delay_never_exceeds_its_cap(
    open_shop: OpenShop, receiver: Receiver
) -> None:
    """A 100 s base capped at 0.2 s: the retries come within the test's patience."""
    receiver.script("/hook", 500, 500, then=200)
    async with open_shop(webhook_retry_base_seconds=100, webhook_retry_max_seconds=0.2) as shop:
        hook = await shop.hook(receiver.url("/hook"))
        await shop.location()
        (delivery,) = await shop.settled(hook["webhookId"], 1, within=20)
        assert codes(delivery) == [500, 500, 200]


async def test_subscriptions_are_deleted_while_their_deliveries_are_retried(
    open_shop: OpenShop, receiver: Receiver
) -> None:
    async with open_shop(webhook_retry_base_seconds=0.01, webhook_retry_max_seconds=0.05) as shop:
        paths = [f"/failing{n}" for n in range(30)]
        hooks = []
        for path in paths:
            receiver.script(path, then=Reply(500, delay=0.02))
            hooks.append(await shop.hook(receiver.url(path)))
        await shop.location()
        await eventually(lambda: all(len(receiver.requests(p)) >= 3 for p in paths), what="retries")
        for hook in hooks:
            path = f"/v1/webhooks/{hook['webhookId']}"
            response = await shop.client.delete(path, headers=shop.headers)
            assert response.status_code == 204, f"DELETE while retrying: {response.text}"
            await shop.call("GET", path, 404)


async def test_a_failing_receiver_gets_the_event_on_the_fourth_attempt(
    shop: Shop, receiver: Receiver
) -> None:
    long_body = b"0123456789abcdef" * 200  # 3,200 bytes: the log keeps the first 1,024
    cut = ("a" + "\u00e9" * 600).encode()  # 1,201 bytes: byte 1,024 splits a character
    receiver.script("/hook", Reply(500, b"down"), Reply(500, long_body), Reply(502, cut), then=200)
    hook = await shop.hook(receiver.url("/hook"))
    location = await shop.location()
    requests = await receiver.wait_for("/hook", 4)
    (event,) = await shop.events("location.created")
    assert event["data"]["locationId"] == location
    for request in requests:
        check_delivery(request, hook["secret"], event, shop.tenant_id)
    (delivery,) = await shop.settled(hook["webhookId"], 1)
    assert delivery["status"] == "succeeded"
    assert (delivery["kind"], delivery["eventId"], delivery["eventSeq"]) == (
        "event",
        event["id"],
        event["seq"],
    )
    assert (delivery["eventType"], delivery["redeliveryOf"]) == ("location.created", None)
    assert delivery["attemptCount"] == 4
    assert delivery["completedAt"] is not None
    assert codes(delivery) == [500, 500, 502, 200]
    attempts = sorted(delivery["attempts"], key=lambda a: a["attempt"])
    bodies = [a["responseBody"] for a in attempts]
    assert bodies[:2] + bodies[3:] == ["down", long_body[:1024].decode(), "ok"]
    assert bodies[2].startswith("a" + "\u00e9" * 511)
    assert len(bodies[2]) <= 513
    assert all(isinstance(a["latencyMs"], int) and a["latencyMs"] >= 0 for a in attempts)
    assert all(a["url"] == hook["url"] and a["error"] is None for a in attempts)
    assert [instant(a["attemptedAt"]) for a in attempts] == sorted(
        instant(a["attemptedAt"]) for a in attempts
    )
    assert len(receiver.requests()) == 4, "nothing more after the success"
    path = f"/v1/webhooks/{hook['webhookId']}/deliveries"
    assert await shop.call("GET", f"{path}/{delivery['deliveryId']}", 200) == delivery
    assert await shop.deliveries(hook["webhookId"], status="succeeded") == [delivery]
    assert await shop.deliveries(hook["webhookId"], status="failed") == []
    assert await shop.deliveries(hook["webhookId"], eventId=event["id"]) == [delivery]


async def test_an_answer_with_a_nul_byte_or_bad_utf8_is_logged_once(
    shop: Shop, receiver: Receiver
) -> None:
    receiver.script("/hook", then=Reply(200, b"ok\x00\xff\xfe"))
    hook = await shop.hook(receiver.url("/hook"))
    await shop.location()
    (delivery,) = await shop.settled(hook["webhookId"], 1)
    assert (delivery["status"], delivery["attemptCount"]) == ("succeeded", 1)
    assert delivery["attempts"][0]["responseBody"].startswith("ok")
    assert len(receiver.requests("/hook")) == 1, "a 2xx is not sent again"


async def test_the_body_is_the_feeds_envelope_with_the_tenant(
    shop: Shop, receiver: Receiver
) -> None:
    """The same envelope as GET /v1/events plus tenantId, times as the API writes them."""
    hook = await shop.hook(receiver.url("/hook"))
    await shop.location('Caf\u00e9 \u2615 \u2028 "quoted" \\ back')  # signed as UTF-8 bytes
    (request,) = await receiver.wait_for("/hook", 1)
    (event,) = await shop.events("location.created")
    assert request.json() == {**event, "tenantId": shop.tenant_id}
    check_delivery(request, hook["secret"], event, shop.tenant_id)


async def test_410_disables_at_once_and_reenabling_resumes_the_queue_only(
    shop: Shop, receiver: Receiver
) -> None:
    receiver.script("/hook", Reply(500, delay=1.5), Reply(410, b"gone"), then=200)
    hook = await shop.hook(receiver.url("/hook"))
    await shop.location("first")
    await eventually(receiver.requests, what="the first attempt (held 1.5 s, then a 500)")
    await shop.location("queued behind it")
    await shop.settled(hook["webhookId"], 2, pending_ok=True)  # the second queued behind
    disabled = await shop.disabled(hook["webhookId"])
    assert (disabled["disabledReason"], disabled["active"]) == ("gone", False)
    assert disabled["disabledAt"] is not None
    assert [r.status for r in receiver.requests("/hook")] == [500, 410], "nothing after a 410"
    (notice,) = await shop.events("webhook.disabled")
    assert hook["webhookId"] in str(notice["data"])

    await shop.location("while disabled")  # not queued for a disabled subscription
    enabled = await shop.call(
        "PATCH", f"/v1/webhooks/{hook['webhookId']}", 200, json={"active": True}
    )
    assert [enabled[k] for k in ("active", "disabledReason", "disabledAt")] == [True, None, None]
    await shop.location("after")
    first, queued, meanwhile, after = await shop.events("location.created")
    await eventually(lambda: after["id"] in receiver.event_ids("/hook"), what="the later event")
    ids = receiver.event_ids("/hook")
    assert ids[:2] == [first["id"], first["id"]]
    assert meanwhile["id"] not in ids
    assert queued["id"] in ids, "a delivery queued before the 410 resumes on re-enabling"
    assert ids.index(queued["id"]) < ids.index(after["id"])


async def test_a_backlog_arrives_in_seq_order_once_the_receiver_recovers(
    shop: Shop, receiver: Receiver
) -> None:
    receiver.script("/hook", 500, 502, 500, then=204)
    hook = await shop.hook(receiver.url("/hook"))
    for i in range(6):
        await shop.location(f"backlog {i}")
    events = await shop.events("location.created")
    await receiver.wait_for("/hook", 9)
    await shop.settled(hook["webhookId"], 6)
    ids = receiver.event_ids("/hook")
    assert ids == [events[0]["id"]] * 4 + [e["id"] for e in events[1:]]
    assert [r.status for r in receiver.requests("/hook")] == [500, 502, 500] + [204] * 6
    path, paged = f"/v1/webhooks/{hook['webhookId']}/deliveries", []
    for n in (1, 2, 3):
        page = await shop.call("GET", path, 200, params={"page": n, "pageSize": 2})
        assert (page["total"], page["page"], page["pageSize"]) == (6, n, 2)
        paged += [d["eventSeq"] for d in page["items"]]
    assert sorted(paged) == [e["seq"] for e in events]


async def test_redirects_are_followed_with_the_same_body_up_to_three_times(
    shop: Shop, receiver: Receiver
) -> None:
    with Receiver() as other:
        receiver.script(
            "/moved",
            *(Reply(code, headers={"Location": other.url(f"/to{code}")}) for code in REDIRECTS),
        )
        hook = await shop.hook(receiver.url("/moved"))
        for code in REDIRECTS:
            await shop.location(f"redirected {code}")
        landed = await other.wait_for(None, len(REDIRECTS))
        sent = receiver.requests("/moved")
        assert [r.path for r in landed] == [f"/to{code}" for code in REDIRECTS]
        for original, final in zip(sent, landed, strict=True):
            assert final.method == "POST"
            assert final.body == original.body
            assert final.event_id == original.event_id
            verify(hook["secret"], final.headers, final.body)
        assert {d["status"] for d in await shop.settled(hook["webhookId"], 5)} == {"succeeded"}

    def to(path: str) -> Reply:
        return Reply(307, headers={"Location": receiver.url(path)})

    receiver.script("/loop", Reply(307, headers={"Location": "/loop1"}), then=200)  # relative
    receiver.script("/loop1", then=to("/loop2"))
    receiver.script("/loop2", then=to("/loop3"))
    receiver.script("/loop3", then=to("/loop4"))
    looping = await shop.hook(receiver.url("/loop"))
    await shop.location("looping")
    (delivery,) = await shop.settled(looping["webhookId"], 1)
    assert delivery["status"] == "succeeded"
    assert delivery["attemptCount"] == 2, "a fourth redirect is refused, then a retry"
    first = sorted(delivery["attempts"], key=lambda a: a["attempt"])[0]
    assert first["error"], first
    counts = [len(receiver.requests(f"/loop{n}")) for n in ("", 1, 2, 3, 4)]
    assert counts == [2, 1, 1, 1, 0]


async def test_after_rotation_both_secrets_sign_and_a_new_url_gets_the_next(
    shop: Shop, receiver: Receiver
) -> None:
    hook = await shop.hook(receiver.url("/hook"))
    path = f"/v1/webhooks/{hook['webhookId']}/rotate-secret"
    rotated = await shop.call("POST", path, 200)
    await shop.location()
    (request,) = await receiver.wait_for("/hook", 1)
    (event,) = await shop.events("location.created")
    signature = request.headers["Tillpoint-Signature"]
    assert signature.count("v1=") == 2, signature
    check_delivery(request, hook["secret"], event, shop.tenant_id)
    check_delivery(request, rotated["secret"], event, shop.tenant_id)
    with pytest.raises(WebhookVerificationError):
        verify("whsec_not_the_secret", request.headers, request.body)
    moved = receiver.url("/moved")
    await shop.call("PATCH", f"/v1/webhooks/{hook['webhookId']}", 200, json={"url": moved})
    await shop.location("next")
    (later,) = await receiver.wait_for("/moved", 1)
    assert later.json()["data"]["name"] == "next"
    verify(rotated["secret"], later.headers, later.body)
    assert len(receiver.requests("/hook")) == 1
    again = await shop.call("POST", path, 200)  # a second rotation: the first secret is dropped
    await shop.location("after a second rotation")
    last = (await receiver.wait_for("/moved", 2))[1]
    assert last.headers["Tillpoint-Signature"].count("v1=") == 2
    for secret in (rotated["secret"], again["secret"]):
        verify(secret, last.headers, last.body)
    with pytest.raises(WebhookVerificationError):
        verify(hook["secret"], last.headers, last.body)


async def test_a_test_ping_goes_beside_a_blocked_queue_once(shop: Shop, receiver: Receiver) -> None:
    pings: list[Received] = []

    def answer(request: Received) -> int:
        if request.json()["type"] != "webhook.test":
            return 500  # the queue stays blocked on the live event
        pings.append(request)
        return 200 if len(pings) == 1 else 500

    receiver.respond("/hook", answer)
    hook = await shop.hook(receiver.url("/hook"))
    await shop.location()
    await receiver.wait_for("/hook", 2)
    test_path = f"/v1/webhooks/{hook['webhookId']}/test"
    await shop.call("POST", test_path, 202)
    await eventually(lambda: pings, what="the test ping")
    envelope = verify(hook["secret"], pings[0].headers, pings[0].body)
    assert (envelope["type"], envelope["data"]) == (
        "webhook.test",
        {"webhookId": hook["webhookId"]},
    )
    assert envelope["tenantId"] == shop.tenant_id
    assert pings[0].event_id == envelope["id"]

    await shop.call("POST", test_path, 202)

    async def tests_settled() -> list[dict[str, Any]] | None:
        tests = [d for d in await shop.deliveries(hook["webhookId"]) if d["kind"] == "test"]
        done = len(tests) == 2 and all(d["status"] != "pending" for d in tests)
        return tests if done else None

    second, first = await eventually(tests_settled, what="two settled test deliveries")
    assert (first["status"], first["attemptCount"]) == ("succeeded", 1)
    assert (second["status"], second["attemptCount"]) == ("failed", 1), "a test is not retried"
    assert len(pings) == 2
    (live,) = await shop.deliveries(hook["webhookId"], status="pending")
    assert (live["kind"], live["eventType"]) == ("event", "location.created")


async def test_redeliver_sends_the_same_event_id_again_beside_the_queue(
    shop: Shop, receiver: Receiver
) -> None:
    receiver.respond("/hook", lambda r: 500 if r.json()["data"]["name"] == "blocker" else 200)
    hook = await shop.hook(receiver.url("/hook"))
    await shop.location("first")
    (original,) = await shop.settled(hook["webhookId"], 1)
    await shop.location("blocker")  # fails for good: the queue behind it is stuck
    await receiver.wait_for("/hook", 2)
    path = f"/v1/webhooks/{hook['webhookId']}/deliveries/{original['deliveryId']}/redeliver"
    await shop.call("POST", path, 202)
    await eventually(
        lambda: receiver.event_ids("/hook").count(original["eventId"]) == 2, what="the redelivery"
    )
    first, *_, again = [r for r in receiver.requests("/hook") if r.event_id == original["eventId"]]
    assert verify(hook["secret"], again.headers, again.body) == first.json()

    async def redelivered() -> dict[str, Any] | None:
        items = await shop.deliveries(hook["webhookId"], eventId=original["eventId"])
        return items[0] if len(items) == 2 and items[0]["status"] != "pending" else None

    newest = await eventually(redelivered, what="the redelivery settled")
    assert (newest["kind"], newest["redeliveryOf"], newest["status"]) == (
        "redelivery",
        original["deliveryId"],
        "succeeded",
    )
    assert (newest["eventId"], newest["eventSeq"]) == (original["eventId"], original["eventSeq"])
    (blocked,) = await shop.deliveries(hook["webhookId"], status="pending")
    assert blocked["eventSeq"] == original["eventSeq"] + 1, "the queue is still stuck"


async def test_replay_resends_a_time_range_in_seq_order(shop: Shop, receiver: Receiver) -> None:
    for i in range(3):
        await shop.location(f"before {i}")  # before the subscription: replayable all the same
        if i == 1:  # in the range, but not a type the subscription takes
            await shop.call("POST", "/v1/tax-classes", 201, json={"code": "s", "name": "S"})
    hook = await shop.hook(receiver.url("/hook"))
    await shop.location("live")
    await receiver.wait_for("/hook", 1)
    *earlier, live = await shop.events("location.created")
    to = instant(earlier[-1]["occurredAt"]) + timedelta(milliseconds=1)
    body = {"from": earlier[0]["occurredAt"], "to": to.isoformat().replace("+00:00", "Z")}
    replay = await shop.call("POST", f"/v1/webhooks/{hook['webhookId']}/replay", 202, json=body)
    assert (replay["webhookId"], replay["deliveriesCreated"]) == (hook["webhookId"], 3)
    requests = await receiver.wait_for("/hook", 4)
    assert [r.event_id for r in requests] == [live["id"]] + [e["id"] for e in earlier]
    for request, event in zip(requests[1:], earlier, strict=True):
        check_delivery(request, hook["secret"], event, shop.tenant_id)
    deliveries = await shop.settled(hook["webhookId"], 4)
    assert [d["kind"] for d in deliveries] == ["replay"] * 3 + ["event"]
    assert sorted(d["eventSeq"] for d in deliveries[:3]) == [e["seq"] for e in earlier]


async def test_filters_by_location_and_type_and_inactive_gets_nothing(
    shop: Shop, receiver: Receiver
) -> None:
    one, two = await shop.location("one"), await shop.location("two")
    types = ["location.*", "tax_class.*"]  # the tenant-wide tax class: left out by location
    located = await shop.hook(receiver.url("/located"), types, locationId=one)
    typed = await shop.hook(receiver.url("/typed"), ["location.*"])
    inactive = await shop.hook(receiver.url("/inactive"), ["*"], active=False)
    witness = await shop.hook(receiver.url("/witness"), ["*"])
    for location, name in ((two, "two!"), (one, "one!")):
        await shop.call("PATCH", f"/v1/locations/{location}", 200, json={"name": name})
    await shop.call("POST", "/v1/tax-classes", 201, json={"code": "std", "name": "Standard"})
    three = await shop.location("three")
    await eventually(
        lambda: (
            three in [r.json()["data"].get("locationId") for r in receiver.requests("/witness")]
        ),
        what="the witness to get the last event",
    )
    seen = [r.json() for r in receiver.requests("/witness")]
    seen = [e for e in seen if not e["type"].startswith("webhook.")]
    assert [(e["type"], e["locationId"]) for e in seen] == [
        ("location.updated", two),
        ("location.updated", one),
        ("tax_class.created", None),
        ("location.created", three),
    ]
    (only,) = await receiver.wait_for("/located", 1)
    assert (only.json()["type"], only.json()["locationId"]) == ("location.updated", one)
    typed_seen = [r.json()["locationId"] for r in await receiver.wait_for("/typed", 3)]
    assert typed_seen == [two, one, three]
    assert len(await shop.deliveries(located["webhookId"])) == 1
    assert len(await shop.deliveries(typed["webhookId"])) == 3
    assert await shop.deliveries(inactive["webhookId"]) == []
    assert receiver.requests("/inactive") == []
    assert witness["active"] is True


async def test_no_events_from_before_the_subscription_or_from_other_tenants(
    shop: Shop, receiver: Receiver, db: Database
) -> None:
    await shop.location("before")
    hook = await shop.hook(receiver.url("/hook"), ["*"])
    other = await new_shop(shop.client, db)
    await other.location("another tenant's")
    await shop.location("after")
    await eventually(
        lambda: any(r.json()["type"] == "location.created" for r in receiver.requests("/hook")),
        what="the event after the subscription",
    )
    seen = [r.json() for r in receiver.requests("/hook")]
    assert {e["tenantId"] for e in seen} == {shop.tenant_id}
    created = [e for e in seen if e["type"] == "location.created"]
    assert [e["data"]["name"] for e in created] == ["after"]
    assert {d["eventId"] for d in await shop.deliveries(hook["webhookId"])} == {
        e["id"] for e in seen
    }


async def test_settled_deliveries_older_than_30_days_are_purged(
    shop: Shop, receiver: Receiver, db: Database
) -> None:
    """docs/operations.md: the delivery log keeps settled deliveries for 30 days."""
    hook = await shop.hook(receiver.url("/hook"))
    for name in ("old", "recent"):
        await shop.location(name)
    recent, old = await shop.settled(hook["webhookId"], 2)
    long_ago = datetime.now(UTC) - timedelta(days=31)
    deliveries = metadata.tables["webhook_deliveries"]
    async with db.engine.begin() as conn:  # as if it had settled 31 days ago
        await conn.execute(
            update(deliveries)
            .where(deliveries.c.tenant_id == shop.tenant_id, deliveries.c.id == old["deliveryId"])
            .values(completed_at=long_ago)
        )
    async with transaction(db) as session:
        enqueue(session, "webhooks.purge", {})  # its hourly run, now
    await eventually(lambda: shop.has_deliveries(hook["webhookId"], 1), what="the purge")
    assert await shop.deliveries(hook["webhookId"]) == [recent]
    path = f"/v1/webhooks/{hook['webhookId']}/deliveries/{old['deliveryId']}"
    await shop.call("GET", path, 404)
