"""Webhook subscriptions and their deliveries."""

from typing import Annotated

from pydantic import AliasChoices, Field

from tillpoint.core.schemas import ApiModel, AwareDatetime, ShortText, Timestamp, Version
from tillpoint.webhooks.models import DeliveryKind, DeliveryStatus

EventPattern = Annotated[str, Field(min_length=1, max_length=80)]
# https (http too where the server allows private destinations, in development), on a public
# address — the host's address is checked when the URL is given and again at each delivery.
WebhookUrl = Annotated[
    str, Field(min_length=1, max_length=2048, pattern=r"^[hH][tT][tT][pP][sS]?://")
]


class WebhookIn(ApiModel):
    url: WebhookUrl
    event_types: Annotated[list[EventPattern], Field(min_length=1, max_length=100)]
    location_id: Annotated[str, Field(max_length=40)] | None = None
    description: ShortText | None = None
    active: bool = True


class WebhookUpdate(ApiModel):
    url: WebhookUrl | None = None
    event_types: Annotated[list[EventPattern], Field(min_length=1, max_length=100)] | None = None
    location_id: Annotated[str, Field(max_length=40)] | None = None
    description: ShortText | None = None
    active: bool | None = None
    version: Version | None = None


class WebhookOut(ApiModel):
    webhook_id: str = Field(validation_alias=AliasChoices("webhookId", "webhook_id", "id"))
    url: str
    event_types: list[str]
    location_id: str | None
    description: str | None
    active: bool
    disabled_reason: str | None
    disabled_at: Timestamp | None
    previous_secret_expires_at: Timestamp | None
    created_at: Timestamp
    updated_at: Timestamp
    version: int


class WebhookWithSecretOut(WebhookOut):
    secret: str | None = Field(
        description="The signing secret, shown only in this response (null in an idempotent "
        "replay of it)."
    )


class AttemptOut(ApiModel):
    attempt: int
    attempted_at: Timestamp
    url: str
    status_code: int | None
    latency_ms: int
    response_body: str | None = Field(description="The first 1 KB of the answer")
    error: str | None


class DeliveryOut(ApiModel):
    delivery_id: str = Field(validation_alias=AliasChoices("deliveryId", "delivery_id", "id"))
    webhook_id: str = Field(
        validation_alias=AliasChoices("webhookId", "webhook_id", "subscription_id")
    )
    event_id: str
    event_seq: int | None
    event_type: str
    kind: DeliveryKind
    redelivery_of: str | None
    status: DeliveryStatus
    attempt_count: int
    next_attempt_at: Timestamp | None
    created_at: Timestamp
    completed_at: Timestamp | None
    attempts: list[AttemptOut]


class ReplayIn(ApiModel):
    from_: AwareDatetime = Field(alias="from")
    to: AwareDatetime


class ReplayOut(ApiModel):
    webhook_id: str
    from_: Timestamp = Field(alias="from", serialization_alias="from")
    to: Timestamp
    deliveries_created: int
