"""The event outbox and the per-tenant event sequence.

Every state change appends an event in the transaction that makes the change. Events are
numbered per tenant by a counter row that is incremented as the transaction's *last* write
(``commit`` below), so the row lock is held only from that point to COMMIT, and a transaction
can take number N+1 only after the one holding N has committed. Hence ``seq`` order is commit
order, and a reader that has seen ``seq = N`` has seen every event numbered below N.
See docs/adr/0001-event-sequence.md.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Index,
    String,
    bindparam,
    func,
    insert,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from tillpoint.core.db import Base, TenantScoped, dialect_insert, table_of, utcnow
from tillpoint.core.ids import new_id


class Event(TenantScoped, Base):
    __tablename__ = "events"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    id: Mapped[str] = mapped_column(String(40), unique=True)
    type: Mapped[str] = mapped_column(String(80))
    occurred_at: Mapped[datetime]
    subject_id: Mapped[str | None] = mapped_column(String(40))
    location_id: Mapped[str | None] = mapped_column(String(40))
    data: Mapped[dict[str, Any]]

    __table_args__ = (Index("ix_events_tenant_type_seq", "tenant_id", "type", "seq"),)


class EventCounter(Base):
    """The last event number handed out, per tenant. Locked by each writer just before COMMIT."""

    __tablename__ = "event_counters"

    tenant_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger)


@dataclass
class PendingEvent:
    tenant_id: str
    type: str
    data: dict[str, Any]
    subject_id: str | None = None
    location_id: str | None = None
    id: str = field(default_factory=lambda: new_id("event"))
    occurred_at: datetime = field(default_factory=utcnow)


def record_event(
    session: AsyncSession,
    type: str,
    data: dict[str, Any],
    *,
    subject_id: str | None = None,
    location_id: str | None = None,
    tenant_id: str | None = None,
) -> PendingEvent:
    """Append an event to this transaction; it is numbered and written at commit."""
    tenant = tenant_id or session.info.get("tenant_id")
    if tenant is None:
        raise RuntimeError("an event needs a tenant")
    pending = PendingEvent(tenant, type, data, subject_id, location_id)
    session.info.setdefault("pending_events", []).append(pending)
    return pending


def record_change(
    session: AsyncSession,
    event_type: str,
    shape: type[BaseModel],
    row: Any,
    *,
    location_id: str | None = None,
) -> PendingEvent:
    """An event about ``row`` whose data is the resource as the API shows it (``shape``)."""
    data = shape.model_validate(row).model_dump(mode="json", by_alias=True)
    return record_event(session, event_type, data, subject_id=row.id, location_id=location_id)


def pending_events(session: AsyncSession) -> list[PendingEvent]:
    return list(session.info.get("pending_events", []))


async def commit(session: AsyncSession) -> list[PendingEvent]:
    """The one place a transaction commits: write pending events last, then COMMIT.

    Returns the events that became visible with this commit.
    """
    pending: list[PendingEvent] = session.info.pop("pending_events", [])
    await session.flush()
    if pending:
        await _write_events(session, pending)
    await session.commit()
    if pending:
        _notify_committed({ev.tenant_id for ev in pending})
    return pending


# Called after a COMMIT that made events visible, with their tenants: a cheap in-process
# wake-up for live readers (the event stream), which otherwise poll. Never part of delivery.
_commit_listeners: list[Callable[[set[str]], None]] = []


def on_events_committed(listener: Callable[[set[str]], None]) -> None:
    _commit_listeners.append(listener)


def _notify_committed(tenant_ids: set[str]) -> None:
    for listener in _commit_listeners:
        try:
            listener(tenant_ids)
        except Exception:  # the commit has happened; a listener must not turn it into an error
            logging.getLogger(__name__).exception("event commit listener failed")


def discard_pending(session: AsyncSession) -> None:
    session.info.pop("pending_events", None)


async def _write_events(session: AsyncSession, pending: list[PendingEvent]) -> None:
    by_tenant: dict[str, list[PendingEvent]] = {}
    for ev in pending:
        by_tenant.setdefault(ev.tenant_id, []).append(ev)
    # Lock counters in a stable order so two multi-tenant transactions cannot deadlock.
    for tenant_id in sorted(by_tenant):
        events = by_tenant[tenant_id]
        last = await _advance_counter(session, tenant_id, len(events))
        first = last - len(events) + 1
        # Core INSERT on the table, one multi-row statement: this runs with every write.
        await session.execute(
            insert(table_of(Event)),
            [
                {
                    "tenant_id": tenant_id,
                    "seq": first + i,
                    "id": ev.id,
                    "type": ev.type,
                    "occurred_at": ev.occurred_at,
                    "subject_id": ev.subject_id,
                    "location_id": ev.location_id,
                    "data": ev.data,
                }
                for i, ev in enumerate(events)
            ],
        )


async def _advance_counter(session: AsyncSession, tenant_id: str, count: int) -> int:
    stmt = _counter_upserts.get(session.get_bind().dialect.name)
    if stmt is None:
        counters = table_of(EventCounter)
        stmt = (
            dialect_insert(session)(counters)
            .values(tenant_id=bindparam("tenant"), last_seq=bindparam("count"))
            .on_conflict_do_update(
                index_elements=[counters.c.tenant_id],
                set_={"last_seq": counters.c.last_seq + bindparam("count")},
            )
            .returning(counters.c.last_seq)
        )
        _counter_upserts[session.get_bind().dialect.name] = stmt
    result = await session.execute(stmt, {"tenant": tenant_id, "count": count})
    return int(result.scalar_one())


# Built once per dialect: this statement runs in every transaction that changes something.
_counter_upserts: dict[str, Any] = {}


def type_condition(types: list[str]) -> ColumnElement[bool]:
    """Events whose type is one of ``types``; ``order.*`` matches a prefix, ``*`` everything."""
    exact = [t for t in types if not t.endswith("*")]
    prefixes = [t[:-1] for t in types if t.endswith("*")]
    conditions: list[ColumnElement[bool]] = [Event.type.in_(exact)] if exact else []
    conditions += [Event.type.startswith(p, autoescape=True) for p in prefixes]
    return or_(*conditions)


@dataclass
class EventPage:
    events: list[Event]
    next_after: int
    has_more: bool


async def read_events(
    session: AsyncSession,
    *,
    after: int,
    limit: int,
    types: list[str] | None = None,
    location_ids: list[str] | None = None,
) -> EventPage:
    """Events with ``seq > after`` in order. ``next_after`` also skips events filtered out."""
    # Read the high-water mark first: every event numbered up to it is already committed, so
    # scanning up to it and no further can never step over an event that commits later.
    high_water = (await session.execute(select(func.max(Event.seq)))).scalar_one() or 0
    stmt = select(Event).where(Event.seq > after, Event.seq <= high_water)
    if types:
        stmt = stmt.where(type_condition(types))
    if location_ids is not None:
        stmt = stmt.where(Event.location_id.in_(location_ids))
    rows = list((await session.execute(stmt.order_by(Event.seq).limit(limit + 1))).scalars())
    has_more = len(rows) > limit
    rows = rows[:limit]
    next_after = rows[-1].seq if has_more else max(after, high_water)
    return EventPage(rows, next_after, has_more)
