"""The request pipeline: one ASGI middleware that gives every request the same life.

1. A request id (``X-Request-Id`` echoed or made) bound to every log line of the request.
2. A body size limit (413 before the body is read past the limit); a client that goes away
   before its body has arrived gets nothing run and is logged as 499. Then the card-number
   guard (``core.card_guard``: 400 CARD_DATA_NOT_ALLOWED before anything is resolved or stored).
3. The principal, resolved from ``Authorization: Bearer …`` (a user session or an API key), or
   failing that from the browser's session cookie (``core/browser.py``), whose writes must
   carry the session's ``X-CSRF-Token`` (403 CSRF_TOKEN_INVALID before anything runs).
4. The rate limit of that principal (or of the client address when anonymous).
5. ``Idempotency-Key`` on POST: claim, replay, or refuse (see ``core.idempotency``).
6. The endpoint runs on a request-scoped session (``DbSession``); services only flush.
7. One request = one transaction: a write that succeeded gets its audit entry, its stored
   idempotent response and its events, then COMMIT — all before the response leaves. An error
   rolls everything back (unless the endpoint asked to keep its changes, e.g. a failed-login
   counter). Only then is the response sent.
8. A database fault (``core/faults.py``) is retried once where nothing was committed, else
   answered 503 with ``Retry-After`` (``core/pipeline_faults.py``); every error, 500 included,
   leaves in the envelope with the request id and the rate-limit headers.

Beside it: ``route_labels`` (the route a request is counted and logged under) and
``pipeline_responses`` (the held-back response and the pipeline's own answers).
"""

import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable

import structlog
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tillpoint.core.auth import Principal, bearer_token
from tillpoint.core.browser import (
    CSRF_HEADER,
    SESSION_COOKIE,
    cookie_value,
    csrf_matches,
    csrf_token,
    secure_cookies,
)
from tillpoint.core.card_guard import card_data_in_request, refusal_details
from tillpoint.core.card_numbers import holds_card_number
from tillpoint.core.db import Database
from tillpoint.core.faults import is_transient
from tillpoint.core.idempotency import (
    ClaimOutcome,
    IdempotencyStore,
    request_fingerprint,
    valid_key,
)
from tillpoint.core.metrics import Metrics
from tillpoint.core.pipeline_faults import (
    HeldClaim,
    SendTracker,
    answer_failure,
    drop_session,
    empty_request,
    once_more_on_fault,
)
from tillpoint.core.pipeline_responses import send_json
from tillpoint.core.pipeline_writes import WriteRunner, reset_request
from tillpoint.core.ratelimit import RateLimiter, RateLimitResult
from tillpoint.core.request_context import RequestContext
from tillpoint.core.route_labels import RouteLabels

log = logging.getLogger("tillpoint.request")

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
UNMETERED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# What the access log and the metrics say of a request whose client went away before its body
# had arrived (nginx's "client closed request"): nothing was run, and nobody was answered.
CLIENT_CLOSED_REQUEST = 499

# (session, secret, from_cookie): a bearer token, or a browser session cookie's value.
PrincipalResolver = Callable[[AsyncSession, str, bool], Awaitable[Principal | None]]


def _has_nul(query_string: bytes) -> bool:
    return b"\x00" in query_string or b"%00" in query_string.lower()


