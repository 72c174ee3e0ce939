"""The cash report: each register shift's drawer — float, cash sales and refunds, paid in and
out, expected, counted, over/short — and their sums per business day, per location and overall.

A closed shift's figures are the Z report frozen at its close (``Shift.report`` with the
counted, expected and over/short columns), read with the shift in one query. An open shift has
no frozen figures: its live X report is ``sales.shifts.report.shift_figures``, the same call
the shift's own report makes; a register has at most one open shift, so these are bounded by
the registers, not by the days asked for.

A shift's business day is its location's local date of the close — the day the drawer was
counted, as a Z report is filed — and, while it is open, of its opening.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.core.auth import Principal
from tillpoint.core.db import utcnow
from tillpoint.core.money import from_minor
from tillpoint.identity.service import get_tenant, tenant_currency_exponent
from tillpoint.reports.cash_schemas import (
    CashDayOut,
    CashFiguresOut,
    CashGroupBy,
    CashLocationOut,
    CashReportOut,
    CashShiftOut,
)
from tillpoint.reports.local_days import day_window, local_date, todays
from tillpoint.reports.scope import Period, ReportLocation, period, report_locations
from tillpoint.sales.models import Shift
from tillpoint.sales.shifts.report import expected_cash, shift_figures


@dataclass
class CashFigures:
    """Drawer figures in minor units; a sum of shifts when ``shift_count`` > 1."""

    shift_count: int = 0
    open_shift_count: int = 0
    opening_float: int = 0
    cash_sales: int = 0
    cash_refunds: int = 0
    paid_in: int = 0
    paid_out: int = 0
    counted: int | None = None
    over_short: int | None = None

    @property
    def expected(self) -> int:
        return expected_cash(
            self.opening_float, self.cash_sales, self.cash_refunds, self.paid_in, self.paid_out
        )

    def add(self, other: "CashFigures") -> None:
        self.shift_count += other.shift_count
        self.open_shift_count += other.open_shift_count
        self.opening_float += other.opening_float
        self.cash_sales += other.cash_sales
        self.cash_refunds += other.cash_refunds
        self.paid_in += other.paid_in
        self.paid_out += other.paid_out
        # Counted and over/short are the closed shifts' only: an open drawer has no count.
        if other.counted is not None:
            self.counted = (self.counted or 0) + other.counted
        if other.over_short is not None:
            self.over_short = (self.over_short or 0) + other.over_short


def shift_cash(shift: Shift, figures: dict[str, Any]) -> CashFigures:
    """One shift's drawer from its report figures (``shift_figures``' keys, or the Z report
    stored at the close, whose count and over/short are the shift's own columns)."""
    closed = shift.status == "closed"
    return CashFigures(
        shift_count=1,
        open_shift_count=0 if closed else 1,
        opening_float=shift.opening_float_minor,
        cash_sales=int(figures["cashSalesMinor"]),
        cash_refunds=int(figures["cashRefundsMinor"]),
        paid_in=int(figures["paidInMinor"]),
        paid_out=int(figures["paidOutMinor"]),
        counted=shift.counted_cash_minor if closed else None,
        over_short=shift.over_short_minor if closed else None,
    )


@dataclass
class CashShift:
    shift: Shift
    business_day: date
    cash: CashFigures


@dataclass
class CashReport:
    period: Period
    currency: str
    exponent: int
    locations: list[ReportLocation]
    shifts: list[CashShift] = field(default_factory=list)


async def _shifts_of(
    session: AsyncSession, locations: list[ReportLocation], days: Period
) -> list[Shift]:
    """The shifts closed (or, while open, opened) on the days, at each location's own
    midnights: one query for every location."""
    if not locations:
        return []
    at = func.coalesce(Shift.closed_at, Shift.opened_at)
    windows = []
    for location in locations:
        start, end = day_window(days.first, days.last, location.timezone)
        windows.append(and_(Shift.location_id == location.location_id, at >= start, at < end))
    stmt = select(Shift).where(or_(*windows)).order_by(Shift.location_id, at, Shift.id)
    return list((await session.execute(stmt)).scalars())


