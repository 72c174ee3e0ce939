"""The job runner: enqueueing, claiming and running durable background jobs."""

import asyncio
import logging
import random
import traceback
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.config import Settings
from tillpoint.core.db import Database, dialect_insert, table_of, utcnow
from tillpoint.core.ids import new_monotonic_id
from tillpoint.core.jobs.claim import claim_jobs, insert_recurring, schedule_next_run
from tillpoint.core.jobs.registry import (
    KIND_LIMITS,
    KINDS,
    RECURRING,
    JobContext,
    LeaseLost,
    require_kind,
)
from tillpoint.core.jobs.table import FAILED, QUEUED, SUCCEEDED, Job
from tillpoint.core.transactions import JOBS_ADDED, on_jobs_committed, transaction

log = logging.getLogger("tillpoint.jobs")


def enqueue(
    session: AsyncSession,
    kind: str,
    payload: dict[str, Any],
    *,
    tenant_id: str | None = None,
    run_at: datetime | None = None,
    delay: timedelta | None = None,
    ordering_key: str | None = None,
    max_attempts: int = 10,
) -> str:
    """Add a job to the caller's transaction: it exists only if that transaction commits.

    It runs when due: now, at ``run_at``, or after ``delay``. Jobs with the same
    ``ordering_key`` run one at a time, in the order they were enqueued."""
    require_kind(kind)
    if run_at is not None and delay is not None:
        raise ValueError("give run_at or delay, not both")
    if run_at is not None and run_at.tzinfo is None:
        raise ValueError("run_at must be timezone-aware")
    # Monotonic: jobs of one ordering key run in id order, so two enqueued in the same
    # millisecond must not come out shuffled.
    job_id = new_monotonic_id("job")
    session.info[JOBS_ADDED] = True
    session.add(
        Job(
            id=job_id,
            tenant_id=tenant_id if tenant_id is not None else session.info.get("tenant_id"),
            kind=kind,
            payload=payload,
            status=QUEUED,
            max_attempts=max_attempts,
            run_at=run_at or utcnow() + (delay or timedelta(0)),
            ordering_key=ordering_key,
        )
    )
    return job_id


async def enqueue_once(
    session: AsyncSession,
    kind: str,
    payload: dict[str, Any],
    *,
    key: str,
    tenant_id: str | None = None,
    run_at: datetime | None = None,
    max_attempts: int = 10,
) -> bool:
    """Enqueue ``kind`` unless a job holding ``key`` is queued or running; whether it was added.

    The key is released when that job settles, so work arriving while it runs needs a later
    ``enqueue_once`` (the caller's sweep) — it is not lost, only not doubled."""
    require_kind(kind)
    insert = (
        dialect_insert(session)(table_of(Job))
        .values(
            id=new_monotonic_id("job"),
            tenant_id=tenant_id if tenant_id is not None else session.info.get("tenant_id"),
            kind=kind,
            payload=payload,
            status=QUEUED,
            attempts=0,
            max_attempts=max_attempts,
            run_at=run_at or utcnow(),
            singleton_key=key,
        )
        .on_conflict_do_nothing(index_elements=["singleton_key"])
    )
    added = bool((await session.execute(insert)).rowcount)  # type: ignore[attr-defined]
    if added:
        session.info[JOBS_ADDED] = True
    return added


async def schedule_recurring(
    session: AsyncSession,
    kind: str,
    payload: dict[str, Any],
    *,
    key: str,
    every: timedelta,
    tenant_id: str | None = None,
    first_run_at: datetime | None = None,
    max_attempts: int = 3,
) -> None:
    """Run ``kind`` every ``every`` from ``first_run_at`` (default now), one run at a time under
    ``key`` across all runners. Scheduling a key that exists updates its payload and interval
    from its next run on. A failed run (after its retries) does not stop the series."""
    require_kind(kind)
    if every <= timedelta(0):
        raise ValueError("a recurring job needs a positive interval")
    await insert_recurring(
        session,
        kind=kind,
        payload=payload,
        key=key,
        every=every,
        run_at=first_run_at or utcnow(),
        tenant_id=tenant_id if tenant_id is not None else session.info.get("tenant_id"),
        max_attempts=max_attempts,
    )


async def cancel_recurring(session: AsyncSession, key: str) -> None:
    """End the series under ``key``: its queued run is deleted; a running one finishes and is
    not followed by another."""
    await session.execute(
        delete(Job).where(Job.singleton_key == key, Job.status == QUEUED, Job.attempts == 0)
    )
    await session.execute(update(Job).where(Job.singleton_key == key).values(repeat_seconds=None))


