"""Webhook subscription endpoints: ``/v1/webhooks``, their deliveries, tests and replays."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from tillpoint.core.deps import AppSettings, DbSession, RequestCtx
from tillpoint.core.openapi import COMMON_ERRORS, error_responses
from tillpoint.core.pagination import Page, Pagination
from tillpoint.webhooks import delivery_log, subscriptions
from tillpoint.webhooks.deps import WebhookManager, WebhookToManage
from tillpoint.webhooks.models import WebhookSubscription
from tillpoint.webhooks.schemas import (
    DeliveryOut,
    ReplayIn,
    ReplayOut,
    WebhookIn,
    WebhookOut,
    WebhookUpdate,
    WebhookWithSecretOut,
)

router = APIRouter(prefix="/v1", tags=["webhooks"], responses=COMMON_ERRORS)

BODY_ERRORS = error_responses("VALIDATION_ERROR", "MALFORMED_JSON", "WEBHOOK_URL_NOT_ALLOWED")


def _with_secret(row: object, secret: str) -> WebhookWithSecretOut:
    shown = WebhookOut.model_validate(row).model_dump()
    return WebhookWithSecretOut(**shown, secret=secret)


@router.get("/webhooks", response_model=Page[WebhookOut])
async def list_webhooks(
    session: DbSession, paging: Pagination, principal: WebhookManager
) -> dict[str, object]:
    items, total = await subscriptions.list_webhooks(session, principal, paging)
    return paging.page_of(items, total)


@router.post(
    "/webhooks",
    response_model=WebhookWithSecretOut,
    status_code=201,
    responses=BODY_ERRORS | error_responses("WEBHOOK_LIMIT_REACHED"),
)
async def create_webhook(
    body: WebhookIn,
    session: DbSession,
    principal: WebhookManager,
    settings: AppSettings,
    ctx: RequestCtx,
) -> WebhookWithSecretOut:
    """Subscribe a URL to events. The response carries the signing ``secret``: store it now,
    it is never shown again (rotate it to get a new one). An idempotent replay of this request
    returns ``secret: null``."""
    ctx.secret_fields = frozenset({"secret"})
    row, secret = await subscriptions.create_webhook(session, principal, body, settings)
    return _with_secret(row, secret)


@router.get("/webhooks/{webhook_id}", response_model=WebhookOut)
async def get_webhook(
    webhook_id: str, session: DbSession, principal: WebhookManager
) -> WebhookSubscription:
    return await subscriptions.get_webhook(session, principal, webhook_id)


@router.patch(
    "/webhooks/{webhook_id}",
    response_model=WebhookOut,
    responses=BODY_ERRORS | error_responses("VERSION_CONFLICT"),
)
async def update_webhook(
    webhook_id: WebhookToManage,
    body: WebhookUpdate,
    session: DbSession,
    principal: WebhookManager,
    settings: AppSettings,
) -> WebhookSubscription:
    """Change a subscription; ``active: true`` re-enables a disabled one."""
    return await subscriptions.update_webhook(session, principal, webhook_id, body, settings)


@router.delete("/webhooks/{webhook_id}", status_code=204, response_class=Response)
async def delete_webhook(
    webhook_id: str, session: DbSession, principal: WebhookManager
) -> Response:
    """Delete a subscription with its queued deliveries and its delivery log."""
    await subscriptions.delete_webhook(session, principal, webhook_id)
    return Response(status_code=204)


@router.post("/webhooks/{webhook_id}/rotate-secret", response_model=WebhookWithSecretOut)
async def rotate_secret(
    webhook_id: str,
    session: DbSession,
    principal: WebhookManager,
    settings: AppSettings,
    ctx: RequestCtx,
) -> WebhookWithSecretOut:
    """A new signing secret, shown once; the old one keeps signing beside it for 24 hours."""
    ctx.secret_fields = frozenset({"secret"})
    row, secret = await subscriptions.rotate_secret(session, principal, webhook_id, settings)
    return _with_secret(row, secret)


@router.post("/webhooks/{webhook_id}/test", response_model=DeliveryOut, status_code=202)
async def send_test(webhook_id: str, session: DbSession, principal: WebhookManager) -> DeliveryOut:
    """Send a ``webhook.test`` event to this subscription once, now; follow it in the log."""
    return await delivery_log.send_test(session, principal, webhook_id)


@router.get("/webhooks/{webhook_id}/deliveries", response_model=Page[DeliveryOut])
async def list_deliveries(
    webhook_id: str,
    session: DbSession,
    paging: Pagination,
    principal: WebhookManager,
    status: Literal["pending", "succeeded", "failed"] | None = None,
    event_id: Annotated[str | None, Query(alias="eventId", max_length=40)] = None,
) -> dict[str, object]:
    """The delivery log, newest first, each delivery with its attempts."""
    items, total = await delivery_log.list_deliveries(
        session, principal, webhook_id, paging, status=status, event_id=event_id
    )
    return paging.page_of(items, total)


@router.get("/webhooks/{webhook_id}/deliveries/{delivery_id}", response_model=DeliveryOut)
async def get_delivery(
    webhook_id: str, delivery_id: str, session: DbSession, principal: WebhookManager
) -> DeliveryOut:
    return await delivery_log.get_delivery(session, principal, webhook_id, delivery_id)


@router.post(
    "/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver",
    response_model=DeliveryOut,
    status_code=202,
)
async def redeliver(
    webhook_id: str, delivery_id: str, session: DbSession, principal: WebhookManager
) -> DeliveryOut:
    """Send the delivery's event again, once, now, as a new delivery."""
    return await delivery_log.redeliver(session, principal, webhook_id, delivery_id)


@router.post(
    "/webhooks/{webhook_id}/replay",
    response_model=ReplayOut,
    status_code=202,
    responses=error_responses("VALIDATION_ERROR", "REPLAY_RANGE_TOO_LARGE"),
)
async def replay(
    webhook_id: WebhookToManage, body: ReplayIn, session: DbSession, principal: WebhookManager
) -> ReplayOut:
    """Queue again the events of ``[from, to)`` that the subscription's filters match."""
    return await delivery_log.replay(session, principal, webhook_id, body)
