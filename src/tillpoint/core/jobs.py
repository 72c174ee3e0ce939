"""Durable background jobs: a jobs table, claimed with FOR UPDATE SKIP LOCKED, retried with backoff.

Enqueue a job in the same transaction as the change that calls for it (``enqueue``); a runner —
inside ``tillpoint serve`` or in ``tillpoint worker`` processes — claims due jobs, runs their
handler in a transaction of its own and marks them done in that same transaction. A claim is a
lease: if the process dies, the lease runs out and another runner takes the job again, so a
handler must be safe to run more than once.
"""

import asyncio
import logging
import random
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Index, String, Text, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from tillpoint.core.db import Base, Database, utcnow
from tillpoint.core.ids import new_id

log = logging.getLogger("tillpoint.jobs")

QUEUED, RUNNING, SUCCEEDED, FAILED = "queued", "running", "succeeded", "failed"


class Job(Base):
    # Claimed across tenants by the runners, so keyed by id; tenant_id says whose work it is.
    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tenant_id: Mapped[str | None] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16), default=QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=10)
    run_at: Mapped[datetime]
    locked_by: Mapped[str | None] = mapped_column(String(100))
    locked_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    # Jobs sharing an ordering key run one at a time, in enqueue (id) order.
    ordering_key: Mapped[str | None] = mapped_column(String(200))
    # At most one queued-or-running job holds a singleton key; it is cleared when the job settles.
    singleton_key: Mapped[str | None] = mapped_column(String(200))
    # A recurring job: when it settles, its next run is enqueued this many seconds on.
    repeat_seconds: Mapped[float | None]

    __table_args__ = (
        Index("ix_jobs_status_run_at", "status", "run_at"),
        Index("ix_jobs_ordering_key_status", "ordering_key", "status"),
        Index("ix_jobs_kind_status", "kind", "status"),
        Index("ix_jobs_singleton_key", "singleton_key", unique=True),
    )


class LeaseLost(Exception):
    """The runner's lease on a job expired and another runner took it over."""


@dataclass(frozen=True)
class JobContext:
    session: AsyncSession
    job_id: str
    tenant_id: str | None
    attempt: int
    db: Database | None = None
    worker_id: str | None = None
    lease: timedelta = timedelta(seconds=300)

    @property
    def can_commit_aside(self) -> bool:
        """Whether a second transaction may commit while the job's own is open: on PostgreSQL,
        yes; on SQLite the job's transaction holds the single write lock."""
        return self.db is not None and self.db.dialect == "postgresql"

    async def extend_lease(self) -> None:
        """Keep a long job's claim (call it now and then): its lease runs for another term."""
        if not self.can_commit_aside or self.db is None:
            return
        async with self.db.session() as aside, aside.begin():
            await aside.execute(
                update(Job)
                .where(Job.id == self.job_id, Job.locked_by == self.worker_id)
                .values(locked_until=utcnow() + self.lease)
            )


Handler = Callable[[JobContext, dict[str, Any]], Awaitable[None]]
_HANDLERS: dict[str, Handler] = {}


def job_handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that runs jobs of ``kind``."""

    def register(fn: Handler) -> Handler:
        _HANDLERS[kind] = fn
        return fn

    return register


def enqueue(
    session: AsyncSession,
    kind: str,
    payload: dict[str, Any],
    *,
    tenant_id: str | None = None,
    run_at: datetime | None = None,
    max_attempts: int = 10,
) -> str:
    """Add a job to the caller's transaction: it exists only if that transaction commits."""
    if kind not in _HANDLERS:
        raise ValueError(f"no handler registered for job kind {kind!r}")
    job_id = new_id("job")
    session.add(
        Job(
            id=job_id,
            tenant_id=tenant_id if tenant_id is not None else session.info.get("tenant_id"),
            kind=kind,
            payload=payload,
            status=QUEUED,
            max_attempts=max_attempts,
            run_at=run_at or utcnow(),
        )
    )
    return job_id


