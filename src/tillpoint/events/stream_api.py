"""The live event stream: ``GET /v1/events/stream`` as Server-Sent Events."""

import signal
import threading
from types import FrameType
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query
from fastapi.responses import StreamingResponse

from tillpoint.core.deps import RequestCtx
from tillpoint.core.errors import AppError, field_error
from tillpoint.events.deps import EventReader
from tillpoint.events.stream import StreamFilter, current_seq, stop_all_streams, stream_events

router = APIRouter()

MAX_SEQ = 2**62


@router.get(
    "/events/stream",
    tags=["events"],
    response_class=StreamingResponse,
    # Left out of the OpenAPI document: a response that never ends is not something a schema
    # client (or our fuzzer) can call; docs/api.md describes it.
    include_in_schema=False,
)
async def stream_events_sse(
    ctx: RequestCtx,
    principal: EventReader,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID", max_length=40)] = None,
    after: Annotated[int | None, Query(ge=0, le=MAX_SEQ)] = None,
    types: Annotated[
        str | None,
        Query(max_length=1000, description="Comma-separated types; `order.*` matches a prefix"),
    ] = None,
    location_id: Annotated[str | None, Query(alias="locationId", max_length=40)] = None,
) -> StreamingResponse:
    """Events as they commit, oldest first: ``id: <seq>``, ``event: <type>``, ``data: <the
    feed's envelope>``. Resumes after ``Last-Event-ID`` (or ``after``); without either it
    starts from now."""
    start = _resume_point(last_event_id, after)
    if location_id is not None and not principal.can_access_location(location_id):
        raise AppError("FORBIDDEN", "That location is not one of yours.")
    if location_id is not None:
        location_ids: list[str] | None = [location_id]
    elif principal.location_ids is not None:
        location_ids = sorted(principal.location_ids)
    else:
        location_ids = None
    type_list = [t.strip() for t in types.split(",") if t.strip()] if types else None
    # The request's session (used to authenticate) must not stay open while the client does.
    await ctx.end_session()
    if start is None:
        start = await current_seq(ctx.db, principal.tenant_id)
    _stop_streams_on_shutdown()
    return StreamingResponse(
        stream_events(
            ctx.db,
            principal.tenant_id,
            after=start,
            where=StreamFilter(types=type_list, location_ids=location_ids),
        ),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def _resume_point(last_event_id: str | None, after: int | None) -> int | None:
    """``Last-Event-ID`` wins over ``after``: a browser reconnecting sends the header with the
    URL it first opened."""
    if last_event_id is None or not last_event_id.strip():
        return after
    value = last_event_id.strip()
    if not value.isascii() or not value.isdigit() or int(value) > MAX_SEQ:
        raise field_error("Last-Event-ID", "the seq of the last event received")
    return int(value)


def _stop_streams_on_shutdown() -> None:
    """Chain onto the server's SIGTERM/SIGINT handlers so open streams end at once: a server
    shutting down waits for open responses, and a stream would otherwise only end when the
    graceful-shutdown timeout cancels it."""
    if threading.current_thread() is not threading.main_thread():
        return
    for sig in (signal.SIGTERM, signal.SIGINT):
        previous = signal.getsignal(sig)
        if not callable(previous) or getattr(previous, "stops_streams", False):
            continue

        def handler(
            signum: int, frame: FrameType | None, previous: Any = previous, sig: int = sig
        ) -> None:
            stop_all_streams()
            signal.signal(sig, previous)  # a second signal goes straight to the server
            previous(signum, frame)

        handler.stops_streams = True  # type: ignore[attr-defined]
        signal.signal(sig, handler)