async def cash_report(
    session: AsyncSession,
    principal: Principal,
    *,
    location_id: str | None,
    first: date | None,
    last: date | None,
    now: datetime | None = None,
) -> CashReport:
    locations = await report_locations(session, principal, location_id)
    now = now or utcnow()
    low, high = todays([loc.timezone for loc in locations], now)
    if first is None and last is None:
        first, last = low, high
    days = period(first, last, today=high)
    tenant = await get_tenant(session, principal.tenant_id)
    exponent = await tenant_currency_exponent(session, principal.tenant_id)
    report = CashReport(days, tenant.currency, exponent, locations)
    zones = {loc.location_id: loc.timezone for loc in locations}
    for shift in await _shifts_of(session, locations, days):
        if shift.status == "closed" and shift.report:
            figures = shift.report
        else:
            figures = await shift_figures(
                session, shift, currency=tenant.currency, generated_at=now
            )
        moment = shift.closed_at or shift.opened_at
        report.shifts.append(
            CashShift(
                shift, local_date(moment, zones[shift.location_id]), shift_cash(shift, figures)
            )
        )
    return report


# ---- the response ----------------------------------------------------------------------------

ROW_MODELS: dict[str, type[CashFiguresOut]] = {
    "shift": CashShiftOut,
    "day": CashDayOut,
    "location": CashLocationOut,
}


def figures_out(cash: CashFigures, exponent: int) -> dict[str, Any]:
    def money(minor: int | None) -> Any:
        return None if minor is None else from_minor(minor, exponent)

    return {
        "shift_count": cash.shift_count,
        "open_shift_count": cash.open_shift_count,
        "opening_float": money(cash.opening_float),
        "cash_sales": money(cash.cash_sales),
        "cash_refunds": money(cash.cash_refunds),
        "paid_in": money(cash.paid_in),
        "paid_out": money(cash.paid_out),
        "expected_cash": money(cash.expected),
        "counted_cash": money(cash.counted),
        "over_short": money(cash.over_short),
    }


def _summed(items: Iterable[CashFigures]) -> CashFigures:
    total = CashFigures()
    for item in items:
        total.add(item)
    return total


def cash_report_out(report: CashReport, group_by: CashGroupBy) -> CashReportOut:
    """The report as the API shows it: ``rows`` per ``group_by``, each location's totals and
    the overall total."""
    x = report.exponent
    by_location: dict[str, CashFigures] = {
        loc.location_id: CashFigures() for loc in report.locations
    }
    by_day: dict[tuple[str, date], CashFigures] = {}
    for item in report.shifts:
        by_location[item.shift.location_id].add(item.cash)
        by_day.setdefault((item.shift.location_id, item.business_day), CashFigures()).add(item.cash)
    locations = [
        CashLocationOut(
            location_id=loc.location_id,
            name=loc.name,
            **figures_out(by_location[loc.location_id], x),
        )
        for loc in report.locations
    ]
    rows: list[CashShiftOut] | list[CashDayOut] | list[CashLocationOut]
    if group_by == "location":
        rows = locations
    elif group_by == "day":
        rows = [
            CashDayOut(location_id=loc, business_day=day, **figures_out(cash, x))
            for (loc, day), cash in sorted(by_day.items())
        ]
    else:
        rows = [
            CashShiftOut(
                shift_id=item.shift.id,
                register_id=item.shift.register_id,
                location_id=item.shift.location_id,
                business_day=item.business_day,
                status="closed" if item.shift.status == "closed" else "open",
                opened_at=item.shift.opened_at,
                closed_at=item.shift.closed_at,
                **figures_out(item.cash, x),
            )
            for item in sorted(
                report.shifts,
                key=lambda s: (s.shift.location_id, s.business_day, s.shift.opened_at, s.shift.id),
            )
        ]
    return CashReportOut(
        from_=report.period.first,
        to=report.period.last,
        group_by=group_by,
        currency=report.currency,
        rows=rows,
        locations=locations,
        totals=CashFiguresOut(**figures_out(_summed(s.cash for s in report.shifts), x)),
    )
