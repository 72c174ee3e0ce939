"""A real local HTTP receiver for webhook tests, and a polling helper.

``Receiver`` binds 127.0.0.1 on a free port and serves from a thread (one thread per request,
so a held request does not block the next). It records every request — method, path, headers,
raw body, arrival and answer times — and answers from a script per path: a list of replies used
one per request, then a default. A reply is a status code or a ``Reply`` (status, body, extra
headers such as ``Location``, and a delay before answering), or a function of the request::

    with Receiver() as receiver:
        receiver.script("/hook", 500, 500, 500, then=200)   # fail 3 times, then 200
        receiver.script("/slow", Reply(200, delay=5))       # hold the first request 5 s
        receiver.respond("/x", lambda r: 500 if r.json()["type"] == "a" else 200)
"""

import asyncio
import base64
import inspect
import json
import os
import threading
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar, overload

import httpx

from tests.support.tenants import PASSWORD, bearer, login, make_settings
from tillpoint.app import create_app
from tillpoint.core.db import Database
from tillpoint.core.transactions import transaction
from tillpoint.provisioning import create_tenant
from tillpoint.webhooks import verify

T = TypeVar("T")


@dataclass
class Reply:
    status: int = 200  # 0: close the connection without answering
    body: bytes = b"ok"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Received:
    method: str
    path: str
    headers: httpx.Headers
    body: bytes
    at: float  # time.time() when the request was read
    answered_at: float | None = None
    status: int | None = None

    def json(self) -> dict[str, Any]:
        body: dict[str, Any] = json.loads(self.body)
        return body

    @property
    def event_id(self) -> str:
        return self.headers["Tillpoint-Event-Id"]


Answer = Reply | int
Responder = Callable[[Received], Answer]


class Receiver:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._scripts: dict[str, list[Answer]] = {}
        self._defaults: dict[str, Answer] = {}
        self._responders: dict[str, Responder] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = Received(
                    self.command,
                    self.path,
                    httpx.Headers(list(self.headers.items())),
                    body,
                    time.time(),
                )
                reply = receiver._answer(request)
                if reply.delay:
                    time.sleep(reply.delay)
                request.status = reply.status
                if reply.status == 0:  # hang up without an answer
                    self.close_connection = True
                    request.answered_at = time.time()
                    return
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                    self.wfile.flush()
                except OSError:  # the client went away (timed out, killed)
                    pass
                request.answered_at = time.time()

            do_POST = do_GET = do_PUT = do_PATCH = do_DELETE = _handle

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def script(self, path: str, *replies: Answer, then: Answer = 200) -> None:
        """Answer the next requests to ``path`` with ``replies`` in turn, then ``then``."""
        with self._lock:
            self._scripts[path] = list(replies)
            self._defaults[path] = then

    def respond(self, path: str, responder: Responder) -> None:
        """Answer every request to ``path`` with ``responder(request)``."""
        with self._lock:
            self._responders[path] = responder

    def _answer(self, request: Received) -> Reply:
        path = request.path.split("?")[0]
        with self._lock:
            self.received.append(request)
            if path in self._responders:
                answer = self._responders[path](request)
            elif self._scripts.get(path):
                answer = self._scripts[path].pop(0)
            else:
                answer = self._defaults.get(path, 200)
        return Reply(answer) if isinstance(answer, int) else answer

    def requests(self, path: str | None = None) -> list[Received]:
        with self._lock:
            return [r for r in self.received if path is None or r.path.split("?")[0] == path]

    def event_ids(self, path: str | None = None) -> list[str]:
        return [r.event_id for r in self.requests(path)]

    async def wait_for(self, path: str | None, n: int, within: float = 30) -> list[Received]:
        """The first ``n`` requests to ``path`` (any path: None) once that many have been
        answered."""

        def arrived() -> list[Received] | None:
            got = self.requests(path)
            done = len(got) >= n and all(r.answered_at is not None for r in got[:n])
            return got[:n] if done else None

        return await eventually(arrived, within, f"{n} requests to {path or 'any path'}")

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def __enter__(self) -> "Receiver":
        return self

    def __exit__(
        self, _t: type[BaseException] | None, _e: BaseException | None, _tb: TracebackType | None
    ) -> None:
        self.close()


