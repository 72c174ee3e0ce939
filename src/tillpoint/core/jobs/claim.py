"""How runners take jobs: the claim query (due, per-key ordering, per-kind limits) and the
insert of a recurring job's next run."""

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from tillpoint.core.db import dialect_insert, table_of
from tillpoint.core.ids import new_monotonic_id
from tillpoint.core.jobs.table import FAILED, QUEUED, RUNNING, Job


def _ordering_clear(now: datetime) -> Any:
    """No job with the same ordering key is running, or queued before this one and due (or
    waiting to retry)."""
    other = aliased(Job)
    blocker = exists().where(
        other.ordering_key == Job.ordering_key,
        other.id != Job.id,
        or_(
            other.status == RUNNING,
            and_(
                other.status == QUEUED,
                other.id < Job.id,
                or_(other.run_at <= now, other.attempts > 0),
            ),
        ),
    )
    return or_(Job.ordering_key.is_(None), ~blocker)


async def _running_counts(session: AsyncSession, kinds: list[str], now: datetime) -> dict[str, int]:
    rows = await session.execute(
        select(Job.kind, func.count())
        .where(Job.kind.in_(kinds), Job.status == RUNNING, Job.locked_until > now)
        .group_by(Job.kind)
    )
    return {kind: int(n) for kind, n in rows.all()}


async def claim_jobs(
    session: AsyncSession,
    *,
    worker_id: str,
    limit: int,
    lease: timedelta,
    kind_limits: Mapping[str, int],
    now: datetime,
    kind_leases: Mapping[str, timedelta] | None = None,
    skip_kinds: list[str] | None = None,
) -> list[Job]:
    """Lease up to ``limit`` due jobs to ``worker_id`` in the caller's transaction, each for
    ``lease`` or its kind's shorter one. A job whose last attempt died with its process is
    failed here instead (and, if recurring, rescheduled)."""
    saturated: list[str] = list(skip_kinds or [])
    if kind_limits:
        running = await _running_counts(session, list(kind_limits), now)
        saturated += [k for k, n in kind_limits.items() if running.get(k, 0) >= n]
    due = (
        select(Job)
        .where(
            or_(
                (Job.status == QUEUED) & (Job.run_at <= now),
                (Job.status == RUNNING) & (Job.locked_until < now),
            ),
            _ordering_clear(now),
            Job.kind.not_in(saturated) if saturated else true(),
        )
        .order_by(Job.run_at, Job.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    candidates = list((await session.execute(due)).scalars())
    limited = sorted({job.kind for job in candidates if job.kind in kind_limits})
    if limited:
        if session.get_bind().dialect.name == "postgresql":
            # The count of running jobs is exact only if no other runner claims that kind
            # between our count and our commit: one transaction-scoped advisory lock per kind,
            # taken in name order. (On SQLite the write transaction already serialises claims.)
            for kind in limited:
                await session.execute(
                    select(func.pg_advisory_xact_lock(func.hashtext(f"tillpoint.jobs:{kind}")))
                )
        running = await _running_counts(session, limited, now)
        room = {kind: kind_limits[kind] - running.get(kind, 0) for kind in limited}
        kept = []
        for job in candidates:
            if job.kind in room:
                if room[job.kind] <= 0:
                    continue
                room[job.kind] -= 1
            kept.append(job)
        candidates = kept
    jobs, recurring = [], []
    for job in candidates:
        if job.status == RUNNING and job.attempts >= job.max_attempts:
            # Its last attempt died with its process: give up rather than loop.
            job.status, job.locked_by, job.locked_until = FAILED, None, None
            job.last_error = "the process running the last attempt stopped"
            job.finished_at = now
            if job.singleton_key is not None:
                recurring.append((job, job.singleton_key))
                job.singleton_key = None
            continue
        job.status = RUNNING
        job.attempts += 1
        job.locked_by = worker_id
        job.locked_until = now + min(lease, (kind_leases or {}).get(job.kind, lease))
        jobs.append(job)
    await session.flush()
    for job, key in recurring:
        await schedule_next_run(session, job, job, now, key=key)
    return jobs


def next_run_at(scheduled: datetime, every: timedelta, now: datetime) -> datetime:
    """The slot after ``scheduled``; if that has passed (the run overran, or no runner ran),
    now — once: missed slots are not caught up."""
    return max(scheduled + every, now)


async def insert_recurring(
    session: AsyncSession,
    *,
    kind: str,
    payload: dict[str, Any],
    key: str,
    every: timedelta,
    run_at: datetime,
    tenant_id: str | None,
    max_attempts: int,
    ordering_key: str | None = None,
    update_existing: bool = True,
) -> None:
    """Insert a recurring job's run unless one holds ``key`` already; then, if asked, give the
    one there the new payload and interval (they apply from its next run)."""
    insert = dialect_insert(session)(table_of(Job)).values(
        id=new_monotonic_id("job"),
        tenant_id=tenant_id,
        kind=kind,
        payload=payload,
        status=QUEUED,
        attempts=0,
        max_attempts=max_attempts,
        run_at=run_at,
        ordering_key=ordering_key,
        singleton_key=key,
        repeat_seconds=every.total_seconds(),
    )
    if update_existing:
        statement = insert.on_conflict_do_update(
            index_elements=["singleton_key"],
            set_={
                "payload": insert.excluded.payload,
                "repeat_seconds": insert.excluded.repeat_seconds,
                "max_attempts": insert.excluded.max_attempts,
            },
        )
    else:
        statement = insert.on_conflict_do_nothing(index_elements=["singleton_key"])
    await session.execute(statement)


async def schedule_next_run(
    session: AsyncSession, job: Job, settled: Any, now: datetime, *, key: str | None = None
) -> None:
    """Enqueue a settled recurring job's next run (``settled``: its row as the settle returned
    it), in the settling transaction, so exactly one run of the key is ever pending."""
    key = key or job.singleton_key
    if settled is None or settled.repeat_seconds is None or key is None:
        return
    every = timedelta(seconds=settled.repeat_seconds)
    await insert_recurring(
        session,
        kind=job.kind,
        payload=settled.payload,
        key=key,
        every=every,
        run_at=next_run_at(job.run_at, every, now),
        tenant_id=job.tenant_id,
        max_attempts=settled.max_attempts,
        ordering_key=job.ordering_key,
        update_existing=False,
    )
