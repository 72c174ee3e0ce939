"""The write path of the request pipeline (``core/pipeline.py``, ADR 0002): the endpoint runs
with its response held back; a success gets its audit row, its stored idempotent response and
its events, then COMMIT, and only then is the response sent; an error rolls back.

A database fault before COMMIT rolled the whole transaction back, so the write is run once
more on a fresh session (``core/pipeline_faults.py``). A fault during COMMIT is another
matter: the transaction may have committed — see ``_settle_unknown_commit``.
"""

import logging

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from starlette.types import ASGIApp, Message, Scope, Send

from tillpoint.core import audit
from tillpoint.core.faults import CommitOutcomeUnknown, is_transient
from tillpoint.core.idempotency import ClaimLost, IdempotencyStore
from tillpoint.core.metrics import Metrics
from tillpoint.core.pipeline_faults import (
    OUTCOME_UNKNOWN,
    HeldClaim,
    drop_session,
    send_unavailable,
)
from tillpoint.core.pipeline_responses import ResponseBuffer, redact
from tillpoint.core.request_context import RequestContext
from tillpoint.core.route_labels import RouteLabels
from tillpoint.core.transactions import commit, discard_pending

log = logging.getLogger("tillpoint.request")


async def reset_request(ctx: RequestContext) -> None:
    """Forget the request's session and what it queued, for a try on a fresh one."""
    session, ctx.session = ctx.session, None
    await drop_session(session)
    ctx.commit_despite_error = False
    ctx.secret_fields = frozenset()
    ctx.status = 500


class WriteRunner:
    def __init__(
        self,
        app: ASGIApp,
        idempotency: IdempotencyStore,
        metrics: Metrics,
        route_labels: RouteLabels,
    ) -> None:
        self.app = app
        self.idempotency = idempotency
        self.metrics = metrics
        self.route_labels = route_labels

    async def run(
        self, scope: Scope, send: Send, ctx: RequestContext, body: bytes, held: HeldClaim | None
    ) -> int:
        """A write, retried once on a fresh session when a fault rolled it back before COMMIT:
        its claim stays (it is its own committed row) and nothing of the first try is kept —
        its queued events and audit row go with its session."""
        try:
            for attempt in (1, 2):
                try:
                    return await self._write_once(scope, send, ctx, body, held)
                except Exception as error:
                    if attempt == 1 and is_transient(error):
                        log.warning("database fault in a write; trying once more")
                        await reset_request(ctx)
                        continue
                    await self._abandon(ctx, held)
                    raise
            raise AssertionError("unreachable")
        finally:
            if held is not None:
                self.idempotency.forget(held.tenant_id, held.key, held.holder)

    async def _write_once(
        self, scope: Scope, send: Send, ctx: RequestContext, body: bytes, held: HeldClaim | None
    ) -> int:
        key = held.key if held is not None else None
        buffer = ResponseBuffer()
        sent_body = False

        async def replay_body() -> Message:
            nonlocal sent_body
            if sent_body:
                return {"type": "http.disconnect"}
            sent_body = True
            return {"type": "http.request", "body": body, "more_body": False}

        principal = ctx.principal
        await self.app(scope, replay_body, buffer.send)
        status = buffer.status
        session = ctx.session
        # What an idempotent replay will get: the response, with secrets shown once nulled.
        stored = redact(bytes(buffer.body), ctx.secret_fields) if key is not None else b""
        try:
            if 200 <= status < 300:
                if session is not None:
                    if principal is not None:
                        await audit.record_write(
                            session,
                            principal,
                            request_id=ctx.request_id,
                            method=scope["method"],
                            path=scope["path"],
                            route=self.route_labels.label(scope),
                            status=status,
                        )
                    if held is not None:
                        await self.idempotency.complete_in(
                            session, held.key, held.holder, status, stored
                        )
                    written = await commit(session)
                    self.metrics.observe_events(written)
                elif held is not None:
                    await self.idempotency.complete(
                        held.tenant_id, held.key, held.holder, status, stored
                    )
            elif status < 500:
                if session is not None:
                    if ctx.commit_despite_error:
                        self.metrics.observe_events(await commit(session))
                    else:
                        discard_pending(session)
                        await session.rollback()
                if held is not None:
                    await self.idempotency.complete(
                        held.tenant_id, held.key, held.holder, status, stored
                    )
            else:
                await self._abandon(ctx, held)
        except StaleDataError:
            # A concurrent writer changed the same versioned row first.
            await self._abandon(ctx, held)
            return await ctx.reject(send, "VERSION_CONFLICT")
        except IntegrityError:
            # A concurrent writer won a race that only a constraint caught; the client may retry.
            await self._abandon(ctx, held)
            return await ctx.reject(send, "CONFLICT")
        except ClaimLost:
            # Taken for dead, the claim went to a retry of this request: that one answers.
            await self._abandon(ctx, None)
            return await ctx.reject(send, "IDEMPOTENCY_KEY_IN_USE")
        except CommitOutcomeUnknown:
            return await self._settle_unknown_commit(send, ctx, held, buffer)
        except Exception as error:
            if is_transient(error):
                raise  # nothing committed: _run_write retries or answers 503
            log.exception("commit failed")
            await self._abandon(ctx, held)
            return await ctx.reject(send, "INTERNAL_ERROR")

        await buffer.release(send, ctx.response_headers)
        return status

    async def _settle_unknown_commit(
        self, send: Send, ctx: RequestContext, held: HeldClaim | None, buffer: ResponseBuffer
    ) -> int:
        """COMMIT's answer was lost. A success holding an Idempotency-Key can be told: its
        stored response was in the same transaction. Without a key nobody can tell."""
        await reset_request(ctx)
        committed = None
        if held is not None and 200 <= buffer.status < 300:
            committed = await self.idempotency.committed(held.tenant_id, held.key, held.holder)
        if committed:
            await buffer.release(send, ctx.response_headers)
            return buffer.status
        if committed is False:
            await self._abandon(ctx, held)
            return await send_unavailable(send, ctx.request_id, ctx.response_headers)
        # Unknown: the claim is left to go stale, so a retry with the key gets the stored
        # response if it did commit, or runs again (after the stale window) if it did not.
        return await send_unavailable(send, ctx.request_id, ctx.response_headers, OUTCOME_UNKNOWN)

    async def _abandon(self, ctx: RequestContext, held: HeldClaim | None) -> None:
        await drop_session(ctx.session)
        ctx.session = None
        if held is not None:
            try:
                await self.idempotency.release(held.tenant_id, held.key, held.holder)
            except Exception:
                # The claim goes stale once this request ends; a retry takes it over then.
                log.warning("could not release an idempotency claim", exc_info=True)
