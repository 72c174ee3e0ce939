"""Durable jobs: run once in the normal path, retried with backoff, and never lost to a crash."""

import asyncio
from collections import Counter
from datetime import timedelta

from sqlalchemy import select, update

from tests.support.tenants import TenantFixture
from tillpoint.core.db import utcnow
from tillpoint.core.events import read_events, record_event
from tillpoint.core.jobs import (
    FAILED,
    QUEUED,
    SUCCEEDED,
    Job,
    JobContext,
    JobRunner,
    enqueue,
    job_handler,
    retry_delay,
)
from tillpoint.core.transactions import transaction

HANG = asyncio.Event()


@job_handler("test.record")
async def record(ctx: JobContext, payload: dict) -> None:
    record_event(ctx.session, "test.job_ran", {"n": payload["n"], "attempt": ctx.attempt})


@job_handler("test.flaky")
async def flaky(ctx: JobContext, payload: dict) -> None:
    if ctx.attempt <= payload["fail_times"]:
        raise RuntimeError(f"attempt {ctx.attempt} fails")
    record_event(ctx.session, "test.job_ran", {"n": payload["n"], "attempt": ctx.attempt})


@job_handler("test.hang")
async def hang(ctx: JobContext, payload: dict) -> None:
    await HANG.wait()
    record_event(ctx.session, "test.job_ran", {"n": payload["n"], "attempt": ctx.attempt})


async def enqueue_jobs(db, tenant_id: str, kind: str, payloads: list[dict], **options) -> list[str]:
    async with transaction(db, tenant_id=tenant_id) as session:
        return [enqueue(session, kind, p, **options) for p in payloads]


async def job(db, job_id: str) -> Job:
    async with db.session() as session:
        return (await session.execute(select(Job).where(Job.id == job_id))).scalar_one()


async def ran(db, tenant_id: str) -> list[dict]:
    async with db.session(tenant_id=tenant_id) as session:
        events = (await read_events(session, after=0, limit=10_000, types=["test.job_ran"])).events
    return [e.data for e in events]


async def drain(runner: JobRunner) -> None:
    while await runner.run_once():
        pass


async def test_a_job_enqueued_with_a_change_runs_once(db, tenant: TenantFixture) -> None:
    [job_id] = await enqueue_jobs(db, tenant.id, "test.record", [{"n": 1}])
    await drain(JobRunner(db, worker_id="w1"))
    assert (await job(db, job_id)).status == SUCCEEDED
    assert await ran(db, tenant.id) == [{"n": 1, "attempt": 1}]


async def test_a_rolled_back_change_enqueues_nothing(db, tenant: TenantFixture) -> None:
    try:
        async with transaction(db, tenant_id=tenant.id) as session:
            job_id = enqueue(session, "test.record", {"n": 1})
            raise RuntimeError("the change failed")
    except RuntimeError:
        pass
    async with db.session() as session:
        assert (await session.execute(select(Job).where(Job.id == job_id))).first() is None


async def test_failures_are_retried_with_backoff_then_given_up(db, tenant: TenantFixture) -> None:
    [retried, doomed] = await enqueue_jobs(
        db, tenant.id, "test.flaky", [{"n": 1, "fail_times": 2}], max_attempts=5
    ) + await enqueue_jobs(
        db, tenant.id, "test.flaky", [{"n": 2, "fail_times": 99}], max_attempts=3
    )
    runner = JobRunner(db, worker_id="w1")
    for _ in range(5):
        await drain(runner)
        first = await job(db, retried)
        if first.status == QUEUED:
            assert first.run_at > utcnow(), "a retry waits before running again"
            assert "attempt" in (first.last_error or "")
        # Skip the wait instead of sleeping through the backoff.
        async with db.session() as session, session.begin():
            await session.execute(update(Job).where(Job.status == QUEUED).values(run_at=utcnow()))
    assert (await job(db, retried)).status == SUCCEEDED
    assert (await job(db, retried)).attempts == 3
    gave_up = await job(db, doomed)
    assert (gave_up.status, gave_up.attempts) == (FAILED, 3)
    assert [e for e in await ran(db, tenant.id) if e["n"] in (1, 2)] == [{"n": 1, "attempt": 3}]


def test_backoff_grows_exponentially_with_jitter() -> None:
    for attempt in range(1, 12):
        delay = retry_delay(attempt)
        assert min(3600, 2 * 2 ** (attempt - 1)) / 2 <= delay <= min(3600, 2 * 2 ** (attempt - 1))


