"""The runner's scheduling: delayed jobs, recurring jobs (one pending run per key), per-key
ordering, per-kind concurrency limits and graceful shutdown — with several runners at once."""

import asyncio
import random
import time
from collections import defaultdict
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from tillpoint.core.db import Database, utcnow
from tillpoint.core.jobs import (
    QUEUED,
    RUNNING,
    SUCCEEDED,
    Job,
    JobContext,
    JobRunner,
    cancel_recurring,
    enqueue,
    job_handler,
    recurring_job,
    schedule_recurring,
)
from tillpoint.core.transactions import transaction

# (kind/key, n, attempt, start, end) of every run that reached its end, in this process.
RUNS: list[tuple[str, int, int, float, float]] = []
IN_FLIGHT: dict[str, int] = defaultdict(int)
PEAK: dict[str, int] = defaultdict(int)
RELEASE = asyncio.Event()


async def timed(label: str, n: int, attempt: int, seconds: float) -> None:
    IN_FLIGHT[label] += 1
    PEAK[label] = max(PEAK[label], IN_FLIGHT[label])
    start = time.monotonic()
    try:
        await asyncio.sleep(seconds)
    finally:
        IN_FLIGHT[label] -= 1
    RUNS.append((label, n, attempt, start, time.monotonic()))


@job_handler("test.sched.ordered")
async def ordered(ctx: JobContext, payload: dict) -> None:
    if ctx.attempt <= payload.get("fail_times", 0):
        raise RuntimeError("not yet")
    await timed(payload["key"], payload["n"], ctx.attempt, payload.get("seconds", 0.0))


@job_handler("test.sched.limited", max_concurrency=2)
async def limited(ctx: JobContext, payload: dict) -> None:
    await timed("limited", payload["n"], ctx.attempt, 0.05)


@job_handler("test.sched.recurring")
async def recurring(ctx: JobContext, payload: dict) -> None:
    await timed(payload["label"], 0, ctx.attempt, payload["seconds"])


@job_handler("test.sched.hold")
async def hold(ctx: JobContext, payload: dict) -> None:
    if ctx.attempt == 1:
        await RELEASE.wait()
    await timed(payload["label"], 0, ctx.attempt, 0.0)


recurring_job("test.sched.declared", every=timedelta(hours=1))


@job_handler("test.sched.declared")
async def declared(ctx: JobContext, _payload: dict) -> None:
    await timed("declared", 0, ctx.attempt, 0.0)


def runs_of(label: str) -> list[tuple[str, int, int, float, float]]:
    return sorted((r for r in RUNS if r[0] == label), key=lambda r: r[3])


async def job(db: Database, job_id: str) -> Job:
    async with db.session() as session:
        return (await session.execute(select(Job).where(Job.id == job_id))).scalar_one()


async def until_running(db: Database, job_id: str) -> None:
    while (await job(db, job_id)).status != RUNNING:  # noqa: ASYNC110 - polling the database
        await asyncio.sleep(0.02)


async def drain(runner: JobRunner) -> None:
    while await runner.run_once():
        pass


async def run_runners(db: Database, until, *, count: int = 4, within: float = 60) -> None:
    """``count`` runners, each running up to 3 jobs at once, until ``until()`` is true."""
    stop = asyncio.Event()
    runners = [
        JobRunner(db, worker_id=f"sched-{i}", concurrency=3, poll_seconds=0.02)
        for i in range(count)
    ]
    tasks = [asyncio.create_task(r.run_forever(stop)) for r in runners]
    try:
        deadline = time.monotonic() + within
        while not await until():
            assert time.monotonic() < deadline, "the runners did not finish in time"
            await asyncio.sleep(0.05)
    finally:
        stop.set()
        await asyncio.gather(*tasks)


def all_done(db: Database, ids: list[str]):
    async def check() -> bool:
        async with db.session() as session:
            statuses = (await session.execute(select(Job.status).where(Job.id.in_(ids)))).scalars()
            return set(statuses) == {SUCCEEDED}

    return check


async def test_a_job_waits_for_its_run_at_or_delay(db: Database) -> None:
    async with transaction(db) as session:
        later = enqueue(
            session, "test.sched.ordered", {"key": "later", "n": 1}, delay=timedelta(hours=1)
        )
        soon = enqueue(
            session,
            "test.sched.ordered",
            {"key": "soon", "n": 1},
            run_at=utcnow() + timedelta(hours=1),
        )
        now = enqueue(session, "test.sched.ordered", {"key": "now", "n": 1})
    before = utcnow()
    assert (await job(db, later)).run_at > before + timedelta(minutes=59)
    await drain(JobRunner(db, worker_id="sched"))
    assert (await job(db, now)).status == SUCCEEDED
    assert [(await job(db, i)).status for i in (later, soon)] == [QUEUED, QUEUED]
    async with db.session() as session, session.begin():
        await session.execute(update(Job).where(Job.id == soon).values(run_at=utcnow()))
    await drain(JobRunner(db, worker_id="sched"))
    assert [(await job(db, i)).status for i in (later, soon)] == [QUEUED, SUCCEEDED]
    async with db.session() as session:
        with pytest.raises(ValueError, match="not both"):
            enqueue(session, "test.sched.ordered", {}, delay=timedelta(1), run_at=utcnow())


