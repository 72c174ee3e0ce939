"""A location-day's figures for its journal, read from the report summaries (ADR 0016) and,
for cash over/short, from the shifts closed that (local) day."""

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.catalog.models import Category
from tillpoint.reports.accounting.journal import (
    CategoryFigure,
    DayFigures,
    TaxFigure,
    TenderFigure,
)
from tillpoint.reports.local_days import day_window
from tillpoint.reports.models import ProductSummary, SalesSummary, TaxSummary, TenderSummary
from tillpoint.reports.scope import ReportLocation
from tillpoint.sales.models import Shift


async def day_figures(session: AsyncSession, location: ReportLocation, day: date) -> DayFigures:
    """Sums over the day's summary rows (every hour, register, employee and channel)."""
    s = SalesSummary
    sales = (
        await session.execute(
            select(
                func.coalesce(func.sum(s.service_charge_minor), 0),
                func.coalesce(func.sum(s.tip_minor), 0),
                func.coalesce(func.sum(s.gift_card_sold_minor), 0),
                func.coalesce(func.sum(s.cash_rounding_minor), 0),
                func.coalesce(func.sum(s.refund_other_minor + s.void_other_minor), 0),
                func.coalesce(func.sum(s.cost_minor - s.returns_cost_minor - s.void_cost_minor), 0),
            ).where(s.location_id == location.location_id, s.business_day == day)
        )
    ).one()
    t = TenderSummary
    tenders = (
        await session.execute(
            select(t.tender_type, t.card_brand, func.sum(t.amount_minor), func.sum(t.refund_minor))
            .where(t.location_id == location.location_id, t.business_day == day)
            .group_by(t.tender_type, t.card_brand)
        )
    ).all()
    x = TaxSummary
    taxes = (
        await session.execute(
            select(
                x.tax_rate_id,
                func.max(x.name),
                func.max(x.rate),
                func.sum(x.tax_minor),
                func.sum(x.refund_tax_minor),
            )
            .where(x.location_id == location.location_id, x.business_day == day)
            .group_by(x.tax_rate_id)
        )
    ).all()
    p = ProductSummary
    categories = (
        await session.execute(
            select(
                p.category_id,
                func.max(Category.name),
                func.sum(p.gross_minor),
                func.sum(p.discount_minor),
                func.sum(p.returns_minor),
            )
            .outerjoin(
                Category,
                (Category.tenant_id == p.tenant_id) & (Category.id == p.category_id),
            )
            .where(p.location_id == location.location_id, p.business_day == day)
            .group_by(p.category_id)
        )
    ).all()
    start, end = day_window(day, day, location.timezone)
    over_short = (
        await session.execute(
            select(func.coalesce(func.sum(Shift.over_short_minor), 0)).where(
                Shift.location_id == location.location_id,
                Shift.status == "closed",
                Shift.closed_at >= start,
                Shift.closed_at < end,
            )
        )
    ).scalar_one()
    charges, tips, gift_cards, rounding, given_back, cost = (int(v) for v in sales)
    return DayFigures(
        tenders=[TenderFigure(kind, brand, int(a), int(r)) for kind, brand, a, r in tenders],
        categories=[
            CategoryFigure(cid, name or "", int(g), int(d), int(r))
            for cid, name, g, d, r in categories
        ],
        taxes=[TaxFigure(rid, name, rate, int(a), int(r)) for rid, name, rate, a, r in taxes],
        service_charge_minor=charges,
        tip_minor=tips,
        gift_card_sold_minor=gift_cards,
        cash_rounding_minor=rounding,
        other_given_back_minor=given_back,
        cost_minor=cost,
        over_short_minor=int(over_short or 0),
    )
