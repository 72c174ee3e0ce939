"""The dispatcher: turns committed events into queued deliveries, and starts queue runs.

One recurring job (``webhooks.dispatch``, one at a time across every runner) loops for its
interval: it reads each subscribed tenant's events after the tenant's cursor — with the same
high-water rule as the feed, so an event still committing is never stepped over — inserts a
delivery per matching active subscription and moves the cursor, all in one transaction; then
it enqueues a ``webhooks.deliver`` run for every subscription whose queue is due. A crash
anywhere leaves either the events unread or their deliveries queued: none lost, none doubled.
"""

import asyncio
import time
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.core.db import Database, utcnow
from tillpoint.core.events import Event, high_water_query, on_events_committed, read_events
from tillpoint.core.jobs import JobContext, enqueue_once, job_handler, recurring_job
from tillpoint.core.transactions import transaction
from tillpoint.webhooks.delivery_jobs import DELIVER, settings_of
from tillpoint.webhooks.delivery_log import delivery_row, queue_rows
from tillpoint.webhooks.event_types import matches
from tillpoint.webhooks.models import WebhookCursor, WebhookSubscription

DISPATCH = "webhooks.dispatch"
INTERVAL = timedelta(seconds=10)
BATCH = 500
LEASE_EXTEND_SECONDS = 5.0
ALL_TENANTS = {"all_tenants": True}

# Dispatch loops waiting in this process, woken when a commit here makes events visible.
_waiting: set[asyncio.Event] = set()


def _wake_dispatchers(_tenants: set[str]) -> None:
    for waiter in list(_waiting):
        waiter.set()


on_events_committed(_wake_dispatchers)


@job_handler(DISPATCH, transactional=False, lease_seconds=30, max_concurrency=1)
async def dispatch_loop(context: JobContext, _payload: dict[str, Any]) -> None:
    db, settings = context.db, settings_of(context)
    assert db is not None
    poll = settings.webhook_dispatch_poll_seconds
    # Run until the next run of the series is due, so dispatch never pauses between runs.
    until = (context.run_at or utcnow()) + INTERVAL - timedelta(seconds=poll)
    woken = asyncio.Event()
    _waiting.add(woken)
    lease_extended = time.monotonic()
    try:
        while not context.stopping.is_set() and utcnow() < until:
            woken.clear()
            await dispatch_new_events(db)
            if await start_due_queues(db):
                context.wake_runner()
            if time.monotonic() - lease_extended > LEASE_EXTEND_SECONDS:
                await context.extend_lease()
                lease_extended = time.monotonic()
            stop = asyncio.create_task(context.stopping.wait())
            wake = asyncio.create_task(woken.wait())
            await asyncio.wait({stop, wake}, timeout=poll, return_when=asyncio.FIRST_COMPLETED)
            stop.cancel()
            wake.cancel()
    finally:
        _waiting.discard(woken)


recurring_job(DISPATCH, every=INTERVAL, run_at_start=True)


async def dispatch_new_events(db: Database) -> int:
    """Queue deliveries for every event committed since the last call; how many were queued."""
    queued = 0
    for tenant_id in await _tenants_with_new_events(db):
        more = True
        while more:
            async with transaction(db, tenant_id=tenant_id) as session:
                count, more = await _dispatch_batch(session, tenant_id)
            queued += count
    return queued


async def _tenants_with_new_events(db: Database) -> list[str]:
    """Tenants with an active subscription and events past their cursor: a read, so that an
    idle poll takes no write lock (on SQLite there is one for the whole database)."""
    async with db.session(read_only=True) as session:
        subscribed = (
            select(WebhookSubscription.tenant_id)
            .where(WebhookSubscription.active.is_(True))
            .distinct()
            .subquery()
        )
        latest = (
            high_water_query().where(Event.tenant_id == subscribed.c.tenant_id).scalar_subquery()
        )
        rows = await session.execute(
            select(subscribed.c.tenant_id, WebhookCursor.last_seq, latest)
            .outerjoin(WebhookCursor, WebhookCursor.tenant_id == subscribed.c.tenant_id)
            .execution_options(**ALL_TENANTS)
        )
        return [
            tenant_id
            for tenant_id, last_seq, newest in rows.all()
            if newest is not None and (last_seq is None or newest > last_seq)
        ]


async def _dispatch_batch(session: AsyncSession, tenant_id: str) -> tuple[int, bool]:
    cursor = (await session.execute(select(WebhookCursor).with_for_update())).scalar_one_or_none()
    if cursor is None:
        # Made when a subscription starts; missing only if the tenant's were all made inactive
        # and that transaction raced this one. Start it at the oldest active start.
        starts = select(WebhookSubscription.start_seq).where(WebhookSubscription.active.is_(True))
        first = min((await session.execute(starts)).scalars(), default=0)
        cursor = WebhookCursor(tenant_id=tenant_id, last_seq=first)
        session.add(cursor)
    page = await read_events(session, after=cursor.last_seq, limit=BATCH)
    if page.events:
        # Lock the subscriptions before adding to their queues (see delivery._schedule_queue).
        subs = list(
            (
                await session.execute(
                    select(WebhookSubscription)
                    .where(WebhookSubscription.active.is_(True))
                    .order_by(WebhookSubscription.id)
                    .with_for_update()
                )
            ).scalars()
        )
        now = utcnow()
        rows = [
            delivery_row(sub, event, "event", now)
            for event in page.events
            for sub in subs
            if event.seq > sub.start_seq
            and matches(sub.event_types, event.type)
            and (sub.location_id is None or sub.location_id == event.location_id)
        ]
        await queue_rows(session, rows, {row["subscription_id"] for row in rows})
    else:
        rows = []
    if page.next_after != cursor.last_seq:
        cursor.last_seq = page.next_after
    return len(rows), page.has_more


async def start_due_queues(db: Database) -> int:
    """Enqueue a run for each subscription whose queue is due and has none; how many."""
    async with db.session(read_only=True) as session:
        due = (
            await session.execute(
                select(WebhookSubscription.tenant_id, WebhookSubscription.id)
                .where(
                    WebhookSubscription.active.is_(True),
                    WebhookSubscription.next_delivery_at <= utcnow(),
                )
                .execution_options(**ALL_TENANTS)
            )
        ).all()
    if not due:
        return 0
    started = 0
    async with transaction(db) as session:
        for tenant_id, webhook_id in due:
            started += await enqueue_once(
                session,
                DELIVER,
                {"webhookId": webhook_id},
                key=f"{DELIVER}:{webhook_id}",
                tenant_id=tenant_id,
                max_attempts=3,
            )
    return started
