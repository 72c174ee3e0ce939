"""The staff report: per employee, or per employee and shift, over business days — sales,
orders, average ticket, discounts, refunds, voids and tips — from the sales summaries."""

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.core.auth import Principal
from tillpoint.core.db import in_list_chunks
from tillpoint.core.money import from_minor, round_to_minor
from tillpoint.reports.daily_sales import Sums, add_up, group_labels, sales_sums
from tillpoint.reports.models import NONE
from tillpoint.reports.performance_schemas import StaffFigures, StaffGrouping, StaffOut
from tillpoint.reports.scope import report_scope
from tillpoint.sales.models import Shift

COLUMNS: dict[StaffGrouping, tuple[str, ...]] = {
    "employee": ("employee_id",),
    "shift": ("employee_id", "shift_id"),
}


async def staff_report(
    session: AsyncSession,
    principal: Principal,
    *,
    location_id: str | None,
    first: date | None,
    last: date | None,
    group_by: StaffGrouping,
) -> StaffOut:
    scope = await report_scope(session, principal, location_id, first, last)
    groups = await sales_sums(
        session, principal.tenant_id, scope.location_ids, scope.days, COLUMNS[group_by]
    )
    employees = {key[0] for key in groups}
    names = await group_labels(session, "employee", employees) | {NONE: "No employee"}
    shifts = await _shifts(session, {key[1] for key in groups if len(key) > 1})
    rows = []
    for key, sums in sorted(groups.items()):
        shift = shifts.get(key[1]) if len(key) > 1 else None
        row = _figures(key[0], names.get(key[0], key[0]), sums, scope.exponent)
        if group_by == "shift":
            row.shift_id = key[1] or None
            row.register_id = shift.register_id if shift else None
            row.shift_opened_at = shift.opened_at.isoformat() if shift else None
        rows.append(row)
    totals = _figures("", "Total", add_up(groups.values()), scope.exponent)
    return StaffOut(
        currency=scope.currency,
        from_=scope.days.first,
        to=scope.days.last,
        group_by=group_by,
        location_ids=scope.location_ids,
        rows=rows,
        totals=totals,
    )


def _figures(employee_id: str, name: str, sums: Sums, exponent: int) -> StaffFigures:
    s = sums.sales

    def money(minor: int) -> Decimal:
        return from_minor(minor, exponent)

    sold = s.get("gross_minor", 0) - s.get("discount_minor", 0)
    orders = s.get("order_count", 0)
    return StaffFigures(
        employee_id=employee_id,
        employee_name=name,
        orders=orders,
        net_sales=money(sold - s.get("returns_minor", 0) - s.get("void_minor", 0)),
        average_ticket=money(round_to_minor(Decimal(sold) / orders)) if orders else None,
        discounts=money(s.get("discount_minor", 0)),
        refunds=s.get("refund_count", 0),
        returns=money(s.get("returns_minor", 0)),
        voided_orders=s.get("void_count", 0),
        voids=money(s.get("void_minor", 0)),
        tips=money(s.get("tip_minor", 0)),
    )


async def _shifts(session: AsyncSession, ids: set[str]) -> dict[str, Shift]:
    found: dict[str, Shift] = {}
    for chunk in in_list_chunks(sorted(ids - {NONE})):
        stmt = select(Shift).where(Shift.id.in_(chunk))
        found |= {shift.id: shift for shift in (await session.execute(stmt)).scalars()}
    return found
