"""The delivery log's retention: settled deliveries go after 30 days, pending ones never."""

from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select

from tillpoint.core.db import utcnow
from tillpoint.core.jobs import JobContext, job_handler, recurring_job
from tillpoint.webhooks.models import PENDING, WebhookAttempt, WebhookDelivery

KEEP_DELIVERIES = timedelta(days=30)
PURGE = "webhooks.purge"


@job_handler(PURGE, max_concurrency=1)
async def purge_old_deliveries(context: JobContext, _payload: dict[str, Any]) -> None:
    """The delivery log keeps 30 days of settled deliveries (pending ones stay, however old)."""
    old = select(WebhookDelivery.id).where(
        WebhookDelivery.status != PENDING,
        WebhookDelivery.completed_at < utcnow() - KEEP_DELIVERIES,
    )
    every_tenant = {"all_tenants": True}
    session = context.session
    await session.execute(
        delete(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(old)),
        execution_options=every_tenant,
    )
    await session.execute(
        delete(WebhookDelivery).where(WebhookDelivery.id.in_(old)), execution_options=every_tenant
    )


recurring_job(PURGE, every=timedelta(hours=6))