def retry_delay(attempt: int, *, base: float = 2.0, cap: float = 3600.0) -> float:
    """Exponential backoff with jitter: about base·2^(attempt−1) seconds, at most ``cap``."""
    delay = min(cap, base * 2.0 ** (attempt - 1))
    return delay * random.uniform(0.5, 1.0)  # jitter, not security


class JobRunner:
    """Runs up to ``concurrency`` jobs at once in this process. ``run_forever`` stops claiming
    when told to stop, gives running jobs ``grace_seconds`` to finish, then cancels the rest
    and hands their leases back so another runner retries them at once."""

    RECURRING_CHECK_SECONDS = 60.0

    def __init__(
        self,
        db: Database,
        *,
        worker_id: str,
        concurrency: int = 4,
        poll_seconds: float = 1.0,
        lease_seconds: float = 300.0,
        grace_seconds: float = 25.0,
        settings: Settings | None = None,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.db = db
        self.worker_id = worker_id
        self.concurrency = concurrency
        self.poll_seconds = poll_seconds
        self.lease = timedelta(seconds=lease_seconds)
        self.grace_seconds = grace_seconds
        # Handed to handlers as ``context.settings`` (the process's Settings).
        self.settings = settings
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Claim and run jobs until ``stop`` is set, then shut down gracefully; woken early
        when a commit in this process (any thread) adds jobs."""
        loop = asyncio.get_running_loop()
        unsubscribe = on_jobs_committed(lambda: loop.call_soon_threadsafe(self._wake.set))
        try:
            await self._run_until(stop)
        finally:
            unsubscribe()

    async def _run_until(self, stop: asyncio.Event) -> None:
        running: dict[asyncio.Task[None], Job] = {}
        next_recurring_check = 0.0
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            if RECURRING and loop.time() >= next_recurring_check:
                starting = next_recurring_check == 0.0
                next_recurring_check = loop.time() + self.RECURRING_CHECK_SECONDS
                try:
                    await self.ensure_recurring(starting=starting)
                except Exception:
                    log.exception("scheduling recurring jobs failed")
            # Cleared before claiming, so a wake-up that arrives during the claim is kept.
            self._wake.clear()
            free = self.concurrency - len(running)
            claimed = 0
            if free > 0:
                try:
                    for job in await self._claim(free):
                        running[asyncio.create_task(self._execute(job))] = job
                        claimed += 1
                except Exception:
                    log.exception("job runner iteration failed")
            if 0 < claimed < free:
                continue  # slots are free and jobs were due: there may be more
            waits = [asyncio.create_task(stop.wait()), asyncio.create_task(self._wake.wait())]
            await asyncio.wait(
                [*waits, *running], timeout=self.poll_seconds, return_when=asyncio.FIRST_COMPLETED
            )
            for wait in waits:
                wait.cancel()
            for task in [task for task in running if task.done()]:
                del running[task]
        await self._shut_down(running)

    async def _shut_down(self, running: dict[asyncio.Task[None], Job]) -> None:
        self._stopping.set()  # handlers that loop return at their next step
        if not running:
            return
        log.info("job runner stopping", extra={"running": len(running)})
        _, unfinished = await asyncio.wait(running, timeout=self.grace_seconds)
        for task in unfinished:
            task.cancel()
        await asyncio.gather(*unfinished, return_exceptions=True)
        if unfinished:
            await self._release([running[task] for task in unfinished])

    async def _release(self, jobs: list[Job]) -> None:
        """Hand back the leases of jobs cut short by shutdown: they run again at once, and the
        cut attempt does not count against ``max_attempts``."""
        try:
            async with self.db.session() as session, session.begin():
                for job in jobs:
                    await session.execute(
                        self._finish(job, status=QUEUED, run_at=utcnow(), attempts=Job.attempts - 1)
                    )
        except Exception:
            # Their leases will run out instead, and another runner retake them then.
            log.exception("handing back job leases failed")
            return
        log.info("job leases released", extra={"jobs": [job.id for job in jobs]})

    async def ensure_recurring(self, *, starting: bool = False) -> None:
        """Make sure every declared recurring job has its run scheduled; when this runner is
        starting, a kind declared ``run_at_start`` has its waiting run brought forward to now."""
        now = utcnow()
        async with self.db.session() as session, session.begin():
            for spec in RECURRING.values():
                key = f"recurring:{spec.kind}"
                await insert_recurring(
                    session,
                    kind=spec.kind,
                    payload=spec.payload,
                    key=key,
                    every=spec.every,
                    run_at=now,
                    tenant_id=None,
                    max_attempts=spec.max_attempts,
                )
                if starting and spec.run_at_start:
                    await session.execute(
                        update(Job)
                        .where(Job.singleton_key == key, Job.status == QUEUED, Job.run_at > now)
                        .values(run_at=now)
                    )

    async def run_once(self) -> int:
        """Claim up to ``concurrency`` jobs and run them to the end; how many were claimed.

        The declared recurring series (the webhook dispatcher, purges) are left to runners that
        run for good: a dispatcher run lasts its whole interval and its next one is due at once,
        so a loop over ``run_once`` would never see the queue empty."""
        jobs = await self._claim(self.concurrency, skip_kinds=list(RECURRING))
        if jobs:
            await asyncio.gather(*(self._execute(job) for job in jobs))
        return len(jobs)

    async def _claim(self, limit: int, *, skip_kinds: list[str] | None = None) -> list[Job]:
        async with self.db.session() as session, session.begin():
            return await claim_jobs(
                session,
                worker_id=self.worker_id,
                limit=limit,
                lease=self.lease,
                kind_limits=KIND_LIMITS,
                kind_leases={k: spec.lease for k, spec in KINDS.items() if spec.lease},
                now=utcnow(),
                skip_kinds=skip_kinds,
            )

    def _lease_of(self, kind: str) -> timedelta:
        spec = KINDS.get(kind)
        return min(self.lease, spec.lease) if spec is not None and spec.lease else self.lease

    def _context(self, job: Job, session: AsyncSession | None) -> JobContext:
        return JobContext(
            session,
            job.id,
            job.tenant_id,
            job.attempts,
            self.db,
            self.worker_id,
            self._lease_of(job.kind),
            job.run_at,
            self.settings,
            self._stopping,
            self.wake,
        )

    async def _execute(self, job: Job) -> None:
        spec = KINDS.get(job.kind)
        try:
            if spec is None:
                raise LookupError(f"no handler for job kind {job.kind!r}")
            if spec.transactional:
                async with transaction(self.db, tenant_id=job.tenant_id) as session:
                    await spec.handler(self._context(job, session), job.payload)
                    await self._settle(session, job, status=SUCCEEDED, last_error=None)
            else:
                # The handler commits its own work; the job is settled after it, apart.
                await spec.handler(self._context(job, None), job.payload)
                async with transaction(self.db) as session:
                    await self._settle(session, job, status=SUCCEEDED, last_error=None)
        except LeaseLost:
            log.warning("job lease lost to another runner", extra={"job_id": job.id})
        except Exception as exc:
            final = job.attempts >= job.max_attempts
            log.warning(
                "job failed", extra={"job_id": job.id, "kind": job.kind, "attempt": job.attempts}
            )
            error = "".join(traceback.format_exception_only(exc)).strip()[:2000]
            async with self.db.session() as session, session.begin():
                if final:
                    await self._settle(session, job, status=FAILED, last_error=error)
                else:
                    await session.execute(
                        self._finish(
                            job,
                            status=QUEUED,
                            last_error=error,
                            run_at=utcnow() + timedelta(seconds=retry_delay(job.attempts)),
                        )
                    )
        finally:
            self._wake.set()  # a settled job may unblock the next one of its ordering key

    async def _settle(self, session: AsyncSession, job: Job, **values: Any) -> None:
        """Mark the job done for good and, if it recurs, enqueue its next run alongside."""
        now = utcnow()
        settled = (
            await session.execute(
                self._finish(job, finished_at=now, singleton_key=None, **values).returning(
                    Job.payload, Job.repeat_seconds, Job.max_attempts
                )
            )
        ).first()
        if settled is None:
            # Our lease ran out and another runner has the job: undo our work.
            raise LeaseLost(job.id)
        await schedule_next_run(session, job, settled, now)

    def _finish(self, job: Job, **values: Any) -> Any:
        # Only the runner that still holds the lease may settle the job.
        return (
            update(Job)
            .where(Job.id == job.id, Job.locked_by == self.worker_id, Job.attempts == job.attempts)
            .values(locked_by=None, locked_until=None, **values)
        )


@dataclass(frozen=True)
class QueueStats:
    depth: int
    oldest_age_seconds: float


async def queue_stats(session: AsyncSession) -> QueueStats:
    now = utcnow()
    depth, oldest = (
        await session.execute(
            select(func.count(), func.min(Job.run_at)).where(
                Job.status == QUEUED, Job.run_at <= now
            )
        )
    ).one()
    return QueueStats(int(depth), (now - oldest).total_seconds() if oldest else 0.0)
