"""How the request pipeline sends: a write's response held back until its transaction has
committed, the pipeline's own JSON answers (errors, idempotent replays), and the stored copy of
a response with its shown-once secrets nulled."""

from collections.abc import Mapping
from typing import Any

import orjson
from starlette.datastructures import MutableHeaders
from starlette.types import Message, Send

from tillpoint.core.errors import CATALOG, error_body


class ResponseBuffer:
    """Holds a response back until its transaction has committed."""

    def __init__(self) -> None:
        self.start: Message | None = None
        self.body = bytearray()

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.start = message
        elif message["type"] == "http.response.body":
            self.body.extend(message.get("body", b""))

    @property
    def status(self) -> int:
        return int(self.start["status"]) if self.start else 500

    async def release(self, send: Send, headers: Mapping[str, str]) -> None:
        """Send the held response, with the pipeline's headers added."""
        start = self.start or {"type": "http.response.start", "status": 500, "headers": []}
        response_headers = MutableHeaders(raw=list(start["headers"]))
        for name, value in headers.items():
            response_headers[name] = value
        await send({**start, "headers": response_headers.raw})
        await send({"type": "http.response.body", "body": bytes(self.body), "more_body": False})


def redact(body: bytes, fields: frozenset[str]) -> bytes:
    """A response as an idempotent replay gets it: top-level secret fields nulled."""
    if not fields:
        return body
    document = orjson.loads(body) if body else None
    if not isinstance(document, dict):
        return body
    return orjson.dumps({k: (None if k in fields else v) for k, v in document.items()})


async def send_json(
    send: Send, status: int, body: bytes, request_id: str, headers: Mapping[str, str]
) -> None:
    response_headers = MutableHeaders()
    response_headers["content-type"] = "application/json"
    response_headers["content-length"] = str(len(body))
    response_headers["X-Request-Id"] = request_id
    for name, value in headers.items():
        response_headers[name] = value
    await send({"type": "http.response.start", "status": status, "headers": response_headers.raw})
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def send_error(
    send: Send,
    code: str,
    details: list[dict[str, Any]],
    request_id: str,
    headers: Mapping[str, str],
    message: str | None = None,
) -> int:
    """The error envelope of a catalogued code; returns the status sent."""
    entry = CATALOG[code]
    body = orjson.dumps(error_body(code, message or entry.message, details, request_id))
    await send_json(send, entry.status, body, request_id, headers)
    return entry.status
