"""Sending deliveries: a subscription's queue, one at a time, and the one-shot ones.

``webhooks.deliver`` (one job per subscription at a time: its key is the subscription) sends
the head of the queue, records the attempt, and goes on to the next only on success. On a
failure it schedules the head's retry and stops; the queue waits for it (see docs/api.md for
the ordering this gives). No transaction is held while a request is on the wire: each step
reads in one short transaction and records in another, so a process that dies in between
sends that delivery again later — at least once, never lost.
"""

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import orjson
from sqlalchemy import Select, func, insert, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.config import Settings
from tillpoint.core.db import Database, table_of, utcnow
from tillpoint.core.events import Event, record_change
from tillpoint.core.ids import new_id
from tillpoint.core.jobs import JobContext, job_handler, retry_delay
from tillpoint.core.transactions import transaction
from tillpoint.webhooks.delivery_log import SEND_ONCE, envelope
from tillpoint.webhooks.models import (
    DISABLED_GONE,
    DISABLED_RETRIES_EXHAUSTED,
    FAILED,
    ONE_SHOT_KINDS,
    PENDING,
    QUEUED_KINDS,
    SUCCEEDED,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from tillpoint.webhooks.schemas import WebhookOut
from tillpoint.webhooks.sender import Outcome, new_client, send
from tillpoint.webhooks.signing import delivery_headers
from tillpoint.webhooks.subscriptions import signing_secrets

DELIVER = "webhooks.deliver"
# One run of a queue sends for about this long, then lets other queues have the slot.
RUN_SECONDS = 15.0
# Deliveries read at once, successes recorded together at least this often, lease extended.
BATCH = 50
RECORD_SECONDS = 0.2
LEASE_EXTEND_SECONDS = 5.0


@dataclass(frozen=True)
class Prepared:
    subscription_id: str
    delivery_id: str
    attempt_count: int
    first_attempt_at: datetime | None
    kind: str
    url: str
    body: bytes
    event_id: str
    secrets: list[str]


def settings_of(context: JobContext) -> Settings:
    return context.settings if context.settings is not None else Settings()


@job_handler(DELIVER, transactional=False, lease_seconds=30)
async def deliver_queue(context: JobContext, payload: dict[str, Any]) -> None:
    db, settings = context.db, settings_of(context)
    assert db is not None
    webhook_id = payload["webhookId"]
    started = lease_extended = time.monotonic()
    scheduled = False
    try:
        async with new_client() as client:
            while not context.stopping.is_set() and time.monotonic() - started < RUN_SECONDS:
                async with db.session(tenant_id=context.tenant_id, read_only=True) as session:
                    batch = await _next_in_queue(session, webhook_id, settings)
                if batch:
                    if not await _send_in_order(context, client, batch, settings):
                        break
                else:
                    # Empty or waiting: say so, unless deliveries came in meanwhile.
                    due = await _schedule_queue(db, context.tenant_id, webhook_id)
                    if due is None or due > utcnow():
                        scheduled = True
                        break
                if time.monotonic() - lease_extended > LEASE_EXTEND_SECONDS:
                    await context.extend_lease()
                    lease_extended = time.monotonic()
    finally:
        if not scheduled:
            await _schedule_queue(db, context.tenant_id, webhook_id)


async def _send_in_order(
    context: JobContext, client: httpx.AsyncClient, batch: list["Prepared"], settings: Settings
) -> bool:
    """Send ``batch`` in order until one fails; whether all were delivered and recorded.

    Successes are recorded together, at least every RECORD_SECONDS, and a failure with them:
    a process that dies in between sends those again (at least once), one commit per few
    deliveries instead of one each."""
    assert context.db is not None
    delivered: list[tuple[Prepared, Outcome]] = []
    failed: tuple[Prepared, Outcome] | None = None
    recorded_at = time.monotonic()
    for prepared in batch:
        outcome = await _send(client, prepared, settings)
        if not outcome.succeeded:
            failed = (prepared, outcome)
            break
        delivered.append((prepared, outcome))
        if context.stopping.is_set() or time.monotonic() - recorded_at >= RECORD_SECONDS:
            break
    async with transaction(context.db, tenant_id=context.tenant_id) as session:
        all_settled = await record_delivered(session, delivered)
        if failed is not None:
            await record_outcome(session, failed[0], failed[1], settings)
    return all_settled and failed is None


@job_handler(SEND_ONCE, transactional=False, lease_seconds=30)
async def send_once(context: JobContext, payload: dict[str, Any]) -> None:
    """A test or a redelivery: one attempt, its outcome final."""
    db, settings = context.db, settings_of(context)
    assert db is not None
    async with db.session(tenant_id=context.tenant_id, read_only=True) as session:
        delivery = await session.get(
            WebhookDelivery, {"tenant_id": context.tenant_id, "id": payload["deliveryId"]}
        )
        if delivery is None or delivery.status != PENDING:
            return  # deleted with its subscription, or already sent
        sub = await session.get(
            WebhookSubscription, {"tenant_id": context.tenant_id, "id": delivery.subscription_id}
        )
        if sub is None:
            return
        prepared = await _prepare(session, sub, delivery, settings)
    async with new_client() as client:
        outcome = await _send(client, prepared, settings)
    async with transaction(db, tenant_id=context.tenant_id) as session:
        await record_outcome(session, prepared, outcome, settings)


async def _next_in_queue(
    session: AsyncSession, webhook_id: str, settings: Settings
) -> list["Prepared"]:
    """The queue's head and what follows it, if the head is due (one query with the events)."""
    sub = await session.get(
        WebhookSubscription, {"tenant_id": session.info["tenant_id"], "id": webhook_id}
    )
    if sub is None or not sub.active:
        return []
    rows = (
        await session.execute(
            _queue_head(webhook_id, limit=BATCH)
            .add_columns(Event)
            .join(Event, Event.id == WebhookDelivery.event_id)
        )
    ).all()
    now = utcnow()
    if not rows or rows[0][0].next_attempt_at > now:
        return []
    secrets = signing_secrets(sub, settings, now)
    return [
        _prepared(sub, delivery, envelope(event), secrets)
        for delivery, event in rows
        if delivery.next_attempt_at <= now
    ]


def _queue_head(webhook_id: str, *, limit: int = 1) -> Select[WebhookDelivery]:
    return (
        select(WebhookDelivery)
        .where(
            WebhookDelivery.subscription_id == webhook_id,
            WebhookDelivery.status == PENDING,
            WebhookDelivery.kind.in_(QUEUED_KINDS),
        )
        .order_by(WebhookDelivery.id)
        .limit(limit)
    )


async def _prepare(
    session: AsyncSession, sub: WebhookSubscription, delivery: WebhookDelivery, settings: Settings
) -> Prepared:
    if delivery.payload is not None:
        body = delivery.payload
    else:
        event = (
            await session.execute(select(Event).where(Event.id == delivery.event_id))
        ).scalar_one()
        body = envelope(event)
    return _prepared(sub, delivery, body, signing_secrets(sub, settings, utcnow()))


def _prepared(
    sub: WebhookSubscription,
    delivery: WebhookDelivery,
    body: dict[str, Any],
    secrets: list[str],
) -> Prepared:
    return Prepared(
        sub.id,
        delivery.id,
        delivery.attempt_count,
        delivery.first_attempt_at,
        delivery.kind,
        sub.url,
        orjson.dumps(body),
        delivery.event_id,
        secrets,
    )


async def _send(client: httpx.AsyncClient, prepared: Prepared, settings: Settings) -> Outcome:
    headers = delivery_headers(prepared.event_id, prepared.secrets, int(time.time()), prepared.body)
    return await send(
        client,
        prepared.url,
        prepared.body,
        headers,
        allow_private=settings.webhook_allow_private,
        deadline_seconds=settings.webhook_timeout_seconds,
    )


async def record_delivered(
    session: AsyncSession, delivered: list[tuple[Prepared, Outcome]]
) -> bool:
    """Mark these deliveries succeeded and log their attempts, in one UPDATE and one INSERT;
    whether every one was still ours to settle (each is matched on the attempt count read)."""
    if not delivered:
        return True
    now = utcnow()
    mine = [(prepared.delivery_id, prepared.attempt_count) for prepared, _ in delivered]
    settled = await session.execute(
        update(WebhookDelivery)
        .where(
            tuple_(WebhookDelivery.id, WebhookDelivery.attempt_count).in_(mine),
            WebhookDelivery.status == PENDING,
        )
        .values(
            status=SUCCEEDED,
            attempt_count=WebhookDelivery.attempt_count + 1,
            first_attempt_at=func.coalesce(WebhookDelivery.first_attempt_at, now),
            completed_at=now,
        )
        .returning(WebhookDelivery.id)
        .execution_options(synchronize_session=False)
    )
    ids = set(settled.scalars())
    rows = [
        _attempt_row(session, prepared, outcome, now)
        for prepared, outcome in delivered
        if prepared.delivery_id in ids
    ]
    if rows:
        await session.execute(insert(table_of(WebhookAttempt)), rows)
    return len(ids) == len(delivered)


def _attempt_row(
    session: AsyncSession, prepared: Prepared, outcome: Outcome, now: datetime
) -> dict[str, Any]:
    return {
        "tenant_id": session.info["tenant_id"],
        "id": new_id("webhook_attempt"),
        "delivery_id": prepared.delivery_id,
        "attempt": prepared.attempt_count + 1,
        "attempted_at": now,
        "url": outcome.url,
        "status_code": outcome.status_code,
        "latency_ms": outcome.latency_ms,
        "response_body": outcome.response_body,
        "error": outcome.error,
    }


async def record_outcome(
    session: AsyncSession, prepared: Prepared, outcome: Outcome, settings: Settings
) -> bool:
    """Log the attempt and settle the delivery: delivered, to retry, or failed for good (which
    for a queued delivery disables its subscription). Whether it was delivered."""
    now = utcnow()
    attempt = prepared.attempt_count + 1
    first = prepared.first_attempt_at or now
    values: dict[str, Any] = {"attempt_count": attempt, "first_attempt_at": first}
    disable: str | None = None
    if outcome.succeeded:
        values |= {"status": SUCCEEDED, "completed_at": now}
    elif prepared.kind in ONE_SHOT_KINDS:
        values |= {"status": FAILED, "completed_at": now}
    elif outcome.status_code == 410:
        values |= {"status": FAILED, "completed_at": now}
        disable = DISABLED_GONE
    else:
        give_up_at = first + timedelta(seconds=settings.webhook_retry_window_seconds)
        if now >= give_up_at:
            values |= {"status": FAILED, "completed_at": now}
            disable = DISABLED_RETRIES_EXHAUSTED
        else:
            wait = retry_delay(
                attempt,
                base=settings.webhook_retry_base_seconds,
                cap=settings.webhook_retry_max_seconds,
            )
            values["next_attempt_at"] = min(now + timedelta(seconds=wait), give_up_at)
    settled = await session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == prepared.delivery_id,
            WebhookDelivery.status == PENDING,
            WebhookDelivery.attempt_count == prepared.attempt_count,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if settled.rowcount == 0:  # type: ignore[attr-defined]
        return False  # deleted meanwhile, or another runner got there first
    await session.execute(
        insert(table_of(WebhookAttempt)), [_attempt_row(session, prepared, outcome, now)]
    )
    if disable is not None:
        await _disable(session, prepared.subscription_id, disable, now)
    return outcome.succeeded


async def _disable(session: AsyncSession, webhook_id: str, reason: str, now: datetime) -> None:
    sub = (
        await session.execute(
            select(WebhookSubscription)
            .where(WebhookSubscription.id == webhook_id)
            .with_for_update()
        )
    ).scalar_one_or_none()
    if sub is None or not sub.active:
        return
    sub.active = False
    sub.disabled_reason = reason
    sub.disabled_at = now
    sub.next_delivery_at = None
    await session.flush()
    record_change(session, "webhook.disabled", WebhookOut, sub, location_id=sub.location_id)


async def _schedule_queue(db: Database, tenant_id: str | None, webhook_id: str) -> datetime | None:
    """Set (and return) when the queue next needs a run: its head's next attempt, or None
    when it is empty. The subscription row is locked first, so a dispatcher adding deliveries
    at this moment either finishes first (and its rows are seen here) or sees ``None`` and
    flags the queue."""
    async with transaction(db, tenant_id=tenant_id) as session:
        sub = (
            await session.execute(
                select(WebhookSubscription)
                .where(WebhookSubscription.id == webhook_id)
                .with_for_update()
            )
        ).scalar_one_or_none()
        if sub is None:
            return None
        head = (await session.execute(_queue_head(webhook_id))).scalar_one_or_none()
        when = head.next_attempt_at if head is not None and sub.active else None
        await session.execute(
            update(WebhookSubscription)
            .where(WebhookSubscription.id == webhook_id)
            .values(next_delivery_at=when)
            .execution_options(synchronize_session=False)
        )
    return when
