"""Runner features webhook delivery needs: handlers that open their own transactions (and hold
none while they wait), per-kind leases that a handler extends or loses, ``enqueue_once`` keyed
work, the stopping signal, and the purge of settled jobs."""

import asyncio
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import delete, select, update

from tillpoint.core.db import Database, utcnow
from tillpoint.core.jobs import (
    FAILED,
    QUEUED,
    RUNNING,
    SUCCEEDED,
    Job,
    JobContext,
    JobRunner,
    LeaseLost,
    enqueue,
    enqueue_once,
    job_handler,
)
from tillpoint.core.jobs.purge import purge_settled_jobs
from tillpoint.core.transactions import transaction

SEEN: dict[str, list[str]] = {}
GATE = asyncio.Event()
# Each run (one per database) has its own tags.
TAG = ""


@pytest.fixture(autouse=True)
def fresh_tags() -> None:
    global TAG
    TAG = uuid.uuid4().hex[:8] + ":"


@job_handler("test.own.waits", transactional=False, lease_seconds=7)
async def waits(ctx: JobContext, payload: dict) -> None:
    with pytest.raises(RuntimeError, match="without a transaction"):
        ctx.session  # noqa: B018
    SEEN.setdefault(payload["tag"], []).append("started")
    await GATE.wait()
    if payload.get("steal"):
        assert ctx.db is not None
        async with ctx.db.session() as session, session.begin():
            await session.execute(update(Job).where(Job.id == ctx.job_id).values(locked_by="thief"))
        with pytest.raises(LeaseLost):
            await ctx.extend_lease()
        SEEN[payload["tag"]].append("lease lost")
        return
    await ctx.extend_lease()
    SEEN[payload["tag"]].append("done")


@job_handler("test.own.loops", transactional=False)
async def loops(ctx: JobContext, payload: dict) -> None:
    await ctx.stopping.wait()
    SEEN.setdefault(payload["tag"], []).append("stopped")


async def row(db: Database, job_id: str) -> Job:
    async with db.session() as session:
        return (await session.execute(select(Job).where(Job.id == job_id))).scalar_one()


async def until_status(db: Database, job_id: str, status: str) -> Job:
    for _ in range(500):
        job = await row(db, job_id)
        if job.status == status:
            return job
        await asyncio.sleep(0.02)
    raise AssertionError(f"job {job_id} never became {status}")


async def add(db: Database, kind: str, payload: dict, *, later: bool = False) -> str:
    async with transaction(db) as session:
        # ``later``: due tomorrow, so that no runner of this or another test takes it.
        return enqueue(session, kind, payload, delay=timedelta(days=1) if later else None)


async def test_a_handler_without_a_transaction_leaves_the_database_writable(db: Database) -> None:
    GATE.clear()
    job_id = await add(db, "test.own.waits", {"tag": TAG + "writable"})
    runner = JobRunner(db, worker_id="own-1", lease_seconds=60)
    running = asyncio.create_task(runner.run_once())
    leased = await until_status(db, job_id, RUNNING)
    # The kind's 7-second lease, not the runner's minute.
    assert leased.locked_until is not None
    assert leased.locked_until - utcnow() < timedelta(seconds=8)
    # While the handler waits, another writer commits at once (on SQLite too: no write lock).
    other = await asyncio.wait_for(add(db, "test.own.waits", {"tag": "-"}, later=True), timeout=5)
    GATE.set()
    await running
    assert SEEN[TAG + "writable"] == ["started", "done"]
    assert (await row(db, job_id)).status == SUCCEEDED
    async with transaction(db) as session:
        await session.execute(delete(Job).where(Job.id == other))


async def test_a_handler_that_lost_its_lease_is_told_so(db: Database) -> None:
    GATE.clear()
    job_id = await add(db, "test.own.waits", {"tag": TAG + "stolen", "steal": True})
    runner = JobRunner(db, worker_id="own-2")
    running = asyncio.create_task(runner.run_once())
    await until_status(db, job_id, RUNNING)
    GATE.set()
    await running
    assert SEEN[TAG + "stolen"] == ["started", "lease lost"]
    # The runner could not settle a job it no longer holds; the thief's lease stands.
    job = await row(db, job_id)
    assert (job.status, job.locked_by) == (RUNNING, "thief")
    async with transaction(db) as session:  # the "thief" is not a real runner: end it
        await session.execute(update(Job).where(Job.id == job_id).values(status=FAILED))


async def test_enqueue_once_keeps_one_queued_or_running_job_per_key(db: Database) -> None:
    GATE.clear()
    async with transaction(db) as session:
        assert await enqueue_once(
            session, "test.own.waits", {"tag": TAG + "once"}, key=TAG + "own:once"
        )
        assert not await enqueue_once(session, "test.own.waits", {"tag": "x"}, key=TAG + "own:once")
    runner = JobRunner(db, worker_id="own-3")
    running = asyncio.create_task(runner.run_once())
    async with db.session() as session:
        (job_id,) = (
            await session.execute(select(Job.id).where(Job.singleton_key == TAG + "own:once"))
        ).scalars()
    await until_status(db, job_id, RUNNING)
    async with transaction(db) as session:
        assert not await enqueue_once(session, "test.own.waits", {"tag": "x"}, key=TAG + "own:once")
    GATE.set()
    await running
    assert SEEN[TAG + "once"] == ["started", "done"]
    async with transaction(db) as session:  # settled: the key is free again
        assert await enqueue_once(
            session, "test.own.waits", {"tag": TAG + "again"}, key=TAG + "own:once"
        )
    await runner.run_once()
    assert SEEN[TAG + "again"] == ["started", "done"]


async def test_a_looping_handler_returns_when_the_runner_stops(db: Database) -> None:
    job_id = await add(db, "test.own.loops", {"tag": TAG + "loop"})
    runner = JobRunner(db, worker_id="own-4", poll_seconds=0.02, grace_seconds=10)
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run_forever(stop))
    await until_status(db, job_id, RUNNING)
    stop.set()
    await asyncio.wait_for(task, timeout=5)  # well inside the grace: the handler returned
    assert SEEN[TAG + "loop"] == ["stopped"]
    assert (await row(db, job_id)).status == SUCCEEDED


async def test_settled_jobs_are_purged_after_a_week(db: Database) -> None:
    old, recent, waiting = [await add(db, "test.own.loops", {"tag": t}, later=True) for t in "orw"]
    async with transaction(db) as session:
        for job_id, status, age in ((old, FAILED, 8), (recent, SUCCEEDED, 6)):
            await session.execute(
                update(Job)
                .where(Job.id == job_id)
                .values(status=status, finished_at=utcnow() - timedelta(days=age))
            )
        await session.execute(
            update(Job).where(Job.id == waiting).values(run_at=utcnow() + timedelta(days=30))
        )
    async with transaction(db) as session:
        await purge_settled_jobs(JobContext(session, "purge", None, 1, db), {})
    async with db.session() as session:
        left = set(
            (
                await session.execute(select(Job.id).where(Job.id.in_([old, recent, waiting])))
            ).scalars()
        )
    assert left == {recent, waiting}
    assert (await row(db, waiting)).status == QUEUED