@overload
async def eventually(
    check: Callable[[], Awaitable[T | None]],
    within: float = ...,
    what: str = ...,
    interval: float = ...,
) -> T: ...


@overload
async def eventually(
    check: Callable[[], T | None],
    within: float = ...,
    what: str = ...,
    interval: float = ...,
) -> T: ...


async def eventually(
    check: Callable[[], Any],
    within: float = 30,
    what: str = "the condition",
    interval: float = 0.05,
) -> Any:
    """Poll ``check`` (sync or async) until it returns something truthy; fail past the deadline."""
    deadline = time.monotonic() + within
    while True:
        value = check()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out after {within} s waiting for {what}"
        await asyncio.sleep(interval)


# The API side: a tenant's owner talking to an app, with the calls webhook tests make.


@dataclass
class Shop:
    client: httpx.AsyncClient
    tenant_id: str
    headers: dict[str, str]

    async def call(self, method: str, path: str, expect: int, **kwargs: Any) -> Any:
        response = await self.client.request(method, path, headers=self.headers, **kwargs)
        assert response.status_code == expect, f"{method} {path}: {response.text}"
        return response.json() if response.content else None

    async def hook(self, url: str, types: list[str] | None = None, **fields: Any) -> dict:
        body = {"url": url, "eventTypes": types or ["location.created"], **fields}
        created: dict[str, Any] = await self.call("POST", "/v1/webhooks", 201, json=body)
        return created

    async def webhook(self, webhook_id: str) -> dict[str, Any]:
        got: dict[str, Any] = await self.call("GET", f"/v1/webhooks/{webhook_id}", 200)
        return got

    async def location(self, name: str = "Shop") -> str:
        body = await self.call("POST", "/v1/locations", 201, json={"name": name})
        return str(body["locationId"])

    async def events(self, types: str | None = None) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        after = 0
        while True:
            params: dict[str, Any] = {"after": after, "limit": 1000}
            if types:
                params["types"] = types
            page = await self.call("GET", "/v1/events", 200, params=params)
            items += page["items"]
            if not page["hasMore"]:
                return items
            after = page["nextAfter"]

    async def deliveries(self, webhook_id: str, **params: Any) -> list[dict[str, Any]]:
        page = await self.call(
            "GET", f"/v1/webhooks/{webhook_id}/deliveries", 200, params={"pageSize": 200, **params}
        )
        items: list[dict[str, Any]] = page["items"]
        return items

    async def settled(
        self, webhook_id: str, n: int, within: float = 30, *, pending_ok: bool = False
    ) -> list[dict[str, Any]]:
        """The subscription's deliveries, newest first, once ``n`` exist and none is pending."""

        async def done() -> list[dict[str, Any]] | None:
            items = await self.deliveries(webhook_id)
            pending = any(d["status"] == "pending" for d in items) and not pending_ok
            return items if len(items) >= n and not pending else None

        return await eventually(done, within, f"{n} settled deliveries of {webhook_id}")

    async def has_deliveries(self, webhook_id: str, n: int) -> bool:
        return len(await self.deliveries(webhook_id)) == n

    async def first_attempt(self, webhook_id: str) -> dict[str, Any]:
        """The first attempt of the newest delivery, once there is one."""

        async def attempted() -> dict[str, Any] | None:
            items = await self.deliveries(webhook_id)
            return items[0]["attempts"][0] if items and items[0]["attempts"] else None

        return await eventually(attempted, what=f"an attempt to deliver to {webhook_id}")

    async def disabled(self, webhook_id: str) -> dict[str, Any]:
        """The subscription once it has been disabled."""

        async def off() -> dict[str, Any] | None:
            got = await self.webhook(webhook_id)
            return got if got["disabledReason"] else None

        return await eventually(off, what=f"{webhook_id} disabled")

    async def delete_hooks(self) -> None:
        """Clean-up: delete every subscription (a 409 is retried here; whether DELETE may
        give one is test_webhooks_delivery's question, not the clean-up's)."""
        page = await self.call("GET", "/v1/webhooks", 200, params={"pageSize": 200})
        for hook in page["items"]:

            async def deleted(path: str = f"/v1/webhooks/{hook['webhookId']}") -> bool:
                response = await self.client.delete(path, headers=self.headers)
                assert response.status_code in (204, 409), response.text
                return response.status_code == 204

            await eventually(deleted, 10, f"DELETE {hook['webhookId']}")