async def test_a_job_survives_its_runner_dying(db, tenant: TenantFixture) -> None:
    """The first runner takes the job and dies mid-run; once its lease runs out, another runner
    takes the job and finishes it. Nothing from the dead attempt is committed."""
    HANG.clear()
    [job_id] = await enqueue_jobs(db, tenant.id, "test.hang", [{"n": 7}])
    doomed = asyncio.create_task(JobRunner(db, worker_id="dies", lease_seconds=3600).run_once())
    for _ in range(200):
        if (await job(db, job_id)).locked_by == "dies":
            break
        await asyncio.sleep(0.01)
    doomed.cancel()  # the process is gone: no cleanup runs
    await asyncio.gather(doomed, return_exceptions=True)
    assert (await job(db, job_id)).status == "running"

    survivor = JobRunner(db, worker_id="survivor")
    await survivor.run_once()
    assert (await job(db, job_id)).status == "running", "the lease still protects the job"
    async with db.session() as session, session.begin():
        await session.execute(
            update(Job).where(Job.id == job_id).values(locked_until=utcnow() - timedelta(seconds=1))
        )
    HANG.set()
    await drain(survivor)
    finished = await job(db, job_id)
    assert (finished.status, finished.attempts) == (SUCCEEDED, 2)
    assert await ran(db, tenant.id) == [{"n": 7, "attempt": 2}]


async def test_parallel_runners_run_each_job_once(db, tenant: TenantFixture) -> None:
    ids = await enqueue_jobs(db, tenant.id, "test.record", [{"n": n} for n in range(60)])
    runners = [JobRunner(db, worker_id=f"w{i}", concurrency=3) for i in range(4)]
    await asyncio.gather(*(drain(r) for r in runners))
    counts = Counter(e["n"] for e in await ran(db, tenant.id))
    assert counts == Counter(range(60))
    async with db.session() as session:
        statuses = (await session.execute(select(Job.status).where(Job.id.in_(ids)))).scalars()
        assert set(statuses) == {SUCCEEDED}


async def test_serve_runs_jobs_in_process(
    database_url: str, tmp_path, tenant: TenantFixture
) -> None:
    from tests.support.tenants import make_settings
    from tillpoint.app import create_app

    settings = make_settings(
        database_url, tmp_path, run_jobs_in_process=True, job_poll_seconds=0.05
    )
    app = create_app(settings)
    db = app.state.db
    async with app.router.lifespan_context(app):
        [job_id] = await enqueue_jobs(db, tenant.id, "test.record", [{"n": 42}])
        for _ in range(200):
            if (await job(db, job_id)).status == SUCCEEDED:
                break
            await asyncio.sleep(0.05)
    async with db.session(tenant_id=tenant.id) as session:
        events = (await read_events(session, after=0, limit=1000, types=["test.job_ran"])).events
    assert {"n": 42, "attempt": 1} in [e.data for e in events]


async def test_a_runner_that_lost_its_lease_keeps_nothing(db, tenant: TenantFixture) -> None:
    HANG.clear()
    [job_id] = await enqueue_jobs(db, tenant.id, "test.hang", [{"n": 99}])
    slow = JobRunner(db, worker_id="slow")
    running = asyncio.create_task(slow.run_once())
    for _ in range(200):
        if (await job(db, job_id)).locked_by == "slow":
            break
        await asyncio.sleep(0.01)
    # Meanwhile its lease ran out and another runner took the job.
    async with db.session() as session, session.begin():
        await session.execute(update(Job).where(Job.id == job_id).values(locked_by="thief"))
    HANG.set()
    await running
    assert (await job(db, job_id)).locked_by == "thief"
    assert {"n": 99, "attempt": 1} not in await ran(db, tenant.id)


async def test_a_job_whose_last_attempt_died_is_failed_not_retried(
    db, tenant: TenantFixture
) -> None:
    [job_id] = await enqueue_jobs(db, tenant.id, "test.record", [{"n": 5}], max_attempts=2)
    async with db.session() as session, session.begin():
        await session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(
                status="running",
                attempts=2,
                locked_by="dead",
                locked_until=utcnow() - timedelta(seconds=1),
            )
        )
    await drain(JobRunner(db, worker_id="w"))
    dead = await job(db, job_id)
    assert (dead.status, dead.attempts) == (FAILED, 2)
    assert "stopped" in (dead.last_error or "")


async def test_a_commit_that_adds_a_job_wakes_the_runners_of_its_process(
    db, tenant: TenantFixture
) -> None:
    """The runner polls once an hour here: the job runs because the commit that enqueued it
    woke the runner, not because a poll came round. (Without the wake-up the runner would
    next look when the webhook dispatcher's run settles, 10 s on; this waits up to 5 s.)"""
    runner = JobRunner(db, worker_id="w-woken", poll_seconds=3600)
    stop = asyncio.Event()
    running = asyncio.create_task(runner.run_forever(stop))
    try:
        await asyncio.sleep(0.2)  # the runner has claimed nothing and waits for its next poll
        [job_id] = await enqueue_jobs(db, tenant.id, "test.record", [{"n": 7}])
        for _ in range(100):
            if (await job(db, job_id)).status == SUCCEEDED:
                break
            await asyncio.sleep(0.05)
        assert (await job(db, job_id)).status == SUCCEEDED
    finally:
        stop.set()
        await running
    assert {"n": 7, "attempt": 1} in await ran(db, tenant.id)
