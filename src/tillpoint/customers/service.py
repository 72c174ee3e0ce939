"""Customers: create, read, change and archive profiles; duplicates by email and phone.

A customer merged into another (``merged_into``) answers reads with the survivor and refuses
writes; an erased one keeps its id and its orders but no personal field.
"""

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from sqlalchemy import delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.core.auth import Principal
from tillpoint.core.db import check_version, get_by_id, unchanged, utcnow
from tillpoint.core.errors import AppError, field_error, not_found, status_detail
from tillpoint.core.events import record_event
from tillpoint.core.ids import has_prefix, new_id
from tillpoint.customers.models import Customer, CustomerConsent, CustomerTag
from tillpoint.customers.phones import home_region, normalise_phone
from tillpoint.customers.schemas import (
    ConsentOut,
    CustomerIn,
    CustomerOut,
    CustomerUpdate,
    MarketingConsentIn,
)
from tillpoint.stores.models import Location


async def tags_of(session: AsyncSession, customer_ids: Sequence[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {i: [] for i in customer_ids}
    if customer_ids:
        stmt = (
            select(CustomerTag.customer_id, CustomerTag.tag)
            .where(CustomerTag.customer_id.in_(customer_ids))
            .order_by(CustomerTag.customer_id, CustomerTag.tag)
        )
        for customer_id, tag in await session.execute(stmt):
            found[customer_id].append(tag)
    return found


def customer_out(
    customer: Customer, tags: list[str], merged_into: str | None = None
) -> CustomerOut:
    consent = customer.marketing_consent
    return CustomerOut(
        customer_id=customer.id,
        first_name=customer.first_name,
        last_name=customer.last_name,
        email=customer.email,
        phone=customer.phone,
        addresses=customer.addresses,  # type: ignore[arg-type]  # validated from stored JSON
        birthday=customer.birthday,
        notes=customer.notes,
        tags=tags,
        marketing_opt_in=customer.marketing_opt_in,
        marketing_consent=ConsentOut.model_validate(consent) if consent else None,
        archived=customer.archived_at is not None,
        erased=customer.erased_at is not None,
        merged_into=merged_into,
        version=customer.version,
        created_at=customer.created_at,
        updated_at=customer.updated_at,
    )


async def customer_view(
    session: AsyncSession, customer: Customer, merged_into: str | None = None
) -> CustomerOut:
    return customer_out(customer, (await tags_of(session, [customer.id]))[customer.id], merged_into)


def record_customer_event(session: AsyncSession, event_type: str, view: CustomerOut) -> None:
    data = view.model_dump(mode="json", by_alias=True)
    record_event(session, event_type, data, subject_id=view.customer_id)


async def find_customer(
    session: AsyncSession, customer_id: str, *, lock: bool = False
) -> Customer | None:
    """The customer row with this id in the tenant, merged-away or not; None when unknown."""
    if not has_prefix(customer_id, "customer"):
        return None
    stmt = select(Customer).where(Customer.id == customer_id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()


async def get_customer(session: AsyncSession, customer_id: str) -> CustomerOut:
    """The customer; a merged-away id answers with its survivor, ``mergedInto`` naming it."""
    customer = await find_customer(session, customer_id)
    if customer is None:
        raise not_found("Customer")
    if customer.merged_into is None:
        return await customer_view(session, customer)
    survivor = await find_customer(session, customer.merged_into)
    if survivor is None:  # merges flatten chains, so the survivor is always there
        raise not_found("Customer")
    return await customer_view(session, survivor, merged_into=survivor.id)


async def customer_to_change(session: AsyncSession, customer_id: str) -> Customer:
    """The customer row locked for a write; 404 when unknown, 409 once merged or erased."""
    customer = await find_customer(session, customer_id, lock=True)
    if customer is None:
        raise not_found("Customer")
    if customer.merged_into is not None:
        detail = status_detail("customer", "merged") | {"mergedInto": customer.merged_into}
        raise AppError("INVALID_STATUS", "The customer was merged into another.", details=[detail])
    if customer.erased_at is not None:
        raise AppError("INVALID_STATUS", details=[status_detail("customer", "erased")])
    return customer


async def balance_holder(session: AsyncSession, customer_id: str) -> str:
    """The customer whose balances (points, store credit) ``customer_id`` names: a merged-away
    id gives its survivor, which holds them since the merge; 404 for no customer of the
    tenant."""
    customer = await find_customer(session, customer_id)
    if customer is not None and customer.merged_into is not None:
        customer = await find_customer(session, customer.merged_into)
    if customer is None:
        raise not_found("Customer")
    return customer.id


async def resolve_customer_id(session: AsyncSession, customer_id: str, field: str) -> str:
    """The customer an order may name by ``customer_id``: a merged-away id gives its survivor.
    400 ``CUSTOMER_NOT_FOUND`` on ``field`` when the tenant has no such customer; 409 when it
    is archived or erased (restore it, or attach another)."""
    customer = await find_customer(session, customer_id)
    if customer is not None and customer.merged_into is not None:
        customer = await find_customer(session, customer.merged_into)
    if customer is None:
        raise field_error(field, "no customer has this id", "CUSTOMER_NOT_FOUND")
    if customer.erased_at is not None or customer.archived_at is not None:
        state = "erased" if customer.erased_at is not None else "archived"
        raise AppError("INVALID_STATUS", details=[status_detail("customer", state)])
    return customer.id


async def duplicates(
    session: AsyncSession, email_key: str | None, phone: str | None, except_id: str | None = None
) -> list[dict[str, str]]:
    """The details of a 409: which other customer already has this email or phone."""
    clauses = []
    if email_key is not None:
        clauses.append(Customer.email_key == email_key)
    if phone is not None:
        clauses.append(Customer.phone == phone)
    if not clauses:
        return []
    stmt = select(Customer.id, Customer.email_key, Customer.phone).where(or_(*clauses))
    found = []
    for customer_id, other_email, other_phone in await session.execute(stmt):
        if customer_id == except_id:
            continue
        for field, mine, theirs in (
            ("email", email_key, other_email),
            ("phone", phone, other_phone),
        ):
            if mine is not None and mine == theirs:
                message = f"customer {customer_id} has this {field}"
                found.append({"field": field, "message": message, "customerId": customer_id})
    return found


async def _refuse_duplicates(
    session: AsyncSession, email_key: str | None, phone: str | None, customer_id: str
) -> None:
    found = await duplicates(session, email_key, phone, customer_id)
    if found:
        raise AppError("CUSTOMER_ALREADY_EXISTS", details=found)


@asynccontextmanager
async def unique_write(session: AsyncSession, customer: Customer) -> AsyncIterator[None]:
    """The customer's changes made in the block, checked for duplicates and flushed in a
    savepoint. Opening it flushes what was pending, so the changes must be made inside. Two
    writers passing the check at once are told apart by the unique indexes: the loser's
    savepoint rolls back and it gets the same 409, naming the winner (whose row its
    statement waited for)."""
    keys: tuple[str | None, str | None, str] | None = None
    try:
        async with session.begin_nested():
            with session.no_autoflush:  # one write of the row: one new version
                yield
                keys = (customer.email_key, customer.phone, customer.id)
                await _refuse_duplicates(session, *keys)
            await session.flush()
    except IntegrityError:
        if keys is not None:
            await _refuse_duplicates(session, *keys)
        raise


def set_email(customer: Customer, email: str | None) -> None:
    customer.email = email
    customer.email_key = email.lower() if email is not None else None


def clear_personal_fields(customer: Customer) -> None:
    """Every personal field of the row emptied (tags and consent history are rows of their
    own): a merged-away profile (its survivor holds them) and an erased person."""
    set_names(customer, "", "")
    set_email(customer, None)
    customer.phone = customer.phone_national = None
    customer.birthday = None
    customer.notes = ""
    customer.addresses = []
    customer.marketing_opt_in = False
    customer.marketing_consent = None


def set_names(customer: Customer, first_name: str, last_name: str) -> None:
    customer.first_name = first_name
    customer.last_name = last_name
    customer.name_key = f"{first_name} {last_name}".strip().lower()
    customer.last_name_key = last_name.lower()


def set_phone(customer: Customer, phone: str | None, region: str | None) -> None:
    """The phone in E.164 (``region``: the tenant's home country, phones.py)."""
    if phone is None:
        customer.phone = customer.phone_national = None
        return
    customer.phone, customer.phone_national = normalise_phone(phone, region)


async def set_tags(session: AsyncSession, customer: Customer, tags: Sequence[str]) -> bool:
    """Replace the customer's tags; True when they changed."""
    wanted = sorted(set(tags))
    if (await tags_of(session, [customer.id]))[customer.id] == wanted:
        return False
    await session.execute(delete(CustomerTag).where(CustomerTag.customer_id == customer.id))
    session.add_all(
        CustomerTag(tenant_id=customer.tenant_id, customer_id=customer.id, tag=t) for t in wanted
    )
    return True


async def record_consent(
    session: AsyncSession,
    principal: Principal,
    customer: Customer,
    opted_in: bool,
    consent: MarketingConsentIn,
) -> None:
    """A change (or a confirmation) of marketing consent, kept in the history."""
    if consent.location_id is None and consent.channel is None:
        raise field_error("marketingConsent", "say where: a locationId or a channel")
    if consent.location_id is not None and (
        await get_by_id(session, Location, "location", consent.location_id) is None
    ):
        raise field_error("marketingConsent.locationId", "no location has this id")
    at = consent.at or utcnow()
    if at > utcnow():
        raise field_error("marketingConsent.at", "must not be in the future")
    row = CustomerConsent(
        tenant_id=customer.tenant_id,
        id=new_id("consent"),
        customer_id=customer.id,
        opted_in=opted_in,
        occurred_at=at,
        location_id=consent.location_id,
        channel=consent.channel,
        method=consent.method,
        note=consent.note,
        recorded_by=f"{principal.kind}:{principal.id}",
    )
    session.add(row)
    customer.marketing_opt_in = opted_in
    customer.marketing_consent = consent_out(row).model_dump(mode="json", by_alias=True)


def consent_out(row: CustomerConsent) -> ConsentOut:
    return ConsentOut(
        opted_in=row.opted_in,
        at=row.occurred_at,
        location_id=row.location_id,
        channel=row.channel,
        method=row.method,
        note=row.note,
        recorded_by=row.recorded_by,
    )


def _require_someone(customer: Customer) -> None:
    if not (customer.name_key or customer.email or customer.phone):
        raise field_error("body", "give a name, an email or a phone number")


async def create_customer(
    session: AsyncSession, principal: Principal, data: CustomerIn
) -> CustomerOut:
    now = utcnow()
    customer = Customer(
        tenant_id=principal.tenant_id,
        id=new_id("customer"),
        addresses=[a.model_dump(by_alias=True) for a in data.addresses],
        birthday=data.birthday,
        notes=data.notes,
        marketing_opt_in=False,
        created_at=now,
        updated_at=now,
    )
    set_names(customer, data.first_name, data.last_name)
    set_email(customer, data.email)
    set_phone(customer, data.phone, await home_region(session) if data.phone else None)
    _require_someone(customer)
    if data.marketing_opt_in and data.marketing_consent is None:
        raise field_error("marketingConsent", "say when, where and how consent was given")
    async with unique_write(session, customer):
        session.add(customer)
        if data.marketing_consent is not None:
            await record_consent(
                session, principal, customer, data.marketing_opt_in, data.marketing_consent
            )
        await set_tags(session, customer, data.tags)
    view = await customer_view(session, customer)
    record_customer_event(session, "customer.created", view)
    return view


async def update_customer(
    session: AsyncSession, principal: Principal, customer: Customer, data: CustomerUpdate
) -> CustomerOut:
    check_version(customer, data.version)
    given = data.model_fields_set
    region = await home_region(session) if data.phone is not None else None
    async with unique_write(session, customer):
        set_names(
            customer,
            customer.first_name if data.first_name is None else data.first_name,
            customer.last_name if data.last_name is None else data.last_name,
        )
        if "email" in given:
            set_email(customer, data.email)
        if "phone" in given:
            set_phone(customer, data.phone, region)
        if "birthday" in given:
            customer.birthday = data.birthday
        if data.addresses is not None:
            customer.addresses = [a.model_dump(by_alias=True) for a in data.addresses]
        if data.notes is not None:
            customer.notes = data.notes
        if data.archived is not None and data.archived != (customer.archived_at is not None):
            customer.archived_at = utcnow() if data.archived else None
        _require_someone(customer)
        opt_in = (
            customer.marketing_opt_in if data.marketing_opt_in is None else data.marketing_opt_in
        )
        if opt_in != customer.marketing_opt_in and data.marketing_consent is None:
            raise field_error("marketingConsent", "say when, where and how consent changed")
        if data.marketing_consent is not None:
            await record_consent(session, principal, customer, opt_in, data.marketing_consent)
        tags_changed = data.tags is not None and await set_tags(session, customer, data.tags)
        changed = tags_changed or not unchanged(session, customer)
        if changed:
            customer.updated_at = utcnow()
    view = await customer_view(session, customer)
    if changed:
        event = "customer.updated"
        if "archived" in given and data.archived and view.archived:
            event = "customer.archived"
        record_customer_event(session, event, view)
    return view


async def archive_customer(
    session: AsyncSession, principal: Principal, customer: Customer
) -> CustomerOut:
    """DELETE archives: the customer is kept with its orders, hidden from lists."""
    return await update_customer(session, principal, customer, CustomerUpdate(archived=True))