async def new_shop(client: httpx.AsyncClient, db: Database) -> Shop:
    """A fresh tenant (made as the CLI makes one) whose owner logs in through ``client``."""
    email = f"hooks-{uuid.uuid4().hex[:12]}@shop.example.com"
    async with transaction(db) as session:
        made = await create_tenant(
            session, name="Hooks", owner_email=email, owner_password=PASSWORD, currency="USD"
        )
    response = await login(client, email)
    assert response.status_code == 201, response.text
    return Shop(client, made.tenant.id, bearer(response.json()["authToken"]))


def check_delivery(request: Received, secret: str, event: dict[str, Any], tenant_id: str) -> None:
    """``request`` is a genuine delivery of the feed's ``event``: headers, signature, envelope."""
    headers = request.headers
    assert request.method == "POST", request
    assert headers["Content-Type"].startswith("application/json"), headers
    assert headers["User-Agent"] == "Tillpoint-Webhooks/1", headers
    assert request.event_id == event["id"], (request.event_id, event)
    signature = headers["Tillpoint-Signature"]
    assert signature.startswith(f"t={headers['Tillpoint-Timestamp']},v1="), headers
    envelope = verify(secret, headers, request.body)
    # The feed's envelope plus tenantId. (occurredAt is compared as an instant here;
    # test_the_body_is_the_feeds_envelope_with_the_tenant checks its text.)
    expected = {**event, "tenantId": tenant_id, "occurredAt": envelope["occurredAt"]}
    assert envelope == expected, f"delivered {envelope}\n   expected {expected}"
    sent_at = instant(envelope["occurredAt"])
    assert sent_at.replace(microsecond=sent_at.microsecond // 1000 * 1000) == instant(
        event["occurredAt"]
    ), (envelope["occurredAt"], event["occurredAt"])


def codes(delivery: dict[str, Any]) -> list[int | None]:
    """Each attempt's status code, in attempt order."""
    attempts = sorted(delivery["attempts"], key=lambda a: a["attempt"])
    assert [a["attempt"] for a in attempts] == list(range(1, len(attempts) + 1)), attempts
    return [a["statusCode"] for a in attempts]


def instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


# Apps of the tests' own on the test database, with the job runner on unless told otherwise.

SECRET_KEY = base64.urlsafe_b64encode(os.urandom(32)).decode()  # a Fernet key
FAST = {
    "run_jobs_in_process": True,
    "job_poll_seconds": 0.05,
    "webhook_allow_private": True,
    "webhook_retry_base_seconds": 0.05,
    "webhook_dispatch_poll_seconds": 0.05,
    "secret_key": SECRET_KEY,
}


@asynccontextmanager
async def running_app(
    database_url: str, data_dir: Path, db: Database, **overrides: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """An app of its own with the job runner on (settings ``FAST`` | overrides)."""
    app = create_app(make_settings(database_url, data_dir, **(FAST | overrides)), db=db)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://test") as client,
    ):
        yield client


@asynccontextmanager
async def own_shop(
    database_url: str, data_dir: Path, db: Database, **overrides: Any
) -> AsyncIterator[Shop]:
    """A new tenant on an app of its own (``running_app``); its webhooks deleted at the end."""
    async with running_app(database_url, data_dir, db, **overrides) as client:
        shop = await new_shop(client, db)
        try:
            yield shop
        finally:
            await shop.delete_hooks()
