"""Webhook delivery by real ``tillpoint worker`` processes on PostgreSQL: two workers deliver
each event exactly once and in order; a worker SIGKILLed mid-delivery loses nothing once its
lease runs out; SIGTERM lets the delivery at hand finish."""

import asyncio
import signal
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.support.server import TILLPOINT, cli_env
from tests.support.webhook_receivers import (
    SECRET_KEY,
    Received,
    Receiver,
    Reply,
    Shop,
    check_delivery,
    eventually,
    own_shop,
)
from tillpoint.core.db import Database


def postgres_only(dialect: str) -> None:
    if dialect != "postgresql":
        pytest.skip("worker processes are the PostgreSQL deployment")


@pytest.fixture
async def shop(
    dialect: str, database_url: str, db: Database, tmp_path: Path
) -> AsyncIterator[Shop]:
    """The API without a job runner (the workers deliver), sharing the workers' secret key."""
    postgres_only(dialect)
    async with own_shop(database_url, tmp_path, db, run_jobs_in_process=False) as opened:
        yield opened


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as r:
        yield r


class Workers:
    def __init__(self, database_url: str, tmp_path: Path) -> None:
        self.env = cli_env(
            database_url,
            tmp_path,
            TILLPOINT_SECRET_KEY=SECRET_KEY,
            TILLPOINT_WEBHOOK_ALLOW_PRIVATE="true",
            TILLPOINT_WEBHOOK_RETRY_BASE_SECONDS="0.1",
            TILLPOINT_JOB_POLL_SECONDS="0.1",
            TILLPOINT_WEBHOOK_DISPATCH_POLL_SECONDS="0.1",
            TILLPOINT_LOG_LEVEL="INFO",
        )
        self.tmp_path = tmp_path
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        with (self.tmp_path / f"{name}.log").open("wb") as log:
            process = subprocess.Popen(
                [TILLPOINT, "worker", "--concurrency", "4", *args],
                env=self.env,
                stdout=log,
                stderr=log,
            )
        self.started.append(process)
        return process

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in self.tmp_path.glob("*.log"))

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.started:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def workers(dialect: str, database_url: str, tmp_path: Path) -> Iterator[Workers]:
    postgres_only(dialect)
    started = Workers(database_url, tmp_path)
    try:
        yield started
    finally:
        started.stop_all()
    assert "Traceback" not in started.logs(), started.logs()[-5000:]


def exited(process: subprocess.Popen[bytes], within: float = 30) -> int:
    return process.wait(timeout=within)


async def test_two_workers_deliver_every_event_exactly_once_in_order(
    shop: Shop, receiver: Receiver, workers: Workers
) -> None:
    workers.start("one")
    workers.start("two")
    hook = await shop.hook(receiver.url("/hook"))

    async def writer(n: int) -> None:
        for i in range(10):
            await shop.location(f"w{n}-{i}")

    await asyncio.gather(*(writer(n) for n in range(4)))
    events = await shop.events("location.created")
    assert len(events) == 40
    await receiver.wait_for("/hook", 40, within=120)
    deliveries = await shop.settled(hook["webhookId"], 40, within=60)
    assert {d["status"] for d in deliveries} == {"succeeded"}
    requests = receiver.requests("/hook")
    assert [r.event_id for r in requests] == [e["id"] for e in events], "missed, twice or late"
    for request, event in zip(requests, events, strict=True):
        check_delivery(request, hook["secret"], event, shop.tenant_id)


