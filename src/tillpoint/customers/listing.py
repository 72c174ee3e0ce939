"""The customer list: search by name, email or phone (indexed prefixes), exact email and phone,
tags, and the list conventions.

``q`` is matched as a prefix of the lower-cased full name ("ann smi" finds Ann Smith), of the
last name, of the email, and — when it is a phone-like run of digits — of the E.164 number
(with or without its country code) and of the national number. Each is a range on an indexed
column (models.py), so the search reads index entries, not every customer.
"""

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, bindparam, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.core.auth import Principal
from tillpoint.core.pagination import PageParams, paginate
from tillpoint.customers.models import Customer, CustomerTag
from tillpoint.customers.phones import home_region, normalise_phone
from tillpoint.customers.schemas import CustomerOut
from tillpoint.customers.service import customer_out, tags_of

PHONE_LIKE = re.compile(r"^\+?[\d\s().\-]+$")
MIN_PHONE_DIGITS = 3


@dataclass(frozen=True)
class CustomerFilters:
    q: str | None = None
    email: str | None = None
    phone: str | None = None
    tag: str | None = None
    include_archived: bool = False


def starts_with(column: Any, prefix: str) -> ColumnElement[bool]:
    """``column`` begins with ``prefix``, as a range an index serves (code point order).

    The bounds are written into the statement (escaped as SQL literals by SQLAlchemy), not
    sent as parameters: PostgreSQL plans a prepared statement once for all values after five
    runs, and for ``key >= $1 AND key < $2`` that generic plan guesses thousands of rows and
    reads the whole table (measured: 100 ms instead of 0.5 ms at 100,000 customers)."""
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    low = bindparam(None, prefix, type_=column.type, literal_execute=True)
    high = bindparam(None, upper, type_=column.type, literal_execute=True)
    clause: ColumnElement[bool] = (column >= low) & (column < high)
    return clause


def search_clause(q: str, tenant_id: str) -> ColumnElement[bool] | None:
    """``q`` as ``id IN (a UNION of prefix ranges)``, one SELECT per indexed column. Each
    names the tenant (the indexes lead with ``tenant_id``) and a range on its column, so each
    reads its own index; an OR of the ranges in one WHERE let SQLite, without statistics,
    read every customer of the tenant through another index instead."""
    text = " ".join(q.lower().split())
    if not text:
        return None
    prefixes: list[tuple[Any, str]] = [(Customer.name_key, text), (Customer.last_name_key, text)]
    prefixes.append((Customer.email_key, text))
    digits = re.sub(r"\D", "", text)
    if PHONE_LIKE.match(text) and len(digits) >= MIN_PHONE_DIGITS:
        prefixes.append((Customer.phone, "+" + digits))
        prefixes.append((Customer.phone_national, digits.lstrip("0") or digits))
    matches = union(
        *(
            select(Customer.id).where(Customer.tenant_id == tenant_id, starts_with(column, prefix))
            for column, prefix in prefixes
        )
    )
    return Customer.id.in_(matches)


async def list_customers(
    session: AsyncSession, principal: Principal, params: PageParams, filters: CustomerFilters
) -> tuple[list[CustomerOut], int]:
    """Live customers (not merged away, not archived unless asked), in id (creation) order."""
    stmt = params.filter_updated(
        select(Customer).where(Customer.merged_into.is_(None)), Customer.updated_at
    )
    if not filters.include_archived:
        stmt = stmt.where(Customer.archived_at.is_(None))
    clause = None if filters.q is None else search_clause(filters.q, principal.tenant_id)
    if clause is not None:
        stmt = stmt.where(clause)
    if filters.email is not None:
        stmt = stmt.where(Customer.email_key == filters.email.lower())
    if filters.phone is not None:
        e164, _ = normalise_phone(filters.phone, await home_region(session))
        stmt = stmt.where(Customer.phone == e164)
    if filters.tag is not None:
        tagged = select(CustomerTag.customer_id).where(CustomerTag.tag == filters.tag)
        stmt = stmt.where(Customer.id.in_(tagged))
    rows, total = await paginate(
        session, stmt, Customer.id, offset=params.offset, limit=params.page_size
    )
    tags = await tags_of(session, [c.id for c in rows])
    return [customer_out(c, tags[c.id]) for c in rows], total
