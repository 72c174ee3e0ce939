"""The event feed's shapes (the stream and webhooks send the same event)."""

from typing import Any

from tillpoint.core.schemas import ApiModel, Timestamp


class EventOut(ApiModel):
    id: str
    seq: int
    type: str
    occurred_at: Timestamp
    location_id: str | None
    data: dict[str, Any]


class EventPageOut(ApiModel):
    items: list[EventOut]
    next_after: int
    has_more: bool
