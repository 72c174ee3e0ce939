"""Merging two profiles of one person: the survivor keeps its own fields, fills its gaps from
the other, and takes over everything recorded about it; the other is retired with
``merged_into`` naming the survivor, so its id keeps answering (with the survivor).

Combined sensibly: names, email, phone and birthday the survivor lacks come from the other;
an email or phone both have (they differ: each is unique) is kept in the survivor's notes;
tags are the union, notes are joined, addresses are the survivor's followed by the other's
that differ; consent history moves over, and the survivor's current consent is the later of
the two. Then each other domain's records (orders, and later store credit and loyalty) move
through ``CustomerRecords.move`` (records.py), in the same transaction. The retired row keeps no
personal field (the survivor holds them all), so erasing the survivor erases the person.
"""

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.core.auth import Principal
from tillpoint.core.db import check_version, utcnow
from tillpoint.core.errors import AppError, field_error
from tillpoint.core.events import record_event
from tillpoint.customers.models import Customer, CustomerConsent
from tillpoint.customers.records import RecordsList
from tillpoint.customers.schemas import CustomerOut, MergeIn
from tillpoint.customers.service import (
    clear_personal_fields,
    customer_to_change,
    customer_view,
    set_email,
    set_names,
    set_tags,
    tags_of,
)


def _combine_fields(survivor: Customer, other: Customer) -> None:
    set_names(
        survivor, survivor.first_name or other.first_name, survivor.last_name or other.last_name
    )
    also = []
    if survivor.email is None:
        set_email(survivor, other.email)
    elif other.email is not None:
        also.append(f"email {other.email}")
    if survivor.phone is None:
        survivor.phone, survivor.phone_national = other.phone, other.phone_national
    elif other.phone is not None:
        also.append(f"phone {other.phone}")
    survivor.birthday = survivor.birthday or other.birthday
    notes = [n for n in (survivor.notes, other.notes) if n]
    if also:
        notes.append(f"Also reached by {' and '.join(also)} (merged from {other.id}).")
    survivor.notes = "\n".join(notes)[:4000]
    survivor.addresses = survivor.addresses + [
        a for a in other.addresses if a not in survivor.addresses
    ]
    ours, theirs = survivor.marketing_consent, other.marketing_consent
    if theirs is not None and (ours is None or theirs["at"] > ours["at"]):
        survivor.marketing_opt_in = other.marketing_opt_in
        survivor.marketing_consent = theirs


PROFILE = (
    "id",
    "first_name",
    "last_name",
    "email",
    "email_key",
    "phone",
    "phone_national",
    "birthday",
    "notes",
    "addresses",
    "marketing_opt_in",
    "marketing_consent",
)


def _profile(customer: Customer) -> Customer:
    """A detached copy of the personal fields (never added to the session)."""
    return Customer(**{name: getattr(customer, name) for name in PROFILE})


def _retire(other: Customer, survivor_id: str) -> None:
    """The merged-away row: only its id, dates and where it went remain."""
    other.merged_into = survivor_id
    clear_personal_fields(other)
    other.updated_at = utcnow()


async def merge_customers(
    session: AsyncSession,
    principal: Principal,
    survivor_id: str,
    data: MergeIn,
    records: RecordsList,
) -> CustomerOut:
    if data.merge_customer_id == survivor_id:
        raise field_error("mergeCustomerId", "a customer cannot be merged into itself")
    # Both rows locked in id order, so two merges of the same pair cannot deadlock.
    rows = {}
    for customer_id in sorted([survivor_id, data.merge_customer_id]):
        try:
            rows[customer_id] = await customer_to_change(session, customer_id)
        except AppError as exc:
            if customer_id == data.merge_customer_id and exc.code == "NOT_FOUND":
                raise field_error("mergeCustomerId", "no customer has this id") from None
            raise
    survivor, other = rows[survivor_id], rows[data.merge_customer_id]
    check_version(survivor, data.version)
    tags = await tags_of(session, [survivor.id, other.id])
    # The retired row gives up its email and phone (unique) before the survivor takes them.
    taken = _profile(other)
    _retire(other, survivor.id)
    await session.flush()
    _combine_fields(survivor, taken)
    survivor.updated_at = utcnow()
    await set_tags(session, survivor, tags[survivor.id] + tags[other.id])
    await set_tags(session, other, [])
    await session.execute(
        update(CustomerConsent)
        .where(CustomerConsent.customer_id == other.id)
        .values(customer_id=survivor.id)
    )
    # Customers merged into the retired one earlier now point at the survivor (no chains).
    await session.execute(
        update(Customer)
        .where(Customer.merged_into == other.id)
        .values(merged_into=survivor.id)
        .execution_options(synchronize_session=False)
    )
    moved = {}
    for kind in records:
        moved[kind.section] = await kind.move(session, principal, other.id, survivor.id)
    await session.flush()
    view = await customer_view(session, survivor)
    data_out = view.model_dump(mode="json", by_alias=True)
    data_out |= {"mergedCustomerId": other.id, "moved": moved}
    record_event(session, "customer.merged", data_out, subject_id=survivor.id)
    return view
