"""The daily sales report: sums of the sales summaries over business days, grouped.

The router catches the rollup up first (``deps.CaughtUpSession``, ADR 0016), so the report
holds every sale, refund and void committed before the request. Figures are summed as integers
per group and turned into money once; the totals are sums of the same integers, so the rows
always add up to them.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.catalog.models import Category
from tillpoint.core.auth import Principal
from tillpoint.core.db import in_list_chunks
from tillpoint.core.money import from_minor, from_thousandths, round_to_minor
from tillpoint.promotions.models import Promotion
from tillpoint.reports.models import (
    NONE,
    DiscountSummary,
    ProductSummary,
    SalesSummary,
    TaxSummary,
    TenderSummary,
)
from tillpoint.reports.schemas import DailySalesOut, SalesFigures, SalesGrouping
from tillpoint.reports.scope import Period, report_scope
from tillpoint.stores.models import Employee, Register

SALES_COLUMNS = tuple(
    c.key for c in SalesSummary.__table__.columns if c.key.endswith(("_count", "_minor", "_milli"))
)
PRODUCT_COLUMNS = tuple(
    c.key for c in ProductSummary.__table__.columns if c.key.endswith(("_minor", "_milli"))
)
GROUP_COLUMNS = {
    "day": "business_day",
    "hour": "hour",
    "register": "register_id",
    "employee": "employee_id",
    "channel": "channel",
    "shift": "shift_id",
}


@dataclass
class Sums:
    """One group's integer sums: the sales columns, net per tender, net tax per rate."""

    sales: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    tenders: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    taxes: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    promotions: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # by id


async def daily_sales(
    session: AsyncSession,
    principal: Principal,
    *,
    location_id: str | None,
    first: date | None,
    last: date | None,
    group_by: SalesGrouping,
) -> DailySalesOut:
    """The report over business days ``first``..``last`` of one location or every location
    the principal may see, on a session begun after the rollup caught up (ADR 0016)."""
    scope = await report_scope(session, principal, location_id, first, last)
    location_ids, days, exponent = scope.location_ids, scope.days, scope.exponent
    by_category = group_by == "category"
    if by_category:
        groups = await _category_sums(session, principal.tenant_id, location_ids, days)
    else:
        columns = (GROUP_COLUMNS[group_by],)
        found = await sales_sums(session, principal.tenant_id, location_ids, days, columns)
        groups = {key[0]: sums for key, sums in found.items()}
    labels = await group_labels(session, group_by, set(groups))
    names = await _promotion_names(
        session, {p for sums in groups.values() for p in sums.promotions}
    )
    rows = [
        figures(
            key,
            labels.get(key, key),
            sums,
            exponent,
            by_category=by_category,
            promotion_names=names,
        )
        for key, sums in sorted(groups.items())
    ]
    total = figures(
        "total",
        "Total",
        add_up(groups.values()),
        exponent,
        by_category=by_category,
        promotion_names=names,
    )
    return DailySalesOut(
        currency=scope.currency,
        from_=days.first,
        to=days.last,
        group_by=group_by,
        location_ids=location_ids,
        rows=rows,
        totals=total,
    )


