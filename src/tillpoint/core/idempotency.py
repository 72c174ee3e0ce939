"""Idempotency-Key: a POST retried with the same key gets the first response, not a second effect.

A key is claimed in its own short transaction before the request runs, so a concurrent
duplicate sees the claim and gets 409 ``IDEMPOTENCY_KEY_IN_USE``. A successful response is
stored in the *same* transaction as the request's changes (so a crash cannot leave one without
the other); a 4xx response is stored afterwards; a 5xx releases the key so the client may retry.
Keys are scoped to the tenant and kept for 24 hours.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import orjson
from sqlalchemy import LargeBinary, String, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from tillpoint.core.db import Base, Database, TenantScoped, dialect_insert, utcnow

MAX_KEY_LENGTH = 255


class IdempotencyRecord(TenantScoped, Base):
    __tablename__ = "idempotency_keys"

    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    completed: Mapped[bool] = mapped_column(default=False)
    response_status: Mapped[int | None]
    response_body: Mapped[bytes | None] = mapped_column(LargeBinary)
    claimed_at: Mapped[datetime]
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
    def __init__(self, db: Database, ttl_seconds: int, stale_seconds: int) -> None:
        self.db = db
        self.ttl = timedelta(seconds=ttl_seconds)
        self.stale = timedelta(seconds=stale_seconds)

    async def claim(self, tenant_id: str, key: str, request_hash: str) -> Claim:
        # A record released or purged between our INSERT and SELECT is simply claimed anew.
        for _ in range(5):
            claim = await self._try_claim(tenant_id, key, request_hash)
            if claim is not None:
                return claim
        return Claim(ClaimOutcome.IN_USE)

    async def _try_claim(self, tenant_id: str, key: str, request_hash: str) -> Claim | None:
        now = utcnow()
        async with self.db.session(tenant_id=tenant_id) as session, session.begin():
            inserted = await session.execute(
                dialect_insert(session)(IdempotencyRecord)
                .values(
                    tenant_id=tenant_id,
                    key=key,
                    request_hash=request_hash,
                    completed=False,
                    claimed_at=now,
                    expires_at=now + self.ttl,
                )
                .on_conflict_do_nothing()
                .returning(IdempotencyRecord.key)
            )
            if inserted.first() is not None:
                return Claim(ClaimOutcome.CLAIMED)
            record = (
                await session.execute(
                    select(IdempotencyRecord).where(IdempotencyRecord.key == key).with_for_update()
                )
            ).scalar_one_or_none()
            if record is None:
                return None
            expired = record.expires_at <= now
            abandoned = not record.completed and record.claimed_at <= now - self.stale
            if expired or abandoned:
                record.request_hash = request_hash
                record.completed = False
                record.response_status = None
                record.response_body = None
                record.claimed_at = now
                record.expires_at = now + self.ttl
                return Claim(ClaimOutcome.CLAIMED)
            if record.request_hash != request_hash:
                return Claim(ClaimOutcome.REUSED)
            if not record.completed:
                return Claim(ClaimOutcome.IN_USE)
            return Claim(ClaimOutcome.REPLAY, record.response_status, record.response_body)

    @staticmethod
    async def complete_in(session: AsyncSession, key: str, status: int, body: bytes) -> None:
        """Store the response inside the request's own transaction."""
        await session.execute(
            update(IdempotencyRecord)
            .where(IdempotencyRecord.key == key)
            .values(completed=True, response_status=status, response_body=body)
        )

    async def complete(self, tenant_id: str, key: str, status: int, body: bytes) -> None:
        async with self.db.session(tenant_id=tenant_id) as session, session.begin():
            await self.complete_in(session, key, status, body)

    async def release(self, tenant_id: str, key: str) -> None:
        async with self.db.session(tenant_id=tenant_id) as session, session.begin():
            await session.execute(
                delete(IdempotencyRecord).where(
                    IdempotencyRecord.key == key, IdempotencyRecord.completed.is_(False)
                )
            )

    async def purge_expired(self) -> int:
        async with self.db.session() as session, session.begin():
            result = await session.execute(
                delete(IdempotencyRecord)
                .where(IdempotencyRecord.expires_at <= utcnow())
                .execution_options(all_tenants=True)
            )
            return int(result.rowcount or 0)  # type: ignore[attr-defined]