async def test_same_key_runs_one_at_a_time_in_enqueue_order(db: Database, dialect: str) -> None:
    keys = [f"ord-{random.random()}" for _ in range(3)]
    ids = []
    for batch in range(4):  # several transactions, several jobs per key in each
        async with transaction(db) as session:
            for i in range(5):
                for key in keys:
                    payload = {"key": key, "n": batch * 5 + i, "seconds": random.uniform(0, 0.02)}
                    ids.append(enqueue(session, "test.sched.ordered", payload, ordering_key=key))
    await run_runners(db, all_done(db, ids))
    intervals = []
    for key in keys:
        runs = runs_of(key)
        assert [n for _, n, _, _, _ in runs] == list(range(20)), "start order == enqueue order"
        for earlier, later in zip(runs, runs[1:], strict=False):
            assert later[3] >= earlier[4], "two jobs of one key overlapped"
        intervals += runs
    if dialect == "postgresql":
        overlaps = [
            (a, b)
            for a in intervals
            for b in intervals
            if a[0] != b[0] and a[3] < b[4] and b[3] < a[4]
        ]
        assert overlaps, "different keys should run in parallel"


async def test_a_job_waiting_to_retry_holds_back_its_key(db: Database) -> None:
    key = f"retry-{random.random()}"
    async with transaction(db) as session:
        first = enqueue(
            session, "test.sched.ordered", {"key": key, "n": 1, "fail_times": 1}, ordering_key=key
        )
        second = enqueue(session, "test.sched.ordered", {"key": key, "n": 2}, ordering_key=key)
        other = enqueue(
            session, "test.sched.ordered", {"key": key + "-x", "n": 3}, ordering_key=key + "-x"
        )
    runner = JobRunner(db, worker_id="sched")
    await drain(runner)
    assert (await job(db, first)).status == QUEUED
    assert (await job(db, first)).run_at > utcnow(), "the first job waits to retry"
    assert (await job(db, second)).attempts == 0, "the second job must wait for the first"
    assert (await job(db, other)).status == SUCCEEDED, "another key is not held back"
    async with db.session() as session, session.begin():
        await session.execute(update(Job).where(Job.id == first).values(run_at=utcnow()))
    await drain(runner)
    await drain(runner)
    assert [(n, attempt) for _, n, attempt, _, _ in runs_of(key)] == [(1, 2), (2, 1)]


async def test_a_kind_limit_holds_across_runners(db: Database) -> None:
    async with transaction(db) as session:
        ids = [enqueue(session, "test.sched.limited", {"n": n}) for n in range(16)]
    PEAK["limited"] = 0
    await run_runners(db, all_done(db, ids))
    assert PEAK["limited"] == 2


async def test_a_recurring_job_runs_once_per_interval_never_twice_at_once(
    db: Database,
) -> None:
    label, every = f"rec-{random.random()}", 0.4
    started = time.monotonic()  # before the first run's slot: run k starts k intervals on
    async with transaction(db) as session:
        await schedule_recurring(
            session,
            "test.sched.recurring",
            {"label": label, "seconds": 0.1},
            key=label,
            every=timedelta(seconds=every),
        )

    async def enough() -> bool:
        return time.monotonic() - started > 2.2

    await run_runners(db, enough)
    elapsed = time.monotonic() - started
    runs = runs_of(label)
    assert 3 <= len(runs) <= elapsed / every + 1
    for earlier, later in zip(runs, runs[1:], strict=False):
        assert later[3] >= earlier[4], "two runs overlapped"
    async with db.session() as session:
        pending = (
            await session.execute(select(Job.status, Job.run_at).where(Job.singleton_key == label))
        ).all()
        assert len(pending) == 1
        assert pending[0][0] in (QUEUED, RUNNING)
        done = await session.execute(
            select(func.count()).where(Job.kind == "test.sched.recurring", Job.status == SUCCEEDED)
        )
        assert done.scalar_one() >= len(runs)

    async with transaction(db) as session:
        await cancel_recurring(session, label)
    async with db.session() as session:
        left = await session.execute(
            select(func.count()).where(Job.singleton_key == label, Job.status == QUEUED)
        )
        assert left.scalar_one() == 0


