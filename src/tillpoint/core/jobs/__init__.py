"""Durable background jobs: a jobs table, claimed with FOR UPDATE SKIP LOCKED, retried with backoff.

Enqueue a job in the same transaction as the change that calls for it (``enqueue``); a runner —
inside ``tillpoint serve`` or in ``tillpoint worker`` processes — claims due jobs, runs their
handler in a transaction of its own and marks them done in that same transaction. A claim is a
lease: if the process dies, the lease runs out and another runner takes the job again, so a
handler must be safe to run more than once.

Beyond that: jobs may be scheduled (``run_at``/``delay``), recurring (``schedule_recurring`` or
``recurring_job``: one pending run per key, the next enqueued as the current one settles),
ordered (``ordering_key``: one at a time, in enqueue order) and limited per kind across all
runners (``job_handler(kind, max_concurrency=n)``). See docs/adr/0006-job-runner-scheduling.md.
"""

from tillpoint.core.jobs.registry import Handler, JobContext, LeaseLost, job_handler, recurring_job
from tillpoint.core.jobs.runner import (
    JobRunner,
    QueueStats,
    cancel_recurring,
    enqueue,
    enqueue_once,
    queue_stats,
    retry_delay,
    schedule_recurring,
)
from tillpoint.core.jobs.table import FAILED, QUEUED, RUNNING, SUCCEEDED, Job

__all__ = [
    "FAILED",
    "Handler",
    "Job",
    "JobContext",
    "JobRunner",
    "LeaseLost",
    "QUEUED",
    "QueueStats",
    "RUNNING",
    "SUCCEEDED",
    "cancel_recurring",
    "enqueue",
    "enqueue_once",
    "job_handler",
    "queue_stats",
    "recurring_job",
    "retry_delay",
    "schedule_recurring",
]
