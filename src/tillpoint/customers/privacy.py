"""A person's rights over their data: everything held about them (export) and its erasure.

Erasure anonymises the person, not the books: the customer row keeps its id, dates and
``erased`` mark, and the orders (and later store credit and loyalty ledgers) keep pointing at
it with their amounts unchanged. What goes: names, email, phone, addresses, birthday, notes,
tags and the consent history — of the customer and of every profile merged into it — and the
copies of them Tillpoint made: the data of the ``customer.*`` events about them (the feed,
the stream and webhooks read events from there; each keeps only ``customerId`` and
``erased: true``) and the stored replies of requests sent with an ``Idempotency-Key``. The
``customer.erased`` event carries ids only; the audit log records the erasure (it never held
personal fields: ids, routes and event ids).
"""

from collections.abc import Sequence

import orjson
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.core.auth import Principal
from tillpoint.core.db import utcnow
from tillpoint.core.errors import not_found
from tillpoint.core.events import Event, record_event
from tillpoint.core.idempotency import IdempotencyRecord
from tillpoint.customers.models import Customer, CustomerConsent, CustomerTag
from tillpoint.customers.records import RecordsList
from tillpoint.customers.schemas import CustomerExport, CustomerOut
from tillpoint.customers.service import (
    clear_personal_fields,
    consent_out,
    customer_view,
    find_customer,
)

CUSTOMER_EVENTS = "customer.%"


async def merged_into(session: AsyncSession, customer_id: str) -> list[Customer]:
    """The customers merged into this one."""
    stmt = select(Customer).where(Customer.merged_into == customer_id).order_by(Customer.id)
    return list((await session.execute(stmt)).scalars())


async def export_customer(
    session: AsyncSession, principal: Principal, customer_id: str, records: RecordsList
) -> CustomerExport:
    customer = await find_customer(session, customer_id)
    if customer is not None and customer.merged_into is not None:
        customer = await find_customer(session, customer.merged_into)
    if customer is None:
        raise not_found("Customer")
    merged = [c.id for c in await merged_into(session, customer.id)]
    consents = await session.execute(
        select(CustomerConsent)
        .where(CustomerConsent.customer_id == customer.id)
        .order_by(CustomerConsent.occurred_at, CustomerConsent.id)
    )
    ids = [customer.id, *merged]
    sections = {kind.section: await kind.export(session, principal, ids) for kind in records}
    return CustomerExport(
        exported_at=utcnow(),
        customer=await customer_view(session, customer),
        merged_customer_ids=merged,
        consent_history=[consent_out(c) for c in consents.scalars()],
        orders=sections.get("orders"),
        store_credit=sections.get("storeCredit"),
        loyalty=sections.get("loyalty"),
        gift_cards=sections.get("giftCards"),
    )


async def _scrub_events(session: AsyncSession, customer_ids: Sequence[str]) -> None:
    for customer_id in customer_ids:
        await session.execute(
            update(Event)
            .where(Event.subject_id == customer_id, Event.type.like(CUSTOMER_EVENTS))
            .values(data={"customerId": customer_id, "erased": True})
            .execution_options(synchronize_session=False)
        )


async def _scrub_stored_replies(session: AsyncSession, customer_ids: Sequence[str]) -> None:
    """Stored idempotent replies that name the customer (a create, a merge) are replaced by
    ``{customerId, erased: true}``: a retry within 24 h gets that instead of the profile."""
    stmt = select(IdempotencyRecord.key, IdempotencyRecord.response_body).where(
        IdempotencyRecord.response_body.is_not(None)
    )
    for key, body in (await session.execute(stmt)).all():
        named = [i for i in customer_ids if body is not None and i.encode() in body]
        if named:
            await session.execute(
                update(IdempotencyRecord)
                .where(IdempotencyRecord.key == key)
                .values(response_body=orjson.dumps({"customerId": named[0], "erased": True}))
                .execution_options(synchronize_session=False)
            )


async def erase_customer(
    session: AsyncSession, principal: Principal, customer: Customer
) -> CustomerOut:
    """Anonymise the person (``customer``, locked by the caller, and those merged into it)."""
    del principal  # the audit entry names who erased; nothing here depends on it
    people = [customer, *await merged_into(session, customer.id)]
    ids = [c.id for c in people]
    now = utcnow()
    for person in people:
        clear_personal_fields(person)
        person.updated_at = now
    customer.erased_at = now
    customer.archived_at = customer.archived_at or now
    await session.execute(delete(CustomerTag).where(CustomerTag.customer_id.in_(ids)))
    await session.execute(delete(CustomerConsent).where(CustomerConsent.customer_id.in_(ids)))
    await session.flush()
    await _scrub_events(session, ids)
    await _scrub_stored_replies(session, ids)
    record_event(session, "customer.erased", {"customerId": customer.id}, subject_id=customer.id)
    return await customer_view(session, customer)