class RequestPipeline:
    def __init__(
        self,
        app: ASGIApp,
        *,
        db: Database,
        resolve_principal: PrincipalResolver,
        rate_limiter: RateLimiter,
        idempotency: IdempotencyStore,
        metrics: Metrics,
        max_body_bytes: int,
        large_body_paths: dict[str, int] | None = None,
        anonymous_rate_limit: int,
        idempotency_exempt: frozenset[str] = frozenset(),
        idempotency_exempt_suffixes: tuple[str, ...] = (),
        sign_in_paths: frozenset[str] = frozenset(),
        cookie_secure: bool | None = None,
    ) -> None:
        self.app = app
        self.db = db
        self.resolve_principal = resolve_principal
        self.rate_limiter = rate_limiter
        self.idempotency = idempotency
        self.metrics = metrics
        self.max_body_bytes = max_body_bytes
        # Endpoints that take bulk uploads (CSV imports, batches) get a larger limit of their own.
        self.large_body_paths = large_body_paths or {}
        self.anonymous_rate_limit = anonymous_rate_limit
        # Paths whose responses must never be stored (they carry fresh credentials).
        self.idempotency_exempt = idempotency_exempt
        self.idempotency_exempt_suffixes = idempotency_exempt_suffixes
        # Sign-ins, which authenticate by their body (and a register's cookie): a session cookie
        # riding along is not read there, so it neither needs a CSRF token nor is the principal.
        self.sign_in_paths = sign_in_paths
        self.cookie_secure = cookie_secure
        self.route_labels = RouteLabels()
        self.writes = WriteRunner(app, idempotency, metrics, self.route_labels)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = Headers(scope=scope)
        incoming_id = headers.get("x-request-id", "")
        # An incoming id holding a card number is never echoed or logged (the guard refuses it).
        acceptable = REQUEST_ID.match(incoming_id) and not holds_card_number(incoming_id)
        request_id = incoming_id if acceptable else uuid.uuid4().hex
        method = scope["method"]
        ctx = RequestContext(self.db, request_id, read_only=method not in WRITE_METHODS)
        scope.setdefault("state", {})["ctx"] = ctx
        structlog.contextvars.bind_contextvars(request_id=request_id)
        status = 500
        tracker = SendTracker(send)
        try:
            status = await self._handle(scope, receive, tracker.send, ctx, headers)
        except Exception as error:
            if tracker.started:
                raise
            await self._add_rate_limit_headers(scope, ctx)
            status = await answer_failure(tracker.send, ctx.request_id, ctx.response_headers, error)
        finally:
            await drop_session(ctx.session)
            ctx.session = None
            elapsed = time.perf_counter() - started
            route = self.route_labels.label(scope)
            self.metrics.observe_request(method, route, status, elapsed)
            if scope["path"] not in UNMETERED_PATHS:
                log.info(
                    "request",
                    extra={
                        "method": method,
                        "path": scope["path"],
                        "route": route,
                        "status": status,
                        "duration_ms": round(elapsed * 1000, 2),
                    },
                )
            structlog.contextvars.clear_contextvars()

    async def _handle(
        self, scope: Scope, receive: Receive, send: Send, ctx: RequestContext, headers: Headers
    ) -> int:
        method = scope["method"]
        if "\x00" in scope["path"] or _has_nul(scope.get("query_string", b"")):
            return await ctx.reject(
                send,
                "VALIDATION_ERROR",
                [{"field": "url", "message": "the NUL character is not allowed"}],
            )
        body = b""
        if method in WRITE_METHODS:
            body_limit = self.large_body_paths.get(scope["path"], self.max_body_bytes)
            try:
                read = await self._read_body(receive, headers, body_limit)
            except ClientDisconnect:
                # Running it on the part that arrived would act on a request nobody sent in
                # full, and answer 400 to a client that is gone.
                return CLIENT_CLOSED_REQUEST
            if read is None:
                return await ctx.reject(send, "PAYLOAD_TOO_LARGE")
            body = read
        card_data = await card_data_in_request(scope, headers, body)
        if card_data is not None:
            return await ctx.reject(send, "CARD_DATA_NOT_ALLOWED", refusal_details(card_data))

        token = bearer_token(headers.get("authorization"))
        from_cookie = False
        if token is None and scope["path"] not in self.sign_in_paths:
            secure = secure_cookies(scope.get("scheme", "http"), self.cookie_secure)
            token = cookie_value(headers.get("cookie", ""), SESSION_COOKIE, secure)
            from_cookie = token is not None
        if token is not None:
            principal = await self._authenticate(ctx, token, from_cookie)
            if principal is None:
                ctx.auth_failure = "INVALID_TOKEN"
            else:
                ctx.principal = principal
                ctx.get_session().info["tenant_id"] = principal.tenant_id
                structlog.contextvars.bind_contextvars(
                    tenant_id=principal.tenant_id, principal=f"{principal.kind}:{principal.id}"
                )
                if from_cookie:
                    ctx.csrf_token = csrf_token(token)
        if (
            ctx.csrf_token is not None
            and method in WRITE_METHODS
            and not csrf_matches(token or "", headers.get(CSRF_HEADER))
        ):
            # A cookie rides along on any request to our origin: a write must prove our own
            # page sent it (core/browser.py). Refused before it is counted, claimed or run.
            return await ctx.reject(send, "CSRF_TOKEN_INVALID")

        if scope["path"] not in UNMETERED_PATHS:
            limit = await self._rate_limit(scope, ctx)
            ctx.response_headers.update(limit.headers())
            if not limit.allowed:
                return await ctx.reject(send, "RATE_LIMITED")
        ctx.response_headers["X-Request-Id"] = ctx.request_id

        idempotency_key = headers.get("idempotency-key")
        if (
            method == "POST"
            and idempotency_key is not None
            and ctx.principal is not None
            and scope["path"] not in self.idempotency_exempt
            and not scope["path"].endswith(self.idempotency_exempt_suffixes)
        ):
            if not valid_key(idempotency_key):
                return await ctx.reject(
                    send,
                    "VALIDATION_ERROR",
                    [{"field": "Idempotency-Key", "message": "1 to 255 printable characters"}],
                )
            fingerprint = request_fingerprint(
                ctx.principal.rate_limit_key,
                method,
                scope["path"],
                scope.get("query_string", b""),
                body,
            )
            claim = await self.idempotency.claim(
                ctx.principal.tenant_id, idempotency_key, fingerprint
            )
            if claim.outcome is ClaimOutcome.REPLAY:
                ctx.response_headers["Idempotent-Replayed"] = "true"
                await self._send(send, ctx, claim.status or 200, claim.body or b"")
                return claim.status or 200
            if claim.outcome is ClaimOutcome.IN_USE:
                return await ctx.reject(send, "IDEMPOTENCY_KEY_IN_USE")
            if claim.outcome is ClaimOutcome.REUSED:
                return await ctx.reject(send, "IDEMPOTENCY_KEY_REUSED")
            held = HeldClaim(ctx.principal.tenant_id, idempotency_key, claim.holder)
        else:
            held = None

        if method not in WRITE_METHODS:
            return await self._run_read(scope, receive, send, ctx)
        return await self.writes.run(scope, send, ctx, body, held)

    async def _run_read(
        self, scope: Scope, receive: Receive, send: Send, ctx: RequestContext
    ) -> int:
        """A read streams straight to the client: it is retried after a fault only if it has
        sent nothing yet."""
        tracker = SendTracker(self._with_headers(send, ctx))
        try:
            await self.app(scope, receive, tracker.send)
        except Exception as error:
            if tracker.started or not is_transient(error):
                raise
            log.warning("database fault in a read; trying once more")
            await reset_request(ctx)
            await self.app(scope, empty_request(receive), self._with_headers(send, ctx))
        return ctx.status

    async def _authenticate(
        self, ctx: RequestContext, token: str, from_cookie: bool
    ) -> Principal | None:
        return await once_more_on_fault(
            lambda: self._resolve_principal(ctx, token, from_cookie), lambda: reset_request(ctx)
        )

    async def _resolve_principal(
        self, ctx: RequestContext, token: str, from_cookie: bool
    ) -> Principal | None:
        if ctx.read_only:
            return await self.resolve_principal(ctx.get_session(), token, from_cookie)
        # A write's own session must not hold a connection yet: the idempotency claim takes
        # another, and requests each holding one while waiting for a second would exhaust the
        # pool (on SQLite, the request's write lock would block the claim outright). Look up on
        # a short read session that gives its connection back first.
        async with self.db.session(read_only=True) as session:
            return await self.resolve_principal(session, token, from_cookie)

    async def _add_rate_limit_headers(self, scope: Scope, ctx: RequestContext) -> None:
        """A request that failed before its rate limit was counted is counted now, so that its
        error carries the RateLimit headers too (by the client address if the failure came
        before the principal was known)."""
        if "RateLimit-Limit" in ctx.response_headers or scope["path"] in UNMETERED_PATHS:
            return
        try:
            ctx.response_headers.update((await self._rate_limit(scope, ctx)).headers())
        except Exception:
            log.warning("could not count the rate limit of a failed request", exc_info=True)

    async def _rate_limit(self, scope: Scope, ctx: RequestContext) -> RateLimitResult:
        if ctx.principal is not None:
            return await self.rate_limiter.hit(
                ctx.principal.rate_limit_key, ctx.principal.rate_limit_per_minute
            )
        client = scope.get("client")
        address = client[0] if client else "unknown"
        return await self.rate_limiter.hit(f"ip:{address}", self.anonymous_rate_limit)

    async def _read_body(self, receive: Receive, headers: Headers, limit: int) -> bytes | None:
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            return None
        chunks = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise ClientDisconnect
            chunks.extend(message.get("body", b""))
            if len(chunks) > limit:
                return None
            if not message.get("more_body", False):
                break
        return bytes(chunks)

    def _with_headers(self, send: Send, ctx: RequestContext) -> Send:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                ctx.status = int(message["status"])
                response_headers = MutableHeaders(scope=message)
                for name, value in ctx.response_headers.items():
                    response_headers[name] = value
            await send(message)

        return send_with_headers

    async def _send(self, send: Send, ctx: RequestContext, status: int, body: bytes) -> None:
        await send_json(send, status, body, ctx.request_id, ctx.response_headers)
