"""Tax classes (``standard``, ``food``, …) and the rates each location charges for them."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.core.auth import Principal
from tillpoint.core.db import check_version, get_by_id, table_of, unchanged
from tillpoint.core.errors import AppError, field_error, not_found
from tillpoint.core.events import record_change
from tillpoint.core.ids import new_id
from tillpoint.core.pagination import PageParams, paginate
from tillpoint.stores.models import RATE_SCALE, TaxClass, TaxRate, rate_percent
from tillpoint.stores.schemas import (
    TaxClassIn,
    TaxClassOut,
    TaxClassUpdate,
    TaxRateIn,
    TaxRateOut,
    TaxRateUpdate,
)
from tillpoint.stores.service import get_location

DEFAULT_TAX_CLASSES = (("standard", "Standard rate"), ("exempt", "Tax exempt"))


async def add_default_tax_classes(session: AsyncSession, tenant_id: str) -> None:
    """Every new tenant starts with ``standard`` (what products default to) and ``exempt``."""
    added = [
        TaxClass(tenant_id=tenant_id, id=new_id("tax_class"), code=code, name=name)
        for code, name in DEFAULT_TAX_CLASSES
    ]
    session.add_all(added)
    await session.flush()
    for tax_class in added:
        record_change(session, "tax_class.created", TaxClassOut, tax_class)


async def get_tax_class(session: AsyncSession, tax_class_id: str) -> TaxClass:
    tax_class = await get_by_id(session, TaxClass, "tax_class", tax_class_id)
    if tax_class is None:
        raise not_found("Tax class")
    return tax_class


async def list_tax_classes(
    session: AsyncSession, params: PageParams, *, active: bool | None
) -> tuple[list[TaxClass], int]:
    stmt = params.filter_updated(select(TaxClass), TaxClass.updated_at)
    if active is not None:
        stmt = stmt.where(TaxClass.active.is_(active))
    return await paginate(session, stmt, TaxClass.id, offset=params.offset, limit=params.page_size)


async def create_tax_class(
    session: AsyncSession, principal: Principal, data: TaxClassIn
) -> TaxClass:
    principal.require_every_location("change tax classes (they apply to every location)")
    tax_class = TaxClass(
        tenant_id=principal.tenant_id, id=new_id("tax_class"), code=data.code, name=data.name
    )
    session.add(tax_class)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:
        raise AppError(
            "ALREADY_EXISTS", details=[{"field": "code", "message": "a tax class has this code"}]
        ) from None
    record_change(session, "tax_class.created", TaxClassOut, tax_class)
    return tax_class


async def update_tax_class(
    session: AsyncSession, principal: Principal, tax_class_id: str, data: TaxClassUpdate
) -> TaxClass:
    principal.require_every_location("change tax classes (they apply to every location)")
    tax_class = await get_tax_class(session, tax_class_id)
    check_version(tax_class, data.version)
    if data.name is not None:
        tax_class.name = data.name
    if unchanged(session, tax_class):
        return tax_class
    await session.flush()
    record_change(session, "tax_class.updated", TaxClassOut, tax_class)
    return tax_class


async def archive_tax_class(
    session: AsyncSession, principal: Principal, tax_class_id: str
) -> TaxClass:
    principal.require_every_location("change tax classes (they apply to every location)")
    tax_class = await get_tax_class(session, tax_class_id)
    if tax_class.active:
        tax_class.active = False
        await session.flush()
        record_change(session, "tax_class.archived", TaxClassOut, tax_class)
    return tax_class


async def get_tax_rate(
    session: AsyncSession, principal: Principal, location_id: str, tax_rate_id: str
) -> TaxRate:
    location = await get_location(session, principal, location_id)
    rate = await get_by_id(
        session, TaxRate, "tax_rate", tax_rate_id, TaxRate.location_id == location.id
    )
    if rate is None:
        raise not_found("Tax rate")
    return rate


async def list_tax_rates(
    session: AsyncSession,
    principal: Principal,
    location_id: str,
    params: PageParams,
    *,
    tax_class: str | None,
    active: bool | None,
) -> tuple[list[TaxRate], int]:
    location = await get_location(session, principal, location_id)
    stmt = params.filter_updated(
        select(TaxRate).where(TaxRate.location_id == location.id), TaxRate.updated_at
    )
    if tax_class is not None:
        stmt = stmt.where(TaxRate.tax_class_code == tax_class)
    if active is not None:
        stmt = stmt.where(TaxRate.active.is_(active))
    return await paginate(session, stmt, TaxRate.id, offset=params.offset, limit=params.page_size)


async def create_tax_rate(
    session: AsyncSession, principal: Principal, location_id: str, data: TaxRateIn
) -> TaxRate:
    location = await get_location(session, principal, location_id)
    tax_class = (
        await session.execute(select(TaxClass).where(TaxClass.code == data.tax_class))
    ).scalar_one_or_none()
    if tax_class is None or not tax_class.active:
        raise field_error("taxClass", f"no active tax class with code {data.tax_class!r}")
    rate = TaxRate(
        tenant_id=principal.tenant_id,
        id=new_id("tax_rate"),
        location_id=location.id,
        tax_class_code=tax_class.code,
        name=data.name,
        rate_percent_e4=int(data.rate * RATE_SCALE),
    )
    session.add(rate)
    await session.flush()
    record_change(session, "tax_rate.created", TaxRateOut, rate, location_id=rate.location_id)
    return rate


async def update_tax_rate(
    session: AsyncSession,
    principal: Principal,
    location_id: str,
    tax_rate_id: str,
    data: TaxRateUpdate,
) -> TaxRate:
    rate = await get_tax_rate(session, principal, location_id, tax_rate_id)
    check_version(rate, data.version)
    if data.name is not None:
        rate.name = data.name
    if data.rate is not None:
        rate.rate_percent_e4 = int(data.rate * RATE_SCALE)
    if data.active is not None:
        rate.active = data.active
    if unchanged(session, rate):
        return rate
    await session.flush()
    record_change(session, "tax_rate.updated", TaxRateOut, rate, location_id=rate.location_id)
    return rate


async def archive_tax_rate(
    session: AsyncSession, principal: Principal, location_id: str, tax_rate_id: str
) -> TaxRate:
    rate = await get_tax_rate(session, principal, location_id, tax_rate_id)
    if rate.active:
        rate.active = False
        await session.flush()
        record_change(session, "tax_rate.archived", TaxRateOut, rate, location_id=rate.location_id)
    return rate


# A location's active rates, in one shape for every reader: labelled columns (rows are read by
# name), the criteria and the order. ``sale_context`` joins them into its one-statement read of
# a sale's place (DESIGN §2); ``location_rates`` reads them alone. ``rates_by_class`` turns the
# rows of either into rates.
RATES = table_of(TaxRate)
RATE_COLUMNS = (
    RATES.c.id.label("rate_id"),
    RATES.c.name.label("rate_name"),
    RATES.c.tax_class_code.label("rate_tax_class"),
    RATES.c.rate_percent_e4.label("rate_percent_e4"),
)
RATE_ORDER = RATES.c.id


def active_rates_at(
    tenant_id: ColumnElement[str], location_id: ColumnElement[str]
) -> ColumnElement[bool]:
    """The criteria for a location's active rates (a WHERE, or an outer join's ON)."""
    return and_(
        RATES.c.tenant_id == tenant_id,
        RATES.c.location_id == location_id,
        RATES.c.active.is_(True),
    )


@dataclass(frozen=True)
class ActiveRate:
    """A location's active tax rate as a sale captures it: id, name and the percent (8.875)."""

    id: str
    name: str
    rate: Decimal


def rates_by_class(rows: Iterable[Row[*tuple[Any, ...]]]) -> dict[str, list[ActiveRate]]:
    """Rows carrying ``RATE_COLUMNS`` (in ``RATE_ORDER``) as rates by tax class code; a row
    without a rate (a location with none, through an outer join) adds nothing."""
    rates: dict[str, list[ActiveRate]] = {}
    for row in rows:
        if row.rate_id is not None:
            rates.setdefault(row.rate_tax_class, []).append(
                ActiveRate(row.rate_id, row.rate_name, rate_percent(row.rate_percent_e4))
            )
    return rates


_LOCATION_RATES = (
    select(*RATE_COLUMNS)
    .where(active_rates_at(bindparam("tenant"), bindparam("location")))
    .order_by(RATE_ORDER)
)


async def location_rates(
    session: AsyncSession, tenant_id: str, location_id: str
) -> dict[str, list[ActiveRate]]:
    """The active rates a location charges, by tax class code, in a stable order (by id)."""
    params = {"tenant": tenant_id, "location": location_id}
    return rates_by_class(await session.execute(_LOCATION_RATES, params))