def retry_delay(attempt: int, *, base: float = 2.0, cap: float = 3600.0) -> float:
    """Exponential backoff with jitter: about base·2^(attempt−1) seconds, at most ``cap``."""
    delay = min(cap, base * 2 ** (attempt - 1))
    return delay * random.uniform(0.5, 1.0)  # noqa: S311 - jitter, not security


class JobRunner:
    def __init__(
        self,
        db: Database,
        *,
        worker_id: str,
        concurrency: int = 4,
        poll_seconds: float = 1.0,
        lease_seconds: float = 300.0,
    ) -> None:
        self.db = db
        self.worker_id = worker_id
        self.concurrency = concurrency
        self.poll_seconds = poll_seconds
        self.lease = timedelta(seconds=lease_seconds)
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Claim and run jobs until ``stop`` is set; jobs already started are finished."""
        while not stop.is_set():
            try:
                ran = await self.run_once()
            except Exception:
                log.exception("job runner iteration failed")
                ran = 0
            if ran:
                continue
            self._wake.clear()
            waits = [asyncio.create_task(stop.wait()), asyncio.create_task(self._wake.wait())]
            await asyncio.wait(
                waits, timeout=self.poll_seconds, return_when=asyncio.FIRST_COMPLETED
            )
            for task in waits:
                task.cancel()

    async def run_once(self) -> int:
        jobs = await self._claim(self.concurrency)
        if jobs:
            await asyncio.gather(*(self._execute(job) for job in jobs))
        return len(jobs)

    async def _claim(self, limit: int) -> list[Job]:
        now = utcnow()
        async with self.db.session() as session, session.begin():
            due = (
                select(Job)
                .where(
                    or_(
                        (Job.status == QUEUED) & (Job.run_at <= now),
                        (Job.status == RUNNING) & (Job.locked_until < now),
                    )
                )
                .order_by(Job.run_at, Job.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
            jobs = []
            for job in (await session.execute(due)).scalars():
                if job.status == RUNNING and job.attempts >= job.max_attempts:
                    # Its last attempt died with its process: give up rather than loop.
                    job.status, job.locked_by, job.locked_until = FAILED, None, None
                    job.last_error = "the process running the last attempt stopped"
                    job.finished_at = now
                    continue
                jobs.append(job)
            for job in jobs:
                job.status = RUNNING
                job.attempts += 1
                job.locked_by = self.worker_id
                job.locked_until = now + self.lease
        return jobs

    async def _execute(self, job: Job) -> None:
        handler = _HANDLERS.get(job.kind)
        try:
            if handler is None:
                raise LookupError(f"no handler for job kind {job.kind!r}")
            async with self.db.transaction(tenant_id=job.tenant_id) as session:
                context = JobContext(
                    session,
                    job.id,
                    job.tenant_id,
                    job.attempts,
                    self.db,
                    self.worker_id,
                    self.lease,
                )
                await handler(context, job.payload)
                done = await session.execute(
                    self._finish(job, status=SUCCEEDED, finished_at=utcnow())
                )
                if done.rowcount != 1:  # type: ignore[attr-defined]
                    # Our lease ran out and another runner has the job: undo our work.
                    raise LeaseLost(job.id)
        except LeaseLost:
            log.warning("job lease lost; its work was rolled back", extra={"job_id": job.id})
        except Exception as exc:
            final = job.attempts >= job.max_attempts
            log.warning(
                "job failed", extra={"job_id": job.id, "kind": job.kind, "attempt": job.attempts}
            )
            error = "".join(traceback.format_exception_only(exc)).strip()[:2000]
            async with self.db.session() as session, session.begin():
                await session.execute(
                    self._finish(
                        job,
                        status=FAILED if final else QUEUED,
                        last_error=error,
                        finished_at=utcnow() if final else None,
                        run_at=utcnow() + timedelta(seconds=retry_delay(job.attempts)),
                    )
                )

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
