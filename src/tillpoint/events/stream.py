"""The live event stream: the feed of ``core.events.read_events`` as Server-Sent Events.

The stream is a loop over the feed. Each turn reads the next page on a fresh short read
session (never one held for the life of the stream), so it inherits the feed's guarantee: it
reads only up to the high-water mark, which never steps over an event still in flight. Between
turns it waits for the poll interval, or less when this process commits events of the tenant
(``core.events.on_events_committed``); events committed by other processes arrive by polling.
"""

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass

import orjson

from tillpoint.core.db import Database
from tillpoint.core.events import Event, high_water, on_events_committed, read_events
from tillpoint.events.schemas import EventOut

POLL_SECONDS = 0.5
HEARTBEAT_SECONDS = 15.0
RETRY_MILLISECONDS = 2000
PAGE_SIZE = 500


@dataclass(frozen=True)
class StreamFilter:
    types: list[str] | None = None
    # None: every location (and events without one); else only events at these locations.
    location_ids: list[str] | None = None


async def current_seq(db: Database, tenant_id: str) -> int:
    """The tenant's highest committed event number: a stream "from now" starts after it."""
    async with db.session(tenant_id=tenant_id, read_only=True) as session:
        return await high_water(session)


def format_event(event: Event) -> bytes:
    """One SSE message: ``id`` is the seq to resume after, ``data`` the feed's envelope."""
    envelope = EventOut.model_validate(event).model_dump(mode="json", by_alias=True)
    return b"id: %d\nevent: %s\ndata: %s\n\n" % (
        event.seq,
        event.type.encode(),
        orjson.dumps(envelope),
    )


async def stream_events(
    db: Database,
    tenant_id: str,
    *,
    after: int,
    where: StreamFilter,
    poll_seconds: float = POLL_SECONDS,
    heartbeat_seconds: float = HEARTBEAT_SECONDS,
) -> AsyncIterator[bytes]:
    """SSE chunks of the tenant's events with ``seq > after``, in order, until the process
    stops or the caller stops iterating (the client went away)."""
    yield b"retry: %d\n\n" % RETRY_MILLISECONDS
    cursor = after
    last_sent = time.monotonic()
    with _waker(tenant_id) as wake:
        while not _open.stopping:
            wake.clear()
            async with db.session(tenant_id=tenant_id, read_only=True) as session:
                page = await read_events(
                    session,
                    after=cursor,
                    limit=PAGE_SIZE,
                    types=where.types,
                    location_ids=where.location_ids,
                )
            cursor = page.next_after
            if page.events:
                yield b"".join(format_event(e) for e in page.events)
                last_sent = time.monotonic()
            if page.has_more:
                continue
            idle = time.monotonic() - last_sent
            if idle >= heartbeat_seconds:
                yield b": keepalive\n\n"
                last_sent = time.monotonic()
                idle = 0.0
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    wake.wait(), timeout=min(poll_seconds, heartbeat_seconds - idle)
                )


def stop_all_streams() -> None:
    """End every open stream of this process now (server shutdown)."""
    _open.stopping = True
    _open.wake(lambda _tenant: True)


@dataclass
class _OpenStreams:
    """The streams open in this process, each with the event that wakes it early."""

    waiters: dict[int, tuple[asyncio.AbstractEventLoop, str, asyncio.Event]]
    stopping: bool = False

    def wake(self, which: Callable[[str], bool]) -> None:
        for loop, tenant_id, event in list(self.waiters.values()):
            if which(tenant_id):
                # Commits may run on another loop or thread (CLI, jobs): hand the wake-up over.
                with contextlib.suppress(RuntimeError):  # that loop has closed
                    loop.call_soon_threadsafe(event.set)


_open = _OpenStreams({})


@contextlib.contextmanager
def _waker(tenant_id: str) -> Iterator[asyncio.Event]:
    event = asyncio.Event()
    _open.waiters[id(event)] = (asyncio.get_running_loop(), tenant_id, event)
    try:
        yield event
    finally:
        _open.waiters.pop(id(event), None)


on_events_committed(lambda tenant_ids: _open.wake(tenant_ids.__contains__))
