"""Webhook subscriptions: create, change, delete, rotate the secret.

A subscription's secret is made here, shown once, and stored encrypted (``core.encryption``).
Its ``start_seq`` is the tenant's last event number when it starts (or restarts) receiving,
so it never gets events committed before it existed or while it was disabled.
"""

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.config import Settings
from tillpoint.core.auth import Principal
from tillpoint.core.db import check_version, dialect_insert, table_of, unchanged, utcnow
from tillpoint.core.encryption import secret_box
from tillpoint.core.errors import AppError, field_error, not_found
from tillpoint.core.events import high_water, record_change
from tillpoint.core.ids import has_prefix, new_id
from tillpoint.core.pagination import PageParams, paginate
from tillpoint.stores.service import get_location
from tillpoint.webhooks.addresses import DestinationNotAllowed, check_destination
from tillpoint.webhooks.event_types import unknown_patterns
from tillpoint.webhooks.models import (
    WebhookAttempt,
    WebhookCursor,
    WebhookDelivery,
    WebhookSubscription,
)
from tillpoint.webhooks.schemas import WebhookIn, WebhookOut, WebhookUpdate
from tillpoint.webhooks.signing import new_secret

MAX_SUBSCRIPTIONS = 50
SECRET_OVERLAP = timedelta(hours=24)


async def get_webhook(
    session: AsyncSession, principal: Principal, webhook_id: str, *, lock: bool = False
) -> WebhookSubscription:
    """The subscription, if the principal may see it (a user limited to some locations sees
    those locations' subscriptions); else 404."""
    row = None
    if has_prefix(webhook_id, "webhook"):
        stmt = select(WebhookSubscription).where(WebhookSubscription.id == webhook_id)
        # One read, locked when asked: the row as it is once the lock is ours.
        stmt = stmt.with_for_update() if lock else stmt
        row = (await session.execute(stmt)).scalar_one_or_none()
    if row is None or (
        principal.location_ids is not None and row.location_id not in principal.location_ids
    ):
        raise not_found("Webhook")
    return row


async def list_webhooks(
    session: AsyncSession, principal: Principal, params: PageParams
) -> tuple[list[WebhookSubscription], int]:
    stmt = params.filter_updated(select(WebhookSubscription), WebhookSubscription.updated_at)
    if principal.location_ids is not None:
        stmt = stmt.where(WebhookSubscription.location_id.in_(sorted(principal.location_ids)))
    return await paginate(
        session, stmt, WebhookSubscription.id, offset=params.offset, limit=params.page_size
    )


async def create_webhook(
    session: AsyncSession, principal: Principal, data: WebhookIn, settings: Settings
) -> tuple[WebhookSubscription, str]:
    """The new subscription and its secret, in plain text for the one response that shows it."""
    await _check_url(data.url, settings)
    event_types = _checked_event_types(data.event_types)
    location_id = await _checked_location(session, principal, data.location_id)
    # Creates of one tenant queue here, so two at once cannot both pass the limit.
    await _lock_cursor(session, principal.tenant_id)
    count = (await session.execute(select(func.count()).select_from(WebhookSubscription))).scalar()
    if (count or 0) >= MAX_SUBSCRIPTIONS:
        raise AppError("WEBHOOK_LIMIT_REACHED")
    secret = new_secret()
    row = WebhookSubscription(
        tenant_id=principal.tenant_id,
        id=new_id("webhook"),
        url=data.url,
        event_types=event_types,
        location_id=location_id,
        description=data.description or None,
        secret=secret_box(settings).encrypt(secret),
        active=data.active,
        start_seq=0,
    )
    session.add(row)
    if data.active:
        await _start_from_now(session, row)
    await session.flush()
    record_change(session, "webhook.created", WebhookOut, row, location_id=row.location_id)
    return row, secret


async def update_webhook(
    session: AsyncSession,
    principal: Principal,
    webhook_id: str,
    data: WebhookUpdate,
    settings: Settings,
) -> WebhookSubscription:
    row = await get_webhook(session, principal, webhook_id, lock=True)
    check_version(row, data.version)
    if data.url is not None and data.url != row.url:
        await _check_url(data.url, settings)
        row.url = data.url
    if data.event_types is not None:
        row.event_types = _checked_event_types(data.event_types)
    if "location_id" in data.model_fields_set:
        row.location_id = await _checked_location(session, principal, data.location_id)
    if data.description is not None:
        row.description = data.description or None
    if data.active is not None and data.active != row.active:
        row.active = data.active
        if data.active:
            row.disabled_reason = row.disabled_at = None
            await _start_from_now(session, row)
            # Deliveries still queued from before resume now.
            row.next_delivery_at = utcnow()
    if unchanged(session, row):
        return row
    await session.flush()
    record_change(session, "webhook.updated", WebhookOut, row, location_id=row.location_id)
    return row