async def test_scheduling_a_key_twice_keeps_one_run(db: Database) -> None:
    label = f"twice-{random.random()}"
    for seconds in (60, 120):
        async with transaction(db) as session:
            await schedule_recurring(
                session,
                "test.sched.recurring",
                {"label": label, "seconds": 0},
                key=label,
                every=timedelta(seconds=seconds),
                first_run_at=utcnow() + timedelta(hours=1),
            )
    async with db.session() as session:
        rows = (
            (await session.execute(select(Job).where(Job.singleton_key == label))).scalars().all()
        )
    assert [(r.repeat_seconds, r.status) for r in rows] == [(120, QUEUED)]


async def test_declared_recurring_jobs_are_scheduled_once_by_many_runners(db: Database) -> None:
    runners = [JobRunner(db, worker_id=f"decl-{i}") for i in range(4)]
    await asyncio.gather(*(r.ensure_recurring() for r in runners))
    async with db.session() as session:
        rows = (
            (
                await session.execute(
                    select(Job).where(Job.singleton_key == "recurring:test.sched.declared")
                )
            )
            .scalars()
            .all()
        )
    assert len(rows) == 1
    assert rows[0].repeat_seconds == 3600


async def test_stop_lets_running_jobs_finish_within_the_grace(db: Database) -> None:
    label = f"grace-{random.random()}"
    async with transaction(db) as session:
        job_id = enqueue(session, "test.sched.recurring", {"label": label, "seconds": 0.5})
    stop = asyncio.Event()
    runner = JobRunner(db, worker_id="graceful", poll_seconds=0.02, grace_seconds=10)
    task = asyncio.create_task(runner.run_forever(stop))
    await until_running(db, job_id)
    stop.set()
    await task
    assert (await job(db, job_id)).status == SUCCEEDED
    assert len(runs_of(label)) == 1


async def test_a_job_past_the_grace_is_handed_back_and_rerun(db: Database) -> None:
    label = f"cut-{random.random()}"
    RELEASE.clear()
    async with transaction(db) as session:
        job_id = enqueue(session, "test.sched.hold", {"label": label})
    stop = asyncio.Event()
    runner = JobRunner(db, worker_id="cut", poll_seconds=0.02, grace_seconds=0.2)
    task = asyncio.create_task(runner.run_forever(stop))
    await until_running(db, job_id)
    stop.set()
    await task
    handed_back = await job(db, job_id)
    assert (handed_back.status, handed_back.attempts, handed_back.locked_by) == (QUEUED, 0, None)
    assert handed_back.run_at <= utcnow()
    RELEASE.set()
    await drain(JobRunner(db, worker_id="next"))
    assert (await job(db, job_id)).status == SUCCEEDED
    assert [attempt for _, _, attempt, _, _ in runs_of(label)] == [1]


@job_handler("test.sched.failing")
async def failing(_ctx: JobContext, _payload: dict) -> None:
    raise RuntimeError("always")


async def test_a_recurring_run_that_fails_for_good_still_schedules_the_next(db: Database) -> None:
    key = f"fails-{random.random()}"
    async with transaction(db) as session:
        await schedule_recurring(
            session, "test.sched.failing", {}, key=key, every=timedelta(hours=1), max_attempts=1
        )
    await drain(JobRunner(db, worker_id="sched"))
    async with db.session() as session:
        rows = (
            (
                await session.execute(
                    select(Job)
                    .where(Job.kind == "test.sched.failing")
                    .order_by(Job.id.desc())
                    .limit(2)
                )
            )
            .scalars()
            .all()
        )
    latest, failed = rows
    assert (failed.status, failed.singleton_key) == ("failed", None)
    assert (latest.status, latest.singleton_key, latest.attempts) == (QUEUED, key, 0)
    assert latest.run_at - failed.run_at == timedelta(hours=1)


async def test_a_recurring_run_whose_process_died_still_schedules_the_next(
    db: Database,
) -> None:
    label = f"died-{random.random()}"
    async with transaction(db) as session:
        await schedule_recurring(
            session,
            "test.sched.recurring",
            {"label": label, "seconds": 0},
            key=label,
            every=timedelta(hours=1),
            max_attempts=1,
        )
    async with db.session() as session, session.begin():
        await session.execute(
            update(Job)
            .where(Job.singleton_key == label)
            .values(
                status=RUNNING,
                attempts=1,
                locked_by="dead",
                locked_until=utcnow() - timedelta(seconds=1),
            )
        )
    await drain(JobRunner(db, worker_id="sched"))
    async with db.session() as session:
        rows = (
            await session.execute(
                select(Job.status, Job.singleton_key)
                .where(
                    Job.kind == "test.sched.recurring", Job.payload["label"].as_string() == label
                )
                .order_by(Job.id)
            )
        ).all()
    assert [tuple(r) for r in rows] == [("failed", None), (QUEUED, label)]
