"""What a sale reads about its tenant and location before it writes: rounding and approval
settings, the location's pricing and stock policy and its active tax rates.

Order creation and payment are the hot paths (DESIGN §2), so each reads all of it in one
statement; nothing is cached across requests, so a changed rate or setting applies to the next
request.
"""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.core.auth import Principal
from tillpoint.core.db import table_of
from tillpoint.core.errors import not_found
from tillpoint.core.ids import has_prefix
from tillpoint.core.money import RoundingMode
from tillpoint.identity.models import Tenant
from tillpoint.stores.models import RATE_SCALE, Location, TaxRate

TENANTS = table_of(Tenant)
LOCATIONS = table_of(Location)
RATES = table_of(TaxRate)


@dataclass(frozen=True)
class TenantSettings:
    rounding: RoundingMode
    cash_increment: int
    approval_percent: int


@dataclass(frozen=True)
class SaleRate:
    """A tax rate as a sale captures it: id, name and the percent number (8.875)."""

    id: str
    name: str
    rate: Decimal

    @classmethod
    def of(cls, rate: TaxRate) -> "SaleRate":
        return cls(rate.id, rate.name, rate.rate)


@dataclass(frozen=True)
class OrderPlace:
    """Where a new order is rung up: the location and what pricing needs to know there."""

    location_id: str
    tax_inclusive: bool
    settings: TenantSettings
    rates: dict[str, list[SaleRate]]


@dataclass(frozen=True)
class PaymentPlace:
    """What taking a payment needs: the tenant's settings and the location's stock policy."""

    settings: TenantSettings
    allow_negative_stock: bool
    timezone: str


def _settings(rounding: str, cash_increment: int, approval_percent: int) -> TenantSettings:
    return TenantSettings(RoundingMode(rounding), int(cash_increment), int(approval_percent))


_SETTINGS_COLUMNS = (
    TENANTS.c.rounding_mode,
    TENANTS.c.cash_rounding_increment,
    TENANTS.c.discount_approval_percent,
)


_TENANT_SETTINGS = select(*_SETTINGS_COLUMNS).where(TENANTS.c.id == bindparam("tenant"))


async def tenant_settings(session: AsyncSession, tenant_id: str) -> TenantSettings:
    return _settings(*(await session.execute(_TENANT_SETTINGS, {"tenant": tenant_id})).one())


# Built once: they run with every sale.
_ORDER_PLACE = (
    select(
        LOCATIONS.c.tax_inclusive,
        *_SETTINGS_COLUMNS,
        RATES.c.id,
        RATES.c.name,
        RATES.c.tax_class_code,
        RATES.c.rate_percent_e4,
    )
    .select_from(
        LOCATIONS.join(TENANTS, TENANTS.c.id == LOCATIONS.c.tenant_id).outerjoin(
            RATES,
            and_(
                RATES.c.tenant_id == LOCATIONS.c.tenant_id,
                RATES.c.location_id == LOCATIONS.c.id,
                RATES.c.active.is_(True),
            ),
        )
    )
    .where(LOCATIONS.c.tenant_id == bindparam("tenant"), LOCATIONS.c.id == bindparam("location"))
    .order_by(RATES.c.id)
)
_PAYMENT_PLACE = (
    select(*_SETTINGS_COLUMNS, LOCATIONS.c.allow_negative_stock, LOCATIONS.c.timezone)
    .select_from(LOCATIONS.join(TENANTS, TENANTS.c.id == LOCATIONS.c.tenant_id))
    .where(LOCATIONS.c.tenant_id == bindparam("tenant"), LOCATIONS.c.id == bindparam("location"))
)


async def order_place(session: AsyncSession, principal: Principal, location_id: str) -> OrderPlace:
    """The location (404 if it is not the principal's to see), the tenant's settings and the
    location's active rates by tax class (in id order), in one statement."""
    if not principal.can_access_location(location_id) or not has_prefix(location_id, "location"):
        raise not_found("Location")
    params = {"tenant": principal.tenant_id, "location": location_id}
    rows = (await session.execute(_ORDER_PLACE, params)).all()
    if not rows:
        raise not_found("Location")
    rates: dict[str, list[SaleRate]] = {}
    for row in rows:
        if row[4] is not None:
            percent = (Decimal(row[7]) / RATE_SCALE).normalize()
            rates.setdefault(row[6], []).append(SaleRate(row[4], row[5], percent))
    first = rows[0]
    return OrderPlace(location_id, bool(first[0]), _settings(*first[1:4]), rates)


async def payment_place(session: AsyncSession, tenant_id: str, location_id: str) -> PaymentPlace:
    """The tenant's settings with the order's location's stock policy and timezone."""
    params = {"tenant": tenant_id, "location": location_id}
    row = (await session.execute(_PAYMENT_PLACE, params)).one()
    return PaymentPlace(_settings(*row[:3]), bool(row[3]), row[4])
