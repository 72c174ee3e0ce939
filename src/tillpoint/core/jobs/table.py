"""The jobs table: one row per job, claimed by the runners in ``tillpoint.core.jobs``."""

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tillpoint.core.db import Base, utcnow

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
