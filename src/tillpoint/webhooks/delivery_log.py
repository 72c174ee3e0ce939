"""A subscription's deliveries: the log, a test ping, a redelivery, a replay of a time range.

Queued deliveries (``event``, ``replay``) wait in the subscription's queue and are sent one
at a time by ``webhooks.delivery``; ``test`` and ``redelivery`` are sent once, at once, by their
own job, beside the queue.
"""

from datetime import datetime
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import case, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.core.auth import Principal
from tillpoint.core.db import get_by_id, table_of, utcnow
from tillpoint.core.errors import AppError, field_error, not_found
from tillpoint.core.events import Event, type_condition
from tillpoint.core.ids import new_id
from tillpoint.core.jobs import enqueue
from tillpoint.core.pagination import PageParams, paginate
from tillpoint.core.schemas import Timestamp
from tillpoint.events.schemas import EventOut
from tillpoint.webhooks.event_types import TEST_EVENT_TYPE
from tillpoint.webhooks.models import (
    PENDING,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from tillpoint.webhooks.schemas import AttemptOut, DeliveryOut, ReplayIn, ReplayOut
from tillpoint.webhooks.subscriptions import get_webhook

MAX_REPLAY_EVENTS = 10_000
TIMESTAMP = TypeAdapter(Timestamp)
SEND_ONCE = "webhooks.send_once"


def envelope(event: Event) -> dict[str, Any]:
    """The JSON body of a delivery of ``event``: the feed's shape, with the tenant."""
    body = EventOut.model_validate(event).model_dump(mode="json", by_alias=True)
    return {**body, "tenantId": event.tenant_id}


def delivery_row(
    sub: WebhookSubscription, event: Event, kind: str, now: datetime
) -> dict[str, Any]:
    """A queued delivery of ``event`` to ``sub``, as a row for a multi-row INSERT."""
    return {
        "tenant_id": sub.tenant_id,
        "id": new_id("delivery"),
        "subscription_id": sub.id,
        "event_id": event.id,
        "event_seq": event.seq,
        "event_type": event.type,
        "kind": kind,
        "status": PENDING,
        "attempt_count": 0,
        "next_attempt_at": now,
        "created_at": now,
    }


async def queue_rows(
    session: AsyncSession, rows: list[dict[str, Any]], subscription_ids: set[str]
) -> None:
    """Insert queued deliveries and flag their subscriptions' queues as due, unless a queue is
    already waiting (its run or its retry will reach the new rows in turn). The caller has
    locked those subscription rows before inserting (see ``webhooks.delivery``)."""
    if not rows:
        return
    await session.execute(insert(table_of(WebhookDelivery)), rows)
    now = utcnow()
    await session.execute(
        update(WebhookSubscription)
        .where(WebhookSubscription.id.in_(sorted(subscription_ids)))
        .values(
            next_delivery_at=case(
                (WebhookSubscription.next_delivery_at.is_(None), now),
                else_=WebhookSubscription.next_delivery_at,
            )
        )
        .execution_options(synchronize_session=False)
    )


async def list_deliveries(
    session: AsyncSession,
    principal: Principal,
    webhook_id: str,
    params: PageParams,
    *,
    status: str | None,
    event_id: str | None,
) -> tuple[list[DeliveryOut], int]:
    sub = await get_webhook(session, principal, webhook_id)
    stmt = select(WebhookDelivery).where(WebhookDelivery.subscription_id == sub.id)
    if status is not None:
        stmt = stmt.where(WebhookDelivery.status == status)
    if event_id is not None:
        stmt = stmt.where(WebhookDelivery.event_id == event_id)
    rows, total = await paginate(
        session,
        stmt,
        WebhookDelivery.id.desc(),
        offset=params.offset,
        limit=params.page_size,
    )
    return await _with_attempts(session, rows), total


async def get_delivery(
    session: AsyncSession, principal: Principal, webhook_id: str, delivery_id: str
) -> DeliveryOut:
    row = await _delivery(session, principal, webhook_id, delivery_id)
    return (await _with_attempts(session, [row]))[0]


async def send_test(session: AsyncSession, principal: Principal, webhook_id: str) -> DeliveryOut:
    """A ``webhook.test`` delivery to this subscription only, sent once at once."""
    sub = await get_webhook(session, principal, webhook_id)
    now = utcnow()
    event_id = new_id("event")
    body = {
        "id": event_id,
        "seq": None,
        "type": TEST_EVENT_TYPE,
        "occurredAt": TIMESTAMP.dump_python(now, mode="json"),
        "tenantId": sub.tenant_id,
        "locationId": sub.location_id,
        "data": {"webhookId": sub.id},
    }
    row = WebhookDelivery(
        tenant_id=sub.tenant_id,
        id=new_id("delivery"),
        subscription_id=sub.id,
        event_id=event_id,
        event_seq=None,
        event_type=TEST_EVENT_TYPE,
        kind="test",
        payload=body,
        next_attempt_at=now,
        created_at=now,
    )
    return await _send_once(session, row)


async def redeliver(
    session: AsyncSession, principal: Principal, webhook_id: str, delivery_id: str
) -> DeliveryOut:
    """Send a delivery's event again, once, at once, as a new delivery linked to the old."""
    original = await _delivery(session, principal, webhook_id, delivery_id)
    now = utcnow()
    row = WebhookDelivery(
        tenant_id=original.tenant_id,
        id=new_id("delivery"),
        subscription_id=original.subscription_id,
        event_id=original.event_id,
        event_seq=original.event_seq,
        event_type=original.event_type,
        kind="redelivery",
        redelivery_of=original.redelivery_of or original.id,
        payload=original.payload,
        next_attempt_at=now,
        created_at=now,
    )
    return await _send_once(session, row)


async def replay(
    session: AsyncSession, principal: Principal, webhook_id: str, data: ReplayIn
) -> ReplayOut:
    """Queue again every event of ``[from, to)`` that the subscription's filters match."""
    if data.from_ >= data.to:
        raise field_error("to", "must be later than from")
    sub = await get_webhook(session, principal, webhook_id, lock=True)
    stmt = select(Event).where(
        Event.occurred_at >= data.from_,
        Event.occurred_at < data.to,
        type_condition(sub.event_types),
    )
    if sub.location_id is not None:
        stmt = stmt.where(Event.location_id == sub.location_id)
    events = list(
        (await session.execute(stmt.order_by(Event.seq).limit(MAX_REPLAY_EVENTS + 1))).scalars()
    )
    if len(events) > MAX_REPLAY_EVENTS:
        raise AppError(
            "REPLAY_RANGE_TOO_LARGE",
            f"More than {MAX_REPLAY_EVENTS} events fall in this range; split it.",
        )
    now = utcnow()
    await queue_rows(session, [delivery_row(sub, e, "replay", now) for e in events], {sub.id})
    return ReplayOut(
        webhook_id=sub.id, from_=data.from_, to=data.to, deliveries_created=len(events)
    )


async def _send_once(session: AsyncSession, row: WebhookDelivery) -> DeliveryOut:
    session.add(row)
    await session.flush()
    enqueue(session, SEND_ONCE, {"deliveryId": row.id}, tenant_id=row.tenant_id, max_attempts=3)
    return (await _with_attempts(session, [row]))[0]


async def _delivery(
    session: AsyncSession, principal: Principal, webhook_id: str, delivery_id: str
) -> WebhookDelivery:
    sub = await get_webhook(session, principal, webhook_id)
    row = await get_by_id(
        session,
        WebhookDelivery,
        "delivery",
        delivery_id,
        WebhookDelivery.subscription_id == sub.id,
    )
    if row is None:
        raise not_found("Delivery")
    return row


async def _with_attempts(session: AsyncSession, rows: list[WebhookDelivery]) -> list[DeliveryOut]:
    attempts: dict[str, list[AttemptOut]] = {row.id: [] for row in rows}
    if rows:
        found = await session.execute(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id.in_(list(attempts)))
            .order_by(WebhookAttempt.delivery_id, WebhookAttempt.attempt)
        )
        for attempt in found.scalars():
            attempts[attempt.delivery_id].append(AttemptOut.model_validate(attempt))
    return [
        DeliveryOut(
            delivery_id=row.id,
            webhook_id=row.subscription_id,
            event_id=row.event_id,
            event_seq=row.event_seq,
            event_type=row.event_type,
            kind=row.kind,
            redelivery_of=row.redelivery_of,
            status=row.status,
            attempt_count=row.attempt_count,
            next_attempt_at=row.next_attempt_at if row.status == PENDING else None,
            created_at=row.created_at,
            completed_at=row.completed_at,
            attempts=attempts[row.id],
        )
        for row in rows
    ]