async def test_order_per_subscription_holds_over_two_workers_while_receivers_fail(
    shop: Shop, receiver: Receiver, workers: Workers
) -> None:
    """Every third request to each path fails: each subscription still gets every event, and
    never a later one before an earlier one has succeeded."""
    counts: dict[str, int] = {}

    def flaky(request: Received) -> int:
        counts[request.path] = counts.get(request.path, 0) + 1
        return 503 if counts[request.path] % 3 == 0 else 200

    paths = [f"/sub{n}" for n in range(3)]
    hooks = []
    for path in paths:
        receiver.respond(path, flaky)
        hooks.append(await shop.hook(receiver.url(path)))
    workers.start("one")
    workers.start("two")
    for i in range(15):
        await shop.location(f"flaky {i}")
    events = await shop.events("location.created")
    for hook in hooks:
        assert len(await shop.settled(hook["webhookId"], 15, within=120)) == 15
    for path in paths:
        sent = [(r.json()["seq"], r.status) for r in receiver.requests(path)]
        got = [seq for seq, _ in sent]
        assert got == sorted(got), f"{path}: a later event overtook an earlier one: {sent}"
        succeeded = [seq for seq, status in sent if status == 200]
        assert succeeded == [e["seq"] for e in events], f"{path}: {sent}"


async def test_a_worker_killed_mid_delivery_loses_nothing(
    shop: Shop, receiver: Receiver, workers: Workers
) -> None:
    receiver.script("/hook", Reply(200, delay=8), then=200)  # holds the first request open
    doomed = workers.start("doomed", "--lease-seconds", "2")
    hook = await shop.hook(receiver.url("/hook"))
    for i in range(5):
        await shop.location(f"killed {i}")
    events = await shop.events("location.created")
    await eventually_arrived(receiver, 1)
    doomed.send_signal(signal.SIGKILL)
    await asyncio.to_thread(exited, doomed)
    workers.start("survivor", "--lease-seconds", "2")
    deliveries = await shop.settled(hook["webhookId"], 5, within=90)
    assert {d["status"] for d in deliveries} == {"succeeded"}
    ids = receiver.event_ids("/hook")
    first_arrivals = list(dict.fromkeys(ids))
    assert first_arrivals == [e["id"] for e in events], "an event lost or out of order"
    assert ids[0] == ids[1] == events[0]["id"], "the cut delivery is sent again first"
    (cut,) = [d for d in deliveries if d["eventId"] == events[0]["id"]]
    assert cut["attempts"][-1]["statusCode"] == 200


async def test_sigterm_lets_a_running_delivery_finish(
    shop: Shop, receiver: Receiver, workers: Workers
) -> None:
    receiver.script("/hook", Reply(200, b"took a while", delay=2))
    worker = workers.start("graceful", "--grace-seconds", "20")
    hook = await shop.hook(receiver.url("/hook"))
    await shop.location()
    await eventually_arrived(receiver, 1)
    worker.send_signal(signal.SIGTERM)
    assert await asyncio.to_thread(exited, worker) == 0
    (request,) = receiver.requests("/hook")
    assert request.answered_at is not None
    (delivery,) = await shop.deliveries(hook["webhookId"])
    assert (delivery["status"], delivery["attemptCount"]) == ("succeeded", 1)
    assert delivery["attempts"][0]["responseBody"] == "took a while"


async def test_sigterm_past_the_grace_hands_the_delivery_to_the_next_worker(
    shop: Shop, receiver: Receiver, workers: Workers
) -> None:
    receiver.script("/hook", Reply(200, delay=6), then=200)  # outlasts the grace
    first = workers.start("cut", "--grace-seconds", "0.5")
    hook = await shop.hook(receiver.url("/hook"))
    for i in range(3):
        await shop.location(f"cut {i}")
    events = await shop.events("location.created")
    await eventually_arrived(receiver, 1)
    first.send_signal(signal.SIGTERM)
    assert await asyncio.to_thread(exited, first) == 0
    workers.start("next")
    deliveries = await shop.settled(hook["webhookId"], 3, within=60)
    assert {d["status"] for d in deliveries} == {"succeeded"}
    ids = receiver.event_ids("/hook")
    assert ids[:2] == [events[0]["id"]] * 2, "the cut delivery is sent again, first"
    assert list(dict.fromkeys(ids)) == [e["id"] for e in events]


async def eventually_arrived(receiver: Receiver, n: int) -> None:
    """Until ``n`` requests have arrived, answered or not (a held one counts)."""
    await eventually(lambda: len(receiver.requests()) >= n, 60, f"{n} requests to arrive")
