"""What a runner knows about each job kind: its handler, how it runs, and the context it gets.

Handlers register with ``job_handler(kind, …)``; recurring kinds with ``recurring_job``. Both
live in ``tillpoint.core.jobs`` too, which is where callers import them from.
"""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.config import Settings
from tillpoint.core.db import Database, utcnow
from tillpoint.core.jobs.table import Job


class LeaseLost(Exception):
    """The runner's lease on a job expired and another runner took it over."""


@dataclass(frozen=True)
class JobContext:
    """What a handler gets besides its payload.

    ``session`` is the job's own transaction, settled with the job; a handler registered with
    ``transactional=False`` has none and opens short transactions of its own on
    ``db`` (so it can wait on the network without holding a transaction, which on SQLite would
    hold the one write lock). ``stopping`` is set when the runner is shutting down: a handler
    that loops should return between steps.
    """

    own_session: AsyncSession | None
    job_id: str
    tenant_id: str | None
    attempt: int
    db: Database | None = None
    worker_id: str | None = None
    lease: timedelta = timedelta(seconds=300)
    run_at: datetime | None = None
    settings: Settings | None = None
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    wake_runner: Callable[[], None] = lambda: None

    @property
    def session(self) -> AsyncSession:
        if self.own_session is None:
            raise RuntimeError("this kind runs without a transaction: open one on context.db")
        return self.own_session

    @property
    def can_commit_aside(self) -> bool:
        """Whether a second transaction may commit while the handler runs: on PostgreSQL, yes;
        on SQLite only when the handler holds no transaction of its own."""
        if self.db is None:
            return False
        return self.db.dialect == "postgresql" or self.own_session is None

    async def extend_lease(self) -> None:
        """Keep a long job's claim (call it now and then): its lease runs for another term.
        Raises ``LeaseLost`` when another runner has taken the job meanwhile."""
        if not self.can_commit_aside or self.db is None:
            return
        async with self.db.session() as aside, aside.begin():
            extended = await aside.execute(
                update(Job)
                .where(Job.id == self.job_id, Job.locked_by == self.worker_id)
                .values(locked_until=utcnow() + self.lease)
            )
        if extended.rowcount == 0:  # type: ignore[attr-defined]
            raise LeaseLost(self.job_id)


Handler = Callable[[JobContext, dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True)
class KindSpec:
    handler: Handler
    # Runs in a transaction the runner commits with the job (True), or makes its own (False).
    transactional: bool = True
    # A claim of this kind lasts this long (never longer than the runner's own lease).
    lease: timedelta | None = None


KINDS: dict[str, KindSpec] = {}
KIND_LIMITS: dict[str, int] = {}


@dataclass(frozen=True)
class RecurringJob:
    kind: str
    every: timedelta
    payload: dict[str, Any] = field(default_factory=dict)
    max_attempts: int = 3
    # A runner that starts runs it at once rather than at the series' next slot.
    run_at_start: bool = False


RECURRING: dict[str, RecurringJob] = {}


def job_handler(
    kind: str,
    *,
    max_concurrency: int | None = None,
    transactional: bool = True,
    lease_seconds: float | None = None,
) -> Callable[[Handler], Handler]:
    """Register the function that runs jobs of ``kind``.

    ``max_concurrency``: at most that many jobs of the kind run at once across every runner of
    the database. ``transactional=False``: the handler gets no transaction (see JobContext).
    ``lease_seconds``: a shorter claim than the runner's, for jobs that extend their lease as
    they go, so another runner retakes them soon after their process dies."""
    if max_concurrency is not None and max_concurrency < 1:
        raise ValueError("max_concurrency must be at least 1")
    if lease_seconds is not None and lease_seconds <= 0:
        raise ValueError("lease_seconds must be positive")

    def register(fn: Handler) -> Handler:
        lease = timedelta(seconds=lease_seconds) if lease_seconds is not None else None
        KINDS[kind] = KindSpec(fn, transactional, lease)
        if max_concurrency is not None:
            KIND_LIMITS[kind] = max_concurrency
        else:
            KIND_LIMITS.pop(kind, None)
        return fn

    return register


def recurring_job(
    kind: str,
    *,
    every: timedelta,
    payload: dict[str, Any] | None = None,
    max_attempts: int = 3,
    run_at_start: bool = False,
) -> None:
    """Declare a job that runs every ``every`` for as long as runners run (keyed by its kind);
    each runner makes sure its run is scheduled when it starts and now and then after. With
    ``run_at_start``, a starting runner brings a waiting run forward to now (for a job that
    must not wait an interval after a restart)."""
    if every <= timedelta(0):
        raise ValueError("a recurring job needs a positive interval")
    RECURRING[kind] = RecurringJob(kind, every, payload or {}, max_attempts, run_at_start)


def require_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"no handler registered for job kind {kind!r}")
