"""The end of a unit of work: the one place a transaction commits, and its rollback.

``commit`` writes what the transaction queued for its end — the request's audit row, then its
events, numbered under the tenant's counter lock as the last write (ADR 0001) — and COMMITs.
``discard_pending`` drops that queue when the transaction rolls back instead. Their callers
are the request pipeline (ADR 0002) and ``transaction``, the unit of work outside a request.

This module sits above both ``core.db`` (engines, sessions) and ``core.events`` (the outbox),
so neither of those needs the other's end of a transaction.
"""

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.core.db import Database
from tillpoint.core.events import (
    PendingEvent,
    drop_held,
    held_tenants,
    notify_committed,
    take_pending,
    write_events,
)
from tillpoint.core.faults import CommitOutcomeUnknown, Fault, fault_of

# Set in a session's info when its transaction adds jobs (``core.jobs.enqueue``).
JOBS_ADDED = "tillpoint_jobs_added"
# Called after a COMMIT that added jobs: the job runners of this process, which claim them at
# once instead of at their next poll. Runners elsewhere still find them when they poll.
_job_listeners: list[Callable[[], object]] = []


def on_jobs_committed(listener: Callable[[], object]) -> Callable[[], None]:
    """Call ``listener`` after each commit that added jobs; returns what unsubscribes it."""
    _job_listeners.append(listener)
    return lambda: _job_listeners.remove(listener)


def _notify_jobs_committed() -> None:
    for listener in list(_job_listeners):
        try:
            listener()
        except Exception:  # the commit has happened; a listener must not turn it into an error
            logging.getLogger(__name__).exception("job commit listener failed")


async def commit(session: AsyncSession) -> list[PendingEvent]:
    """The one place a transaction commits: write pending events last, then COMMIT.

    Returns the events that became visible with this commit.
    """
    pending, rows = take_pending(session)
    tenants = {ev.tenant_id for ev in pending} | held_tenants(session)
    await session.flush()
    if tenants:
        await write_events(session, pending, rows)
    else:
        for table, row in rows:
            await session.execute(insert(table), row)
    try:
        await session.commit()
    except Exception as error:
        if fault_of(error) is Fault.LOST_CONNECTION:
            # COMMIT may have reached the server before the connection went: it may have
            # committed. Whoever called must find out (or say so), not assume either way.
            raise CommitOutcomeUnknown from error
        raise
    if tenants:
        notify_committed(tenants)
    if session.info.pop(JOBS_ADDED, False):
        _notify_jobs_committed()
    return pending


def discard_pending(session: AsyncSession) -> None:
    """Forget the events and rows queued for commit (the transaction is being rolled back)."""
    take_pending(session)
    drop_held(session)
    session.info.pop(JOBS_ADDED, None)


@asynccontextmanager
async def transaction(db: Database, *, tenant_id: str | None = None) -> AsyncIterator[AsyncSession]:
    """One unit of work outside a request (CLI, jobs): commit on success, else roll back."""
    async with db.session(tenant_id=tenant_id) as session:
        try:
            yield session
            await commit(session)
        except BaseException:
            discard_pending(session)
            await session.rollback()
            raise
