"""What a sale reads about its tenant and location before it writes: rounding and approval
settings, the location's pricing and stock policy and its active tax rates.

Order creation and payment are the hot paths (DESIGN §2), so each reads all of it in one
statement; nothing is cached across requests, so a changed rate or setting applies to the next
request.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.core.auth import Principal
from tillpoint.core.db import table_of
from tillpoint.core.driver import DriverStatement
from tillpoint.core.errors import not_found
from tillpoint.core.ids import has_prefix
from tillpoint.core.money import RoundingMode
from tillpoint.identity.models import Tenant
from tillpoint.stores.models import Location
from tillpoint.stores.taxes import (
    RATE_COLUMNS,
    RATE_ORDER,
    RATES,
    ActiveRate,
    active_rates_at,
    rates_by_class,
)

TENANTS = table_of(Tenant)
LOCATIONS = table_of(Location)


@dataclass(frozen=True)
class TenantSettings:
    rounding: RoundingMode
    cash_increment: int
    approval_percent: int


@dataclass(frozen=True)
class OrderPlace:
    """Where a new order is rung up: the location and what pricing needs to know there."""

    location_id: str
    tax_inclusive: bool
    allow_negative_stock: bool
    settings: TenantSettings
    rates: dict[str, list[ActiveRate]]


@dataclass(frozen=True)
class PaymentPlace:
    """What taking a payment or changing an open order's lines needs: the tenant's settings and
    the location's stock policy."""

    settings: TenantSettings
    allow_negative_stock: bool
    timezone: str


_SETTINGS_COLUMNS = (
    TENANTS.c.rounding_mode,
    TENANTS.c.cash_rounding_increment,
    TENANTS.c.discount_approval_percent,
)


def _settings(row: Row[*tuple[Any, ...]]) -> TenantSettings:
    """The tenant's settings from a row carrying ``_SETTINGS_COLUMNS``."""
    return TenantSettings(
        RoundingMode(row.rounding_mode),
        int(row.cash_rounding_increment),
        int(row.discount_approval_percent),
    )


_TENANT_SETTINGS = DriverStatement(
    select(*_SETTINGS_COLUMNS).where(TENANTS.c.id == bindparam("tenant"))
)


async def tenant_settings(session: AsyncSession, tenant_id: str) -> TenantSettings:
    [row] = await _TENANT_SETTINGS.rows(session, {"tenant": tenant_id})
    return _settings(row)


# Built once, run at the driver level (core.driver): they run with every sale.
_ORDER_PLACE = DriverStatement(
    select(
        LOCATIONS.c.tax_inclusive,
        LOCATIONS.c.allow_negative_stock,
        *_SETTINGS_COLUMNS,
        *RATE_COLUMNS,
    )
    .select_from(
        LOCATIONS.join(TENANTS, TENANTS.c.id == LOCATIONS.c.tenant_id).outerjoin(
            RATES, active_rates_at(LOCATIONS.c.tenant_id, LOCATIONS.c.id)
        )
    )
    .where(LOCATIONS.c.tenant_id == bindparam("tenant"), LOCATIONS.c.id == bindparam("location"))
    .order_by(RATE_ORDER)
)
# What ``PaymentPlace`` is read from: selected with the order by ``orders.order_to_pay``.
PAYMENT_PLACE_COLUMNS = (*_SETTINGS_COLUMNS, LOCATIONS.c.allow_negative_stock, LOCATIONS.c.timezone)
_PAYMENT_PLACE = DriverStatement(
    select(*PAYMENT_PLACE_COLUMNS)
    .select_from(LOCATIONS.join(TENANTS, TENANTS.c.id == LOCATIONS.c.tenant_id))
    .where(LOCATIONS.c.tenant_id == bindparam("tenant"), LOCATIONS.c.id == bindparam("location"))
)


async def order_place(session: AsyncSession, principal: Principal, location_id: str) -> OrderPlace:
    """The location (404 if it is not the principal's to see), the tenant's settings and the
    location's active rates by tax class (in id order), in one statement."""
    if not principal.can_access_location(location_id) or not has_prefix(location_id, "location"):
        raise not_found("Location")
    params = {"tenant": principal.tenant_id, "location": location_id}
    rows = await _ORDER_PLACE.rows(session, params)
    if not rows:
        raise not_found("Location")
    first = rows[0]
    return OrderPlace(
        location_id,
        bool(first.tax_inclusive),
        bool(first.allow_negative_stock),
        _settings(first),
        rates_by_class(rows),
    )


async def payment_place(session: AsyncSession, tenant_id: str, location_id: str) -> PaymentPlace:
    """The tenant's settings with the order's location's stock policy and timezone."""
    params = {"tenant": tenant_id, "location": location_id}
    [row] = await _PAYMENT_PLACE.rows(session, params)
    return payment_place_of(row)


def payment_place_of(row: Row[*tuple[Any, ...]]) -> PaymentPlace:
    """The place from a row carrying ``PAYMENT_PLACE_COLUMNS``."""
    return PaymentPlace(_settings(row), bool(row.allow_negative_stock), row.timezone)