def _key(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return f"{value:02d}"  # an hour
    return str(value)


def summary_scope(model: Any, tenant_id: str, location_ids: list[str], days: Period) -> list[Any]:
    """The conditions that pick a summary table's rows of these locations and days."""
    return [
        model.tenant_id == tenant_id,
        model.location_id.in_(location_ids),
        model.business_day >= days.first,
        model.business_day <= days.last,
    ]


async def sales_sums(
    session: AsyncSession,
    tenant_id: str,
    location_ids: list[str],
    days: Period,
    columns: tuple[str, ...],
) -> dict[tuple[str, ...], Sums]:
    """The summaries' integer sums per value of ``columns`` (each value as text)."""
    groups: dict[tuple[str, ...], Sums] = defaultdict(Sums)
    if not location_ids:
        return groups
    stmt = (
        select(
            *(getattr(SalesSummary, c) for c in columns),
            *(func.sum(getattr(SalesSummary, c)) for c in SALES_COLUMNS),
        )
        .where(*summary_scope(SalesSummary, tenant_id, location_ids, days))
        .group_by(*(getattr(SalesSummary, c) for c in columns))
    )
    width = len(columns)
    for row in await session.execute(stmt):
        key = tuple(_key(v) for v in row[:width])
        groups[key].sales.update(zip(SALES_COLUMNS, map(int, row[width:]), strict=True))
    tender_by = [getattr(TenderSummary, c) for c in columns]
    stmt = (
        select(
            *tender_by,
            TenderSummary.tender_type,
            TenderSummary.card_brand,
            func.sum(TenderSummary.amount_minor - TenderSummary.refund_minor),
        )
        .where(*summary_scope(TenderSummary, tenant_id, location_ids, days))
        .group_by(*tender_by, TenderSummary.tender_type, TenderSummary.card_brand)
    )
    for row in await session.execute(stmt):
        tender, brand, net = row[width:]
        name = f"{tender}:{brand}" if brand != NONE else tender
        groups[tuple(_key(v) for v in row[:width])].tenders[name] += int(net)
    tax_by = [getattr(TaxSummary, c) for c in columns]
    stmt = (
        select(
            *tax_by,
            TaxSummary.tax_rate_id,
            func.max(TaxSummary.name),
            func.max(TaxSummary.rate),
            func.sum(TaxSummary.tax_minor - TaxSummary.refund_tax_minor),
        )
        .where(*summary_scope(TaxSummary, tenant_id, location_ids, days))
        .group_by(*tax_by, TaxSummary.tax_rate_id)
    )
    for row in await session.execute(stmt):
        rate_id, name, rate, net = row[width:]
        label = f"{name} ({rate} %)" if name else rate_id
        groups[tuple(_key(v) for v in row[:width])].taxes[label] += int(net)
    discount_by = [getattr(DiscountSummary, c) for c in columns]
    stmt = (
        select(*discount_by, DiscountSummary.promotion_id, func.sum(DiscountSummary.amount_minor))
        .where(*summary_scope(DiscountSummary, tenant_id, location_ids, days))
        .group_by(*discount_by, DiscountSummary.promotion_id)
    )
    for row in await session.execute(stmt):
        promotion_id, amount = row[width:]
        groups[tuple(_key(v) for v in row[:width])].promotions[promotion_id] += int(amount)
    return groups


async def _category_sums(
    session: AsyncSession, tenant_id: str, location_ids: list[str], days: Period
) -> dict[str, Sums]:
    groups: dict[str, Sums] = defaultdict(Sums)
    if not location_ids:
        return groups
    stmt = (
        select(
            ProductSummary.category_id,
            *(func.sum(getattr(ProductSummary, c)) for c in PRODUCT_COLUMNS),
        )
        .where(*summary_scope(ProductSummary, tenant_id, location_ids, days))
        .group_by(ProductSummary.category_id)
    )
    for key, *sums in await session.execute(stmt):
        groups[_key(key)].sales.update(zip(PRODUCT_COLUMNS, map(int, sums), strict=True))
    return groups


def add_up(groups: Iterable[Sums]) -> Sums:
    total = Sums()
    for sums in groups:
        for part, into in (
            (sums.sales, total.sales),
            (sums.tenders, total.tenders),
            (sums.taxes, total.taxes),
            (sums.promotions, total.promotions),
        ):
            for name, value in part.items():
                into[name] += value
    return total


def figures(
    key: str,
    label: str,
    sums: Sums,
    exponent: int,
    *,
    by_category: bool,
    promotion_names: dict[str, str] | None = None,
) -> SalesFigures:
    """One row's figures from its integer sums (the product summaries' for a category)."""
    s = sums.sales

    def money(minor: int) -> Decimal:
        return from_minor(minor, exponent)

    if by_category:
        gross, net = s.get("gross_minor", 0), s.get("net_minor", 0)
        returns = s.get("returns_minor", 0)
        cost = s.get("cost_minor", 0) - s.get("returns_cost_minor", 0)
        net_sales = net - returns
        return SalesFigures(
            key=key,
            label=label,
            units=from_thousandths(s.get("units_milli", 0)),
            gross_sales=money(gross),
            discounts=money(gross - net),
            returns=money(returns),
            voids=money(0),
            net_sales=money(net_sales),
            cost_of_goods=money(cost),
            margin=money(net_sales - cost),
            margin_percent=percent(net_sales - cost, net_sales),
        )
    net_sales = (
        s.get("gross_minor", 0)
        - s.get("discount_minor", 0)
        - s.get("returns_minor", 0)
        - s.get("void_minor", 0)
    )
    cost = s.get("cost_minor", 0) - s.get("returns_cost_minor", 0) - s.get("void_cost_minor", 0)
    orders = s.get("order_count", 0)
    sold = s.get("gross_minor", 0) - s.get("discount_minor", 0)
    tax = s.get("tax_minor", 0) - s.get("refund_tax_minor", 0) - s.get("void_tax_minor", 0)
    return SalesFigures(
        key=key,
        label=label,
        orders=orders,
        units=from_thousandths(s.get("units_milli", 0)),
        gross_sales=money(s.get("gross_minor", 0)),
        discounts=money(s.get("discount_minor", 0)),
        returns=money(s.get("returns_minor", 0)),
        voids=money(s.get("void_minor", 0)),
        net_sales=money(net_sales),
        tax=money(tax),
        tips=money(s.get("tip_minor", 0)),
        service_charges=money(s.get("service_charge_minor", 0)),
        gift_cards_sold=money(s.get("gift_card_sold_minor", 0)),
        gift_cards_redeemed=money(sums.tenders.get("gift_card", 0)),
        refunded_other=money(s.get("refund_other_minor", 0) + s.get("void_other_minor", 0)),
        cash_rounding=money(s.get("cash_rounding_minor", 0)),
        total_collected=money(sum(sums.tenders.values())),
        average_ticket=money(round_to_minor(Decimal(sold) / orders)) if orders else None,
        cost_of_goods=money(cost),
        margin=money(net_sales - cost),
        margin_percent=percent(net_sales - cost, net_sales),
        refunds=s.get("refund_count", 0),
        voided_orders=s.get("void_count", 0),
        voided_open_orders=s.get("open_void_count", 0),
        voided_open_amount=money(s.get("open_void_minor", 0)),
        tenders={name: money(v) for name, v in sorted(sums.tenders.items())},
        taxes={name: money(v) for name, v in sorted(sums.taxes.items())},
        discounts_by_promotion={
            (promotion_names or {}).get(pid, pid): money(v)
            for pid, v in sorted(sums.promotions.items())
        },
    )


def percent(part: int, whole: int) -> Decimal | None:
    """``part / whole × 100`` to two places, half-up; None for nothing to divide by."""
    if whole == 0:
        return None
    return Decimal(round_to_minor(Decimal(part) * 10_000 / whole)) / 100


async def group_labels(
    session: AsyncSession, group_by: SalesGrouping, keys: set[str]
) -> dict[str, str]:
    """Names for register, employee and category keys (the key itself otherwise)."""
    models: dict[str, Any] = {"register": Register, "employee": Employee, "category": Category}
    model = models.get(group_by)
    named = {NONE: "None"}
    if model is None or not keys - {NONE}:
        return named if group_by in models else {}
    stmt = select(model.id, model.name).where(model.id.in_(keys - {NONE}))
    return named | {row[0]: row[1] for row in await session.execute(stmt)}


async def _promotion_names(session: AsyncSession, ids: set[str]) -> dict[str, str]:
    """Promotion names by id (two of one name are told apart by their id)."""
    found: dict[str, str] = {}
    for chunk in in_list_chunks(sorted(ids)):
        stmt = select(Promotion.id, Promotion.name).where(Promotion.id.in_(chunk))
        found |= {row[0]: row[1] for row in await session.execute(stmt)}
    counts: dict[str, int] = defaultdict(int)
    for name in found.values():
        counts[name] += 1
    return {pid: name if counts[name] == 1 else f"{name} ({pid})" for pid, name in found.items()}
