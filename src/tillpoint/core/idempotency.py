"""Idempotency-Key: a POST retried with the same key gets the first response, not a second effect.

A key is claimed in its own short transaction before the request runs, so a concurrent
duplicate sees the claim and gets 409 ``IDEMPOTENCY_KEY_IN_USE``. A successful response is
stored in the *same* transaction as the request's changes (so a crash cannot leave one without
the other); a 4xx response is stored afterwards; a 5xx releases the key so the client may retry.
Keys are scoped to the tenant and kept for 24 hours.

A claim names its holder (a token of the one request that made it) and the holder's process
proves the request is alive by touching ``heartbeat_at`` every few seconds. A claim whose
heartbeat has stopped for ``stale`` seconds belongs to a request that died with its process
and is taken over (ADR 0009). Every write to a claim names the holder, so a request that was
taken for dead but was not (its process stalled) can neither store its response over the new
holder's claim nor release it: it gets ``ClaimLost`` and rolls back.
"""

import asyncio
import contextlib
import hashlib
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import orjson
from sqlalchemy import LargeBinary, String, delete, select, text, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from tillpoint.core.db import Base, Database, TenantScoped, dialect_insert, utcnow
from tillpoint.core.faults import is_transient

MAX_KEY_LENGTH = 255
log = logging.getLogger("tillpoint.idempotency")


class IdempotencyRecord(TenantScoped, Base):
    __tablename__ = "idempotency_keys"

    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    completed: Mapped[bool] = mapped_column(default=False)
    response_status: Mapped[int | None]
    response_body: Mapped[bytes | None] = mapped_column(LargeBinary)
    claimed_at: Mapped[datetime]
    # The request holding an unfinished claim, and when its process last said it was alive.
    holder: Mapped[str | None] = mapped_column(String(32))
    heartbeat_at: Mapped[datetime | None]
    expires_at: Mapped[datetime] = mapped_column(index=True)


class ClaimOutcome(StrEnum):
    CLAIMED = "claimed"
    REPLAY = "replay"
    IN_USE = "in_use"
    REUSED = "reused"


@dataclass(frozen=True)
class Claim:
    outcome: ClaimOutcome
    status: int | None = None
    body: bytes | None = None
    holder: str = ""


class ClaimLost(Exception):
    """The claim was taken over by another request while this one still ran."""


def request_fingerprint(principal: str, method: str, path: str, query: bytes, body: bytes) -> str:
    """Same request = same principal, method, path, query and JSON body (key order and spacing
    do not matter). A replay therefore goes only to the principal who made the request."""
    try:
        canonical = orjson.dumps(orjson.loads(body), option=orjson.OPT_SORT_KEYS) if body else b""
    except orjson.JSONDecodeError:
        canonical = body
    head = f"{principal}\n{method} {path}?".encode() + query + b"\n"
    return hashlib.sha256(head + canonical).hexdigest()


def valid_key(key: str) -> bool:
    return 0 < len(key) <= MAX_KEY_LENGTH and key.isprintable()


