"""How the request pipeline meets a database fault (``core/faults.py`` says which ones are).

- A step that changed nothing (resolving the principal, a read that has sent nothing yet, a
  write whose transaction did not reach COMMIT) is run once more on a fresh session: the
  pool gives a new connection, and most faults — a connection terminated while it sat in the
  pool, a deadlock victim — do not meet the second try.
- What still fails leaves as 503 ``SERVICE_UNAVAILABLE`` with ``Retry-After``; anything else
  that escapes a request is a 500 ``INTERNAL_ERROR`` — both in the error envelope with the
  request id and the rate-limit headers, as the pipeline's own answers are, instead of the
  bare answer of the server's last-resort handler.
"""

import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import MutableHeaders
from starlette.types import Message, Receive, Send

from tillpoint.core.browser import API_CSP
from tillpoint.core.faults import RETRY_AFTER_SECONDS, fault_of
from tillpoint.core.pipeline_responses import send_error
from tillpoint.core.transactions import discard_pending

log = logging.getLogger("tillpoint.request")

T = TypeVar("T")

# Said when COMMIT's answer was lost and nothing can tell whether it committed.
OUTCOME_UNKNOWN = (
    "The connection to the database was lost while the change was being committed: it may "
    "have been saved. Check before repeating it; a request sent with an Idempotency-Key can "
    "simply be retried with the same key."
)


@dataclass(frozen=True)
class HeldClaim:
    """An idempotency claim the request holds (``core/idempotency.py``)."""

    tenant_id: str
    key: str
    holder: str


# Every response: a browser must not sniff a JSON body into HTML, frame a page of ours, or
# send our URLs (which may carry ids) as a referrer; no cache between client and server keeps
# a tenant's data. A response that says otherwise (an endpoint's own Cache-Control) keeps its.
SECURITY_HEADERS = (
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "no-referrer"),
    ("cache-control", "no-store"),
)


class SendTracker:
    """Knows whether a response has started, after which no other answer can be given; gives
    every response the ``SECURITY_HEADERS`` it does not set itself, and a JSON response the
    API's Content-Security-Policy (nothing may load from it; /docs, HTML, keeps its own)."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self.started = False

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
            headers = MutableHeaders(scope=message)
            for name, value in SECURITY_HEADERS:
                if name not in headers:
                    headers[name] = value
            content_type = headers.get("content-type", "")
            if "json" in content_type and "content-security-policy" not in headers:
                headers["content-security-policy"] = API_CSP
        await self._send(message)


async def once_more_on_fault(
    step: Callable[[], Awaitable[T]], before_retry: Callable[[], Awaitable[None]]
) -> T:
    """Run ``step``; after a database fault, ``before_retry`` and once more."""
    try:
        return await step()
    except Exception as error:
        fault = fault_of(error)
        if fault is None:
            raise
        log.warning("database fault; trying once more", extra={"fault": str(fault)})
        await before_retry()
        return await step()


async def drop_session(session: AsyncSession | None) -> None:
    """Give up a session whose connection may be broken: nothing of it is kept."""
    if session is None:
        return
    discard_pending(session)
    for end in (session.rollback, session.close):
        with contextlib.suppress(Exception):
            await end()


def empty_request(receive: Receive) -> Receive:
    """The request's (empty) body once more for a retried read, then the client's own
    messages (a disconnect)."""
    given = False

    async def replay() -> Message:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": b"", "more_body": False}
        return await receive()

    return replay


async def send_unavailable(
    send: Send, request_id: str, headers: Mapping[str, str], message: str | None = None
) -> int:
    return await send_error(
        send,
        "SERVICE_UNAVAILABLE",
        [],
        request_id,
        {**headers, "Retry-After": str(RETRY_AFTER_SECONDS)},
        message=message,
    )


async def answer_failure(
    send: Send, request_id: str, headers: Mapping[str, str], error: Exception
) -> int:
    """The answer to an exception that escaped the request before its response started."""
    fault = fault_of(error)
    if fault is not None:
        log.warning("database fault; answering 503: %r", error, extra={"fault": str(fault)})
        return await send_unavailable(send, request_id, headers)
    log.error("unhandled error", exc_info=error)
    return await send_error(send, "INTERNAL_ERROR", [], request_id, headers)
