"""The sales rollup in the background: every few seconds, each tenant whose events have moved
past its cursor is caught up, so a report request finds little left to do (ADR 0016).

It is background work beside the shop's own requests: it pauses between batches, so on SQLite
(one write lock) a checkout is never kept waiting behind a run of them, and a run stops after
``RUN_SECONDS``; a long backlog (a restored database, a rebuild) drains over several runs, and
a report asked for meanwhile catches up what it needs itself.
"""

import asyncio
import time
from datetime import timedelta
from typing import Any

from sqlalchemy import or_, select

from tillpoint.core.events import EventCounter
from tillpoint.core.jobs import JobContext, job_handler, recurring_job
from tillpoint.core.transactions import transaction
from tillpoint.reports.models import ReportCursor
from tillpoint.reports.rollup import SALES, roll_batch

ROLLUP = "reports.rollup"  # a job kind
RUN_SECONDS = 2.0
PAUSE_SECONDS = 0.05  # between batches


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
    ends = time.monotonic() + RUN_SECONDS
    for tenant_id in tenants:
        more = True
        while more:
            if context.stopping.is_set() or time.monotonic() > ends:
                return
            async with transaction(context.db, tenant_id=tenant_id) as session:
                more, _ = await roll_batch(session, tenant_id)
            await asyncio.sleep(PAUSE_SECONDS)


recurring_job(ROLLUP, every=timedelta(seconds=5), run_at_start=True)
