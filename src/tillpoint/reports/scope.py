"""What a report covers: which of the tenant's locations, over which business days.

A business day is a location's local date (DESIGN §4): each location's rows are keyed by its
own date, so ``from``/``to`` mean the same calendar days in New York and in Tokyo. A principal
limited to some locations sees only those; naming another is 404, as everywhere.
"""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.core.auth import Principal
from tillpoint.core.db import utcnow
from tillpoint.core.errors import field_error
from tillpoint.core.money import currency_exponent
from tillpoint.identity.models import Tenant
from tillpoint.stores.models import Location
from tillpoint.stores.service import get_location

# Long enough for year-on-year comparisons; a bound so one request cannot ask for centuries.
MAX_DAYS = 3 * 366 + 1


@dataclass(frozen=True)
class ReportLocation:
    location_id: str
    name: str
    timezone: str

    def local(self, moment: datetime) -> datetime:
        """``moment`` (UTC) in the location's own time."""
        return moment.astimezone(ZoneInfo(self.timezone))


@dataclass(frozen=True)
class Period:
    """Business days ``first`` to ``last``, both included."""

    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def period(first: date | None, last: date | None, *, today: date) -> Period:
    """The days asked for: ``from`` defaults to ``to`` (one day), ``to`` to today; 400 when
    ``from`` is after ``to`` or the range is longer than ``MAX_DAYS``."""
    last = last or first or today
    first = first or last
    if first > last:
        raise field_error("from", "must be on or before 'to'")
    if (last - first).days + 1 > MAX_DAYS:
        raise field_error("to", f"a report covers at most {MAX_DAYS} days")
    return Period(first, last)


async def report_locations(
    session: AsyncSession, principal: Principal, location_id: str | None
) -> list[ReportLocation]:
    """The one location asked for (404 if the principal may not see it), or every location
    the principal may see, active or not (a closed shop's past sales still count)."""
    if location_id is not None:
        found = await get_location(session, principal, location_id)
        return [ReportLocation(found.id, found.name, found.timezone)]
    stmt = select(Location.id, Location.name, Location.timezone).order_by(Location.id)
    if principal.location_ids is not None:
        stmt = stmt.where(Location.id.in_(principal.location_ids))
    rows = (await session.execute(stmt)).all()
    return [ReportLocation(*row) for row in rows]


@dataclass(frozen=True)
class ReportScope:
    """What a report over business days covers, and how it writes money."""

    locations: list[ReportLocation]
    days: Period
    currency: str
    exponent: int

    @property
    def location_ids(self) -> list[str]:
        return [loc.location_id for loc in self.locations]


async def report_scope(
    session: AsyncSession,
    principal: Principal,
    location_id: str | None,
    first: date | None,
    last: date | None,
) -> ReportScope:
    """The locations and days asked for (today: the one location's, else UTC's), and the
    tenant's currency."""
    locations = await report_locations(session, principal, location_id)
    today = (locations[0].local(utcnow()) if len(locations) == 1 else utcnow()).date()
    days = period(first, last, today=today)
    stmt = select(Tenant.currency).where(Tenant.id == principal.tenant_id)
    currency = (await session.execute(stmt)).scalar_one()
    return ReportScope(locations, days, currency, currency_exponent(currency))
