"""Points expire after the program's months without activity: a recurring job.

Each run, per tenant whose active program has ``expiry_months``, takes the whole balance of
every account whose last activity (earning, redeeming, a manual adjustment) is older than that,
as one ``expired`` ledger entry. The UPDATE re-checks the activity time and the balance it
read, so a customer who earns or spends while the job runs keeps their points.
"""

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from tillpoint.core.dates import add_months
from tillpoint.core.db import utcnow
from tillpoint.core.jobs import JobContext, job_handler, recurring_job
from tillpoint.customers.loyalty import ACCOUNTS, change_points
from tillpoint.customers.loyalty_models import LoyaltyProgram

# A job kind, not an event type (the event is loyalty.expired).
EXPIRE = "points.expire"
BATCH = 500


@job_handler(EXPIRE, max_concurrency=1)
async def expire_inactive_points(context: JobContext, _payload: dict[str, Any]) -> None:
    session = context.session
    programs = (
        await session.execute(
            select(LoyaltyProgram.tenant_id, LoyaltyProgram.expiry_months)
            .where(LoyaltyProgram.active, LoyaltyProgram.expiry_months.is_not(None))
            .execution_options(all_tenants=True)
        )
    ).all()
    now = utcnow()
    for tenant_id, months in programs:
        assert months is not None  # the query's condition
        cutoff = add_months(now, -months)
        stale = await session.execute(
            select(ACCOUNTS.c.id, ACCOUNTS.c.balance)
            .where(
                ACCOUNTS.c.tenant_id == tenant_id,
                ACCOUNTS.c.balance > 0,
                ACCOUNTS.c.last_activity_at < cutoff,
            )
            .order_by(ACCOUNTS.c.id)
            .limit(BATCH)
        )
        for customer_id, balance in stale.all():
            await change_points(
                session,
                tenant_id,
                customer_id,
                -balance,
                {"kind": "expired", "reason": f"no activity for {months} months"},
                activity=False,
                conditions=[
                    ACCOUNTS.c.last_activity_at < cutoff,
                    ACCOUNTS.c.balance == balance,
                ],
            )


# Hourly: a batch per tenant each run keeps a run short; a backlog drains over a few runs.
recurring_job(EXPIRE, every=timedelta(hours=1))
