"""Webhook subscriptions, their deliveries (one per event and subscription) and each attempt."""

from datetime import datetime
from typing import Any, Final, Literal

from sqlalchemy import BigInteger, ForeignKeyConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tillpoint.core.db import Base, JsonType, TenantScoped, Timestamped, Versioned, utcnow

DeliveryStatus = Literal["pending", "succeeded", "failed"]
DeliveryKind = Literal["event", "replay", "redelivery", "test"]
PENDING: Final = "pending"
SUCCEEDED: Final = "succeeded"
FAILED: Final = "failed"
# Kinds of delivery: the first two wait in the subscription's queue and are retried; the
# others are sent once, at once, beside it.
QUEUED_KINDS = ("event", "replay")
ONE_SHOT_KINDS = ("redelivery", "test")
DISABLED_GONE, DISABLED_RETRIES_EXHAUSTED = "gone", "retries_exhausted"


class WebhookSubscription(TenantScoped, Timestamped, Versioned, Base):
    __tablename__ = "webhook_subscriptions"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    url: Mapped[str] = mapped_column(String(2048))
    event_types: Mapped[list[str]] = mapped_column(JsonType)
    location_id: Mapped[str | None] = mapped_column(String(40))
    description: Mapped[str | None] = mapped_column(String(200))
    # Fernet ciphertext (core.encryption), never the secret itself.
    secret: Mapped[str] = mapped_column(String(500))
    previous_secret: Mapped[str | None] = mapped_column(String(500))
    previous_secret_expires_at: Mapped[datetime | None]
    active: Mapped[bool] = mapped_column(default=True)
    disabled_reason: Mapped[str | None] = mapped_column(String(40))
    disabled_at: Mapped[datetime | None]
    # Events numbered up to this one were committed before the subscription existed.
    start_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    # When its queue next needs a delivery run: None when nothing waits in it.
    next_delivery_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_webhook_subscriptions_next_delivery_at", "next_delivery_at"),)


class WebhookCursor(TenantScoped, Base):
    """How far the dispatcher has read a tenant's events into deliveries."""

    __tablename__ = "webhook_cursors"

    last_seq: Mapped[int] = mapped_column(BigInteger)


class WebhookDelivery(TenantScoped, Base):
    __tablename__ = "webhook_deliveries"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    subscription_id: Mapped[str] = mapped_column(String(40))
    event_id: Mapped[str] = mapped_column(String(40))
    event_seq: Mapped[int | None] = mapped_column(BigInteger)
    event_type: Mapped[str] = mapped_column(String(80))
    kind: Mapped[DeliveryKind] = mapped_column(String(16))
    redelivery_of: Mapped[str | None] = mapped_column(String(40))
    # The envelope of an event that is not in the feed (a test); others are read from it.
    payload: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    status: Mapped[DeliveryStatus] = mapped_column(String(16), default=PENDING)
    attempt_count: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    first_attempt_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]

    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "subscription_id"],
            ["webhook_subscriptions.tenant_id", "webhook_subscriptions.id"],
        ),
        # The queue's head: a subscription's first pending delivery by id.
        Index("ix_webhook_deliveries_queue", "tenant_id", "subscription_id", "status", "id"),
        Index("ix_webhook_deliveries_event", "tenant_id", "event_id"),
    )


class WebhookAttempt(TenantScoped, Base):
    __tablename__ = "webhook_attempts"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    delivery_id: Mapped[str] = mapped_column(String(40))
    attempt: Mapped[int]
    attempted_at: Mapped[datetime]
    url: Mapped[str] = mapped_column(String(2048))
    status_code: Mapped[int | None]
    latency_ms: Mapped[int]
    # The first 1 KB of the answer, decoded as UTF-8 (bad bytes replaced).
    response_body: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(String(500))

    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "delivery_id"],
            ["webhook_deliveries.tenant_id", "webhook_deliveries.id"],
        ),
        Index("ix_webhook_attempts_delivery", "tenant_id", "delivery_id", "attempt"),
    )
