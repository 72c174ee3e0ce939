"""The event outbox and the per-tenant event sequence.

Every state change appends an event in the transaction that makes the change. Events are
numbered per tenant by a counter row that is incremented as the transaction's *last* write
(``write_events``, called by ``commit`` in core/transactions.py), so the row lock is held only
from that point to COMMIT, and a transaction can take number N+1 only after the one holding N
has committed. Hence ``seq`` order is commit order, and a reader that has seen ``seq = N`` has
seen every event numbered below N.
See docs/adr/0001-event-sequence.md.
"""

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import (
    BigInteger,
    BindParameter,
    ColumnElement,
    DateTime,
    Index,
    Select,
    String,
    Table,
    Text,
    bindparam,
    func,
    insert,
    or_,
    select,
    text,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from tillpoint.core.db import Base, TenantScoped, dialect_insert, json_text, table_of, utcnow
from tillpoint.core.driver import DriverStatement
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


@dataclass
class HeldEvents:
    """Events a transaction keeps in a table of its own instead of in memory (a CSV import's
    thousands): ``count`` of them for ``tenant_id``, numbered at commit under the same counter
    lock, after the tenant's events in memory. ``write(session, first_seq)`` inserts them into
    ``events`` numbered from ``first_seq``."""

    tenant_id: str
    count: int
    write: Callable[[AsyncSession, int], Awaitable[None]]


def hold_events(session: AsyncSession, held: HeldEvents) -> None:
    session.info.setdefault("held_events", []).append(held)


def held_tenants(session: AsyncSession) -> set[str]:
    """The tenants whose events the transaction holds in a table (``HeldEvents``)."""
    return {h.tenant_id for h in session.info.get("held_events", []) if h.count}


def drop_held(session: AsyncSession, held: HeldEvents | None = None) -> None:
    """Forget ``held`` (its rows were rolled back), or every holder when None."""
    holders: list[HeldEvents] = session.info.get("held_events", [])
    holders[:] = [h for h in holders if held is not None and h is not held]


def pending_events(session: AsyncSession) -> list[PendingEvent]:
    return list(session.info.get("pending_events", []))


def take_pending(
    session: AsyncSession,
) -> tuple[list[PendingEvent], list[tuple[Table, dict[str, Any]]]]:
    """The events and rows queued for commit, removed from the session: ``commit``
    (core.transactions) writes them, a rollback drops them."""
    pending: list[PendingEvent] = session.info.pop("pending_events", [])
    rows: list[tuple[Table, dict[str, Any]]] = session.info.pop("pending_rows", [])
    return pending, rows


# Called after a COMMIT that made events visible, with their tenants: a cheap in-process
# wake-up for live readers (the event stream), which otherwise poll. Never part of delivery.
_commit_listeners: list[Callable[[set[str]], None]] = []


def on_events_committed(listener: Callable[[set[str]], None]) -> None:
    _commit_listeners.append(listener)


def notify_committed(tenant_ids: set[str]) -> None:
    for listener in _commit_listeners:
        try:
            listener(tenant_ids)
        except Exception:  # the commit has happened; a listener must not turn it into an error
            logging.getLogger(__name__).exception("event commit listener failed")


def insert_at_commit(session: AsyncSession, table: Table, row: dict[str, Any]) -> None:
    """Insert ``row`` into ``table`` when the transaction commits, just before its events (on
    PostgreSQL in the same statement as them: a round trip less per write request)."""
    session.info.setdefault("pending_rows", []).append((table, row))


async def write_events(
    session: AsyncSession,
    pending: list[PendingEvent],
    rows: list[tuple[Table, dict[str, Any]]] | None = None,
) -> None:
    """Number and insert ``pending`` tenant by tenant, each under its counter row's lock, after
    the queued ``rows``: the transaction's last writes before COMMIT (ADR 0001)."""
    by_tenant: dict[str, list[PendingEvent]] = {}
    for ev in pending:
        by_tenant.setdefault(ev.tenant_id, []).append(ev)
    postgresql = session.get_bind().dialect.name == "postgresql"
    rows = rows or []
    if not postgresql or len(rows) > 1 or not by_tenant:
        for table, row in rows:
            await _insert_into(table).insert_rows(session, [row])
        rows = []
    # Lock counters in a stable order so two multi-tenant transactions cannot deadlock.
    for tenant_id in sorted(by_tenant):
        events = by_tenant[tenant_id]
        if postgresql:
            await _append_in_one_statement(session, tenant_id, events, rows[:1])
            rows = []
            continue
        last = await _advance_counter(session, tenant_id, len(events))
        first = last - len(events) + 1
        # Core INSERT on the table, one driver call: this runs with every write.
        await _insert_into(table_of(Event)).insert_rows(
            session,
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
    # Held events (``HeldEvents``) last, each after its tenant's events in memory, whose
    # counter row this transaction already holds.
    held: list[HeldEvents] = session.info.pop("held_events", [])
    for holder in held:
        if holder.count:
            last = await _advance_counter(session, holder.tenant_id, holder.count)
            await holder.write(session, last - holder.count + 1)


# On PostgreSQL the counter's advance and the events' insert are one statement, so the
# counter row is held for one round trip less: from this statement to COMMIT. A row queued by
# ``insert_at_commit`` (the request's audit entry) is inserted by the same statement.
_APPEND_EVENTS = """
    WITH counter AS (
        INSERT INTO event_counters (tenant_id, last_seq) VALUES (:tenant, :count)
        ON CONFLICT (tenant_id) DO UPDATE SET last_seq = event_counters.last_seq + :count
        RETURNING last_seq
    ){extra}
    INSERT INTO events (tenant_id, seq, id, type, occurred_at, subject_id, location_id, data)
    SELECT :tenant, counter.last_seq - :count + e.n, e.id, e.type, e.occurred_at,
           e.subject_id, e.location_id, CAST(e.data AS JSONB)
    FROM counter,
         unnest(:ids, :types, :occurred, :subjects, :locations, :data)
             WITH ORDINALITY AS e(id, type, occurred_at, subject_id, location_id, data, n)
"""
_APPEND_PARAMS: tuple[BindParameter[Any], ...] = (
    bindparam("tenant", type_=String),
    bindparam("count", type_=BigInteger),
    bindparam("ids", type_=postgresql.ARRAY(String)),
    bindparam("types", type_=postgresql.ARRAY(String)),
    bindparam("occurred", type_=postgresql.ARRAY(DateTime(timezone=True))),
    bindparam("subjects", type_=postgresql.ARRAY(String)),
    bindparam("locations", type_=postgresql.ARRAY(String)),
    bindparam("data", type_=postgresql.ARRAY(Text)),
)
# Built once per shape: (None, ()) for events alone, else (table name, its columns given).
_appends: dict[tuple[str | None, tuple[str, ...]], DriverStatement] = {}


def _append_statement(row: tuple[Table, dict[str, Any]] | None) -> DriverStatement:
    key = (row[0].name, tuple(row[1])) if row else (None, ())
    stmt = _appends.get(key)
    if stmt is None:
        extra, params = "", [*_APPEND_PARAMS]
        if row is not None:
            table, names = row[0], key[1]
            extra = (
                f", row_insert AS (INSERT INTO {table.name} ({', '.join(names)}) "
                f"VALUES ({', '.join(f':row_{name}' for name in names)}))"
            )
            params += [bindparam(f"row_{n}", type_=table.c[n].type) for n in names]
        statement = text(_APPEND_EVENTS.format(extra=extra)).bindparams(*params)
        stmt = _appends[key] = DriverStatement(statement)
    return stmt


async def _append_in_one_statement(
    session: AsyncSession,
    tenant_id: str,
    events: list[PendingEvent],
    rows: list[tuple[Table, dict[str, Any]]],
) -> None:
    row = rows[0] if rows else None
    params = {
        "tenant": tenant_id,
        "count": len(events),
        "ids": [ev.id for ev in events],
        "types": [ev.type for ev in events],
        "occurred": [ev.occurred_at for ev in events],
        "subjects": [ev.subject_id for ev in events],
        "locations": [ev.location_id for ev in events],
        "data": [json_text(ev.data) for ev in events],
    }
    if row is not None:
        params.update({f"row_{name}": value for name, value in row[1].items()})
    await _append_statement(row).rows(session, params)


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
        stmt = _counter_upserts[session.get_bind().dialect.name] = DriverStatement(stmt)
    [(last,)] = await stmt.rows(session, {"tenant": tenant_id, "count": count})
    return int(last)


# Built once per dialect: this statement runs in every transaction that changes something.
_counter_upserts: dict[str, DriverStatement] = {}


def _insert_into(table: Table) -> DriverStatement:
    """The INSERT into ``table``, built once."""
    found = _inserts.get(table.name)
    if found is None:
        found = _inserts[table.name] = DriverStatement(insert(table))
    return found


_inserts: dict[str, DriverStatement] = {}


def type_condition(types: list[str]) -> ColumnElement[bool]:
    """Events whose type is one of ``types``; ``order.*`` matches a prefix, ``*`` everything."""
    exact = [t for t in types if not t.endswith("*")]
    prefixes = [t[:-1] for t in types if t.endswith("*")]
    conditions: list[ColumnElement[bool]] = [Event.type.in_(exact)] if exact else []
    conditions += [Event.type.startswith(p, autoescape=True) for p in prefixes]
    return or_(*conditions)


def high_water_query() -> Select[int | None]:
    """The highest committed event number of the tenant in scope (NULL before its first): the
    session's tenant, or a ``WHERE`` the caller adds to correlate it in a statement over several
    tenants. Numbers are taken in commit order (ADR 0001), so every event numbered up to it is
    committed: a reader may scan up to it and never step over an event still in flight."""
    return select(func.max(Event.seq))


async def high_water(session: AsyncSession) -> int:
    """The session's tenant's high-water mark (``high_water_query``); 0 before its first event.
    Where the feed may read up to, and where "from now" starts."""
    return (await session.execute(high_water_query())).scalar_one() or 0


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
    high = await high_water(session)
    stmt = select(Event).where(Event.seq > after, Event.seq <= high)
    if types:
        stmt = stmt.where(type_condition(types))
    if location_ids is not None:
        stmt = stmt.where(Event.location_id.in_(location_ids))
    rows = list((await session.execute(stmt.order_by(Event.seq).limit(limit + 1))).scalars())
    has_more = len(rows) > limit
    rows = rows[:limit]
    next_after = rows[-1].seq if has_more else max(after, high)
    return EventPage(rows, next_after, has_more)