async def delete_webhook(session: AsyncSession, principal: Principal, webhook_id: str) -> None:
    """Delete the subscription with its queue and its delivery log."""
    row = await get_webhook(session, principal, webhook_id, lock=True)
    deliveries = select(WebhookDelivery.id).where(WebhookDelivery.subscription_id == row.id)
    # Lock them first: a delivery being recorded right now finishes (and its attempt is
    # deleted below) or finds its delivery gone and records nothing.
    await session.execute(deliveries.with_for_update())
    await session.execute(delete(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(deliveries)))
    await session.execute(delete(WebhookDelivery).where(WebhookDelivery.subscription_id == row.id))
    record_change(session, "webhook.deleted", WebhookOut, row, location_id=row.location_id)
    await session.delete(row)
    await session.flush()


async def rotate_secret(
    session: AsyncSession, principal: Principal, webhook_id: str, settings: Settings
) -> tuple[WebhookSubscription, str]:
    """A new secret; the current one keeps signing beside it for 24 hours."""
    row = await get_webhook(session, principal, webhook_id, lock=True)
    secret = new_secret()
    row.previous_secret = row.secret
    row.previous_secret_expires_at = utcnow() + SECRET_OVERLAP
    row.secret = secret_box(settings).encrypt(secret)
    await session.flush()
    record_change(session, "webhook.updated", WebhookOut, row, location_id=row.location_id)
    return row, secret


def signing_secrets(row: WebhookSubscription, settings: Settings, now: datetime) -> list[str]:
    """The secrets that sign a delivery now: the current one, and the previous during overlap."""
    box = secret_box(settings)
    secrets = [box.decrypt(row.secret)]
    if (
        row.previous_secret
        and row.previous_secret_expires_at
        and row.previous_secret_expires_at > now
    ):
        secrets.append(box.decrypt(row.previous_secret))
    return secrets


async def _check_url(url: str, settings: Settings) -> None:
    try:
        await check_destination(url, allow_private=settings.webhook_allow_private)
    except DestinationNotAllowed as exc:
        raise field_error("url", str(exc), code="WEBHOOK_URL_NOT_ALLOWED") from None


def _checked_event_types(patterns: list[str]) -> list[str]:
    unknown = unknown_patterns(patterns)
    if unknown:
        raise field_error(
            "eventTypes",
            f"unknown event types: {', '.join(unknown)} (name a type such as order.completed, "
            "a family such as order.*, or *)",
        )
    return sorted(set(patterns))


async def _checked_location(
    session: AsyncSession, principal: Principal, location_id: str | None
) -> str | None:
    if location_id is None:
        principal.require_every_location("subscribe to every location's events")
        return None
    if not principal.can_access_location(location_id):
        raise AppError("FORBIDDEN", "That location is not one of yours.")
    try:
        return (await get_location(session, principal, location_id)).id
    except AppError:
        raise field_error("locationId", "no such location") from None


async def _lock_cursor(session: AsyncSession, tenant_id: str) -> int:
    """Lock the tenant's dispatcher cursor (made at the last event if missing): it serialises
    subscription starts and creates of one tenant. Returns the tenant's last event number."""
    last = await high_water(session)
    cursors = table_of(WebhookCursor)
    insert = dialect_insert(session)(cursors).values(tenant_id=tenant_id, last_seq=last)
    await session.execute(insert.on_conflict_do_nothing(index_elements=["tenant_id"]))
    await session.execute(select(WebhookCursor.last_seq).with_for_update())
    return last


async def _start_from_now(session: AsyncSession, row: WebhookSubscription) -> None:
    """Receive only events committed from now on, and make sure the dispatcher's cursor for
    the tenant exists (moved up to now when no other subscription of the tenant is active)."""
    last = await _lock_cursor(session, row.tenant_id)
    row.start_seq = last
    others_active = (
        await session.execute(
            select(func.count())
            .select_from(WebhookSubscription)
            .where(WebhookSubscription.active.is_(True), WebhookSubscription.id != row.id)
        )
    ).scalar()
    if not others_active:
        # Nothing needs the events between the cursor and now: skip the scan over them.
        await session.execute(
            update(WebhookCursor).where(WebhookCursor.last_seq < last).values(last_seq=last)
        )
