"""Housekeeping on the runner itself: settled jobs are deleted a week after they finish."""

from datetime import timedelta
from typing import Any

from sqlalchemy import delete

from tillpoint.core.db import utcnow
from tillpoint.core.jobs import FAILED, SUCCEEDED, Job, JobContext, job_handler, recurring_job

KEEP_SETTLED = timedelta(days=7)
PURGE = "jobs.purge"


@job_handler(PURGE, max_concurrency=1)
async def purge_settled_jobs(context: JobContext, _payload: dict[str, Any]) -> None:
    await context.session.execute(
        delete(Job).where(
            Job.status.in_([SUCCEEDED, FAILED]), Job.finished_at < utcnow() - KEEP_SETTLED
        )
    )


recurring_job(PURGE, every=timedelta(hours=1))
