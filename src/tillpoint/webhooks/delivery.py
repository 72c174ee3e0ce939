"""Sending deliveries: a subscription's queue, one at a time, and the one-shot ones.

``webhooks.deliver`` (one job per subscription at a time: its key is the subscription) sends
the head of the queue, records the attempt, and goes on to the next only on success. On a
failure it schedules the head's retry and stops; the queue waits for it (see docs/api.md for
the ordering this gives). No transaction is held while a request is on the wire: each step
reads in one short transaction and records in another, so a process that dies in between
sends that delivery again later — at least once, never lost.
"""

import asyncio
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.config import Settings
from tillpoint.core.db import Database, utcnow
from tillpoint.core.events import Event, record_change
from tillpoint.core.ids import new_id
from tillpoint.core.jobs import JobContext, job_handler, recurring_job, retry_delay
from tillpoint.webhooks.deliveries import SEND_ONCE, envelope
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


@dataclass(frozen=True)
class Prepared:
    delivery_id: str
    attempt_count: int
    first_attempt_at: datetime | None
    kind: str
    url: str
    body: bytes
    event_id: str
    secrets: list[str]


def settings_of(context: JobContext) -> Any:
    return context.settings if context.settings is not None else Settings()


@job_handler(DELIVER, transactional=False, lease_seconds=30)
async def deliver_queue(context: JobContext, payload: dict[str, Any]) -> None:
    db, settings = context.db, settings_of(context)
    assert db is not None
    webhook_id = payload["webhookId"]
    started = time.monotonic()
    try:
        async with new_client() as client:
            while not context.stopping.is_set() and time.monotonic() - started < RUN_SECONDS:
                async with db.session(tenant_id=context.tenant_id, read_only=True) as session:
                    prepared = await _head_of_queue(session, webhook_id, settings)
                if prepared is None:
                    break
                outcome = await _send(client, prepared, settings)
                async with db.transaction(tenant_id=context.tenant_id) as session:
                    delivered = await record_outcome(
                        session, webhook_id, prepared, outcome, settings
                    )
                if not delivered:
                    break
                await context.extend_lease()
    finally:
        await _schedule_queue(db, context.tenant_id, webhook_id)


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
    async with db.transaction(tenant_id=context.tenant_id) as session:
        await record_outcome(session, sub.id, prepared, outcome, settings)


async def _head_of_queue(session: AsyncSession, webhook_id: str, settings: Any) -> Prepared | None:
    sub = await session.get(
        WebhookSubscription, {"tenant_id": session.info["tenant_id"], "id": webhook_id}
    )
    if sub is None or not sub.active:
        return None
    head = (await session.execute(_queue_head(webhook_id))).scalar_one_or_none()
    if head is None or head.next_attempt_at > utcnow():
        return None
    return await _prepare(session, sub, head, settings)


def _queue_head(webhook_id: str) -> Any:
    return (
        select(WebhookDelivery)
        .where(
            WebhookDelivery.subscription_id == webhook_id,
            WebhookDelivery.status == PENDING,
            WebhookDelivery.kind.in_(QUEUED_KINDS),
        )
        .order_by(WebhookDelivery.id)
        .limit(1)
    )


async def _prepare(
    session: AsyncSession, sub: WebhookSubscription, delivery: WebhookDelivery, settings: Any
) -> Prepared:
    if delivery.payload is not None:
        body = delivery.payload
    else:
        event = (
            await session.execute(select(Event).where(Event.id == delivery.event_id))
        ).scalar_one()
        body = envelope(event)
    return Prepared(
        delivery.id,
        delivery.attempt_count,
        delivery.first_attempt_at,
        delivery.kind,
        sub.url,
        orjson.dumps(body),
        delivery.event_id,
        signing_secrets(sub, settings, utcnow()),
    )


async def _send(client: Any, prepared: Prepared, settings: Any) -> Outcome:
    headers = delivery_headers(prepared.event_id, prepared.secrets, int(time.time()), prepared.body)
    return await send(
        client,
        prepared.url,
        prepared.body,
        headers,
        allow_private=settings.webhook_allow_private,
        deadline_seconds=settings.webhook_timeout_seconds,
    )


async def record_outcome(
    session: AsyncSession, webhook_id: str, prepared: Prepared, outcome: Outcome, settings: Any
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
    session.add(
        WebhookAttempt(
            tenant_id=session.info["tenant_id"],
            id=new_id("webhook_attempt"),
            delivery_id=prepared.delivery_id,
            attempt=attempt,
            attempted_at=now,
            url=outcome.url,
            status_code=outcome.status_code,
            latency_ms=outcome.latency_ms,
            response_body=outcome.response_body,
            error=outcome.error,
        )
    )
    if disable is not None:
        await _disable(session, webhook_id, disable, now)
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


async def _schedule_queue(db: Database, tenant_id: str | None, webhook_id: str) -> None:
    """Set when the queue next needs a run: its head's next attempt, or None when empty.
    The subscription row is locked first, so a dispatcher adding deliveries at this moment
    either finishes first (and its rows are seen here) or sees ``None`` and flags the queue."""
    for attempt in range(3):
        try:
            async with db.transaction(tenant_id=tenant_id) as session:
                sub = (
                    await session.execute(
                        select(WebhookSubscription)
                        .where(WebhookSubscription.id == webhook_id)
                        .with_for_update()
                    )
                ).scalar_one_or_none()
                if sub is None:
                    return
                head = (await session.execute(_queue_head(webhook_id))).scalar_one_or_none()
                when = head.next_attempt_at if head is not None and sub.active else None
                await session.execute(
                    update(WebhookSubscription)
                    .where(WebhookSubscription.id == webhook_id)
                    .values(next_delivery_at=when)
                    .execution_options(synchronize_session=False)
                )
            return
        except Exception:
            if attempt == 2:
                raise
            await asyncio.sleep(0.1 * (attempt + 1))


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
