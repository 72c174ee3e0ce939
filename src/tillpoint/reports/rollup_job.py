"""The sales rollup in the background: every few seconds, each tenant whose events have moved
past its cursor is caught up, so a report request finds little left to do (ADR 0016)."""

from datetime import timedelta
from typing import Any

from sqlalchemy import or_, select

from tillpoint.core.events import EventCounter
from tillpoint.core.jobs import JobContext, job_handler, recurring_job
from tillpoint.reports.models import ReportCursor
from tillpoint.reports.rollup import SALES, catch_up

ROLLUP = "reports.rollup"  # a job kind


@job_handler(ROLLUP, max_concurrency=1, transactional=False)
async def roll_up_sales(context: JobContext, _payload: dict[str, Any]) -> None:
    """Catch up every tenant that is behind, each in batches of its own transactions."""
    assert context.db is not None  # a handler without a transaction gets the database
    async with context.db.session(read_only=True) as session:
        cursor = (
            select(ReportCursor.last_seq)
            .where(ReportCursor.tenant_id == EventCounter.tenant_id, ReportCursor.name == SALES)
            .scalar_subquery()
        )
        behind = (
            select(EventCounter.tenant_id)
            .where(or_(cursor.is_(None), EventCounter.last_seq > cursor))
            .execution_options(all_tenants=True)
        )
        tenants = list((await session.execute(behind)).scalars())
    for tenant_id in tenants:
        if context.stopping.is_set():
            return
        await catch_up(context.db, tenant_id)


recurring_job(ROLLUP, every=timedelta(seconds=5), run_at_start=True)
