"""The event feed: ``GET /v1/events?after=SEQ`` — every change, in commit order, none missed."""

from typing import Annotated

from fastapi import APIRouter, Query

from tillpoint.core.deps import DbSession
from tillpoint.core.events import read_events
from tillpoint.core.openapi import COMMON_ERRORS
from tillpoint.events import stream_api
from tillpoint.events.deps import EventReader
from tillpoint.events.schemas import EventOut, EventPageOut

router = APIRouter(prefix="/v1", responses=COMMON_ERRORS)


@router.get("/events", response_model=EventPageOut, tags=["events"])
async def list_events(
    session: DbSession,
    principal: EventReader,
    after: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    types: Annotated[
        str | None,
        Query(max_length=1000, description="Comma-separated types; `order.*` matches a prefix"),
    ] = None,
) -> EventPageOut:
    """Events with ``seq > after``, oldest first. Poll again with ``after=nextAfter``.

    ``nextAfter`` moves past events the ``types`` filter left out, so a filtered consumer does
    not rescan them. A consumer that always passes the last ``nextAfter`` sees every event
    exactly once, in ``seq`` order, even while writers commit out of order.
    """
    type_list = [t.strip() for t in types.split(",") if t.strip()] if types else None
    location_ids = sorted(principal.location_ids) if principal.location_ids is not None else None
    page = await read_events(
        session, after=after, limit=limit, types=type_list, location_ids=location_ids
    )
    return EventPageOut(
        items=[EventOut.model_validate(e) for e in page.events],
        next_after=page.next_after,
        has_more=page.has_more,
    )


router.include_router(stream_api.router)
