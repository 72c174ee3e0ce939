"""The local webhook receiver of ``bench.webhooks``: a bare ASGI app served by uvicorn.

Served in its own process (``python -m uvicorn bench.webhooks_receiver:app``, one worker, so
everything it records lives in one process). ``POST /hook/<n>`` is subscription n's endpoint:
the delivery is verified with ``tillpoint.webhooks.verify`` and that subscription's secret
(400 if it fails), recorded and answered 204. Recorded per delivery: the path, the event's
``id``, ``seq`` and ``type``, its ``occurredAt``, the subject's id (``data.locationId``: the
events are ``location.created``), the receiver's ``time.time()`` when the request reached the
app, the client's port (one per connection) and, on request, the raw body (the baseline
replays those bodies).

Control endpoints for the benchmark (plain JSON, no auth: it listens on 127.0.0.1 only):
``POST /_bench/secrets`` ``{path: secret}``; ``POST /_bench/reset`` ``{"keepBodies": bool}``
(forget every record); ``GET /_bench/stats`` ``{"unique", "total", "invalid"}``;
``GET /_bench/records`` (the records, bodies as latin-1 strings).
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from tillpoint.webhooks import WebhookVerificationError, verify

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class State:
    def __init__(self) -> None:
        self.secrets: dict[str, str] = {}
        self.records: list[list[Any]] = []
        self.seen: set[tuple[str, str]] = set()
        self.invalid: list[str] = []
        self.keep_bodies = False

    def reset(self, keep_bodies: bool) -> None:
        self.records, self.seen, self.invalid = [], set(), []
        self.keep_bodies = keep_bodies


STATE = State()
FIELDS = ("path", "eventId", "seq", "type", "occurredAt", "subjectId", "arrivedAt", "port", "body")


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    arrived = time.time()
    body = await _read_body(receive)
    path: str = scope["path"]
    method: str = scope["method"]
    if path.startswith("/hook/") and method == "POST":
        await _respond(send, *_delivery(scope, path, body, arrived))
    elif path == "/_bench/secrets" and method == "POST":
        STATE.secrets.update(json.loads(body))
        await _respond(send, 204)
    elif path == "/_bench/reset" and method == "POST":
        STATE.reset(bool(json.loads(body or b"{}").get("keepBodies")))
        await _respond(send, 204)
    elif path == "/_bench/stats":
        stats = {"unique": len(STATE.seen), "total": len(STATE.records)}
        await _respond(send, 200, {**stats, "invalid": len(STATE.invalid)})
    elif path == "/_bench/records":
        await _respond(
            send,
            200,
            {"fields": FIELDS, "records": STATE.records, "invalid": STATE.invalid[:20]},
        )
    elif path == "/healthz":
        await _respond(send, 200, {"ok": True})
    else:
        await _respond(send, 404)


def _delivery(scope: Scope, path: str, body: bytes, arrived: float) -> tuple[int, Any]:
    secret = STATE.secrets.get(path)
    if secret is None:
        STATE.invalid.append(f"{path}: no secret for this path")
        return 404, None
    headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
    try:
        event = verify(secret, headers, body)
    except WebhookVerificationError as exc:
        STATE.invalid.append(f"{path}: {exc}")
        return 400, None
    if headers.get("tillpoint-event-id") != event.get("id"):
        STATE.invalid.append(f"{path}: Tillpoint-Event-Id differs from the envelope's id")
        return 400, None
    data = event.get("data")
    client = scope.get("client")
    STATE.records.append(
        [
            path,
            event.get("id"),
            event.get("seq"),
            event.get("type"),
            event.get("occurredAt"),
            data.get("locationId") if isinstance(data, dict) else None,
            arrived,
            client[1] if client else None,
            body.decode("latin-1") if STATE.keep_bodies else None,
        ]
    )
    STATE.seen.add((path, str(event.get("id"))))
    return 204, None


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def _respond(send: Send, status: int, payload: Any = None) -> None:
    body = b"" if payload is None else json.dumps(payload).encode()
    headers = [(b"content-type", b"application/json")] if payload is not None else []
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