class IdempotencyStore:
    def __init__(
        self, db: Database, ttl_seconds: int, stale_seconds: float, heartbeat_seconds: float = 2
    ) -> None:
        self.db = db
        self.ttl = timedelta(seconds=ttl_seconds)
        self.stale = timedelta(seconds=stale_seconds)
        self.heartbeat_seconds = heartbeat_seconds
        # The unfinished claims this process holds: (tenant, key, holder).
        self.held: set[tuple[str, str, str]] = set()

    async def claim(
        self, tenant_id: str, key: str, request_hash: str, holder: str | None = None
    ) -> Claim:
        """Claim ``key`` for one request. Calling again with the ``holder`` of an earlier call
        (a retry after the first call's connection was lost) finds that claim its own."""
        holder = holder or uuid.uuid4().hex
        # A record released or purged between our INSERT and SELECT is simply claimed anew.
        for attempt in range(5):
            try:
                claim = await self._try_claim(tenant_id, key, request_hash, holder)
            except Exception as error:
                # Once, after a database fault: a claim that did commit is found ours.
                if attempt > 0 or not is_transient(error):
                    raise
                log.warning("database fault while claiming a key; trying once more")
                continue
            if claim is not None:
                if claim.outcome is ClaimOutcome.CLAIMED:
                    self.held.add((tenant_id, key, holder))
                return claim
        return Claim(ClaimOutcome.IN_USE)

    def forget(self, tenant_id: str, key: str, holder: str) -> None:
        """The request is over: its process stops vouching for the claim."""
        self.held.discard((tenant_id, key, holder))

    async def _try_claim(
        self, tenant_id: str, key: str, request_hash: str, holder: str
    ) -> Claim | None:
        now = utcnow()
        claimed = Claim(ClaimOutcome.CLAIMED, holder=holder)
        async with self.db.session(tenant_id=tenant_id) as session, session.begin():
            inserted = await session.execute(
                dialect_insert(session)(IdempotencyRecord)
                .values(
                    tenant_id=tenant_id,
                    key=key,
                    request_hash=request_hash,
                    completed=False,
                    claimed_at=now,
                    holder=holder,
                    heartbeat_at=now,
                    expires_at=now + self.ttl,
                )
                .on_conflict_do_nothing()
                .returning(IdempotencyRecord.key)
            )
            if inserted.first() is not None:
                return claimed
            record = (
                await session.execute(
                    select(IdempotencyRecord).where(IdempotencyRecord.key == key).with_for_update()
                )
            ).scalar_one_or_none()
            if record is None:
                return None
            if not record.completed and record.holder == holder:
                return claimed  # our own claim, committed by a call whose answer was lost
            expired = record.expires_at <= now
            alive_at = record.heartbeat_at or record.claimed_at
            abandoned = not record.completed and alive_at <= now - self.stale
            if expired or abandoned:
                if abandoned and not expired:
                    log.warning("taking over an abandoned idempotency claim")
                record.request_hash = request_hash
                record.completed = False
                record.response_status = None
                record.response_body = None
                record.claimed_at = now
                record.holder = holder
                record.heartbeat_at = now
                record.expires_at = now + self.ttl
                return claimed
            if record.request_hash != request_hash:
                return Claim(ClaimOutcome.REUSED)
            if not record.completed:
                return Claim(ClaimOutcome.IN_USE)
            return Claim(ClaimOutcome.REPLAY, record.response_status, record.response_body)

    @staticmethod
    async def complete_in(
        session: AsyncSession, key: str, holder: str, status: int, body: bytes
    ) -> None:
        """Store the response inside the request's own transaction; ``ClaimLost`` if the
        claim is no longer this request's."""
        result = await session.execute(
            update(IdempotencyRecord)
            .where(
                IdempotencyRecord.key == key,
                IdempotencyRecord.holder == holder,
                IdempotencyRecord.completed.is_(False),
            )
            .values(completed=True, response_status=status, response_body=body)
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            raise ClaimLost(key)

    async def complete(
        self, tenant_id: str, key: str, holder: str, status: int, body: bytes
    ) -> None:
        with contextlib.suppress(ClaimLost):  # a 4xx changed nothing: nothing to undo
            async with self.db.session(tenant_id=tenant_id) as session, session.begin():
                await self.complete_in(session, key, holder, status, body)

    async def release(self, tenant_id: str, key: str, holder: str) -> None:
        try:
            await self._release(tenant_id, key, holder)
        except Exception as error:
            if not is_transient(error):
                raise
            await self._release(tenant_id, key, holder)  # once more, on a fresh connection

    async def _release(self, tenant_id: str, key: str, holder: str) -> None:
        async with self.db.session(tenant_id=tenant_id) as session, session.begin():
            await session.execute(
                delete(IdempotencyRecord).where(
                    IdempotencyRecord.key == key,
                    IdempotencyRecord.holder == holder,
                    IdempotencyRecord.completed.is_(False),
                )
            )

    async def committed(self, tenant_id: str, key: str, holder: str) -> bool | None:
        """After COMMIT's answer was lost: did the request's transaction commit? Its stored
        response says so, as it was written in that transaction. The row lock waits for the
        transaction if its server process still runs it. None when that cannot be told."""
        record = None
        for attempt in (1, 2):
            try:
                record = await self._locked_record(tenant_id, key)
                break
            except Exception as error:
                if attempt == 2 or not is_transient(error):
                    log.warning("could not tell whether a commit happened", exc_info=True)
                    return None
        if record is None or record.holder != holder:
            return None  # purged or taken over: no proof either way
        return record.completed

    async def _locked_record(self, tenant_id: str, key: str) -> IdempotencyRecord | None:
        async with self.db.session(tenant_id=tenant_id) as session, session.begin():
            if session.get_bind().dialect.name == "postgresql":
                await session.execute(text("SET LOCAL lock_timeout = '5s'"))
            return (
                await session.execute(
                    select(IdempotencyRecord).where(IdempotencyRecord.key == key).with_for_update()
                )
            ).scalar_one_or_none()

    async def heartbeat(self) -> None:
        """Tell other processes that this one's claims are still being worked on."""
        held = list(self.held)
        if not held:
            return
        async with self.db.session() as session, session.begin():
            await session.execute(
                update(IdempotencyRecord)
                .where(
                    tuple_(
                        IdempotencyRecord.tenant_id,
                        IdempotencyRecord.key,
                        IdempotencyRecord.holder,
                    ).in_(held),
                    IdempotencyRecord.completed.is_(False),
                )
                .values(heartbeat_at=utcnow())
                .execution_options(all_tenants=True, synchronize_session=False)
            )

    async def run_heartbeats(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.heartbeat()
            except Exception:
                log.warning("idempotency heartbeat failed", exc_info=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.heartbeat_seconds)

    async def purge_expired(self) -> int:
        async with self.db.session() as session, session.begin():
            result = await session.execute(
                delete(IdempotencyRecord)
                .where(IdempotencyRecord.expires_at <= utcnow())
                .execution_options(all_tenants=True)
            )
            return int(result.rowcount or 0)  # type: ignore[attr-defined]
