"""The summary tables reports read, rolled up from the event sequence (docs/adr/0016).

Every figure is additive: a sale, refund or void adds its part to the row of its location,
business day (the location's local date), local hour, register, employee and channel, so a
report over any range and grouping is a sum of rows, never a scan of orders. A row's key
columns hold ``""`` for "none" (an order without a register), since a key cannot be NULL.
Amounts are integer minor units, quantities integer thousandths, as everywhere.
"""

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from tillpoint.core.db import Base, TenantScoped, utcnow

NONE = ""  # a key column's "none": no register, no employee, no category, no card brand


def _amount() -> Mapped[int]:
    return mapped_column(BigInteger, default=0)


class ReportCursor(TenantScoped, Base):
    """How far a rollup has read the tenant's event sequence: every event up to ``last_seq``
    is in the summaries, in the same transaction that moved the cursor."""

    __tablename__ = "report_cursors"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)  # "sales"
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class _SalesKey:
    """The grain every sales summary shares: location, business day and local hour,
    register, employee, channel (the order's source) and the register's shift."""

    location_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    business_day: Mapped[date] = mapped_column(Date, primary_key=True)
    hour: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    register_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    employee_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
    shift_id: Mapped[str] = mapped_column(String(40), primary_key=True)


class SalesSummary(_SalesKey, TenantScoped, Base):
    """Sales, returns and voids of one hour's grain. Sales count on the day the sale happened
    (the order's ``occurredAt``), returns on the day of the refund, voids of completed orders
    on the day of the void: a later change never rewrites a day already reported."""

    __tablename__ = "sales_summaries"

    order_count: Mapped[int] = _amount()
    gross_minor: Mapped[int] = _amount()  # goods and services before discounts, ex tax
    discount_minor: Mapped[int] = _amount()
    tax_minor: Mapped[int] = _amount()
    tip_minor: Mapped[int] = _amount()
    service_charge_minor: Mapped[int] = _amount()
    gift_card_sold_minor: Mapped[int] = _amount()  # a liability, not sales
    cash_rounding_minor: Mapped[int] = _amount()
    cost_minor: Mapped[int] = _amount()  # cost of goods sold, at the cost stored on the line
    units_milli: Mapped[int] = _amount()
    refund_count: Mapped[int] = _amount()
    returns_minor: Mapped[int] = _amount()  # goods returned, ex tax, net of their discount
    refund_tax_minor: Mapped[int] = _amount()
    refund_other_minor: Mapped[int] = _amount()  # tips, service charges, cash rounding
    returns_cost_minor: Mapped[int] = _amount()  # cost of goods put back to stock
    void_count: Mapped[int] = _amount()  # completed orders voided
    void_minor: Mapped[int] = _amount()  # their net sales
    void_tax_minor: Mapped[int] = _amount()
    void_other_minor: Mapped[int] = _amount()  # their tips, charges, gift cards, rounding
    void_cost_minor: Mapped[int] = _amount()
    open_void_count: Mapped[int] = _amount()  # open orders (never sales) voided
    open_void_minor: Mapped[int] = _amount()

    # Every location at once (a report without locationId).
    __table_args__ = (Index("ix_sales_summaries_day", "tenant_id", "business_day"),)


class TenderSummary(_SalesKey, TenantScoped, Base):
    """Money taken and given back per tender (and card brand) in one hour's grain."""

    __tablename__ = "sales_tender_summaries"

    tender_type: Mapped[str] = mapped_column(String(20), primary_key=True)
    card_brand: Mapped[str] = mapped_column(String(30), primary_key=True)
    payment_count: Mapped[int] = _amount()
    amount_minor: Mapped[int] = _amount()
    refund_count: Mapped[int] = _amount()
    refund_minor: Mapped[int] = _amount()  # refunds and voids, given back by this tender


class DiscountSummary(_SalesKey, TenantScoped, Base):
    """Discounts the store's promotions gave, per promotion, in one hour's grain: the amounts
    as the sale lines carry them (at a tax-inclusive location, tax included)."""

    __tablename__ = "sales_discount_summaries"

    promotion_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    line_count: Mapped[int] = _amount()
    amount_minor: Mapped[int] = _amount()


class TaxSummary(_SalesKey, TenantScoped, Base):
    """Tax per rate in one hour's grain; ``name`` and ``rate`` as the last sale showed them."""

    __tablename__ = "sales_tax_summaries"

    tax_rate_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    rate: Mapped[str] = mapped_column(String(20), default="")
    taxable_minor: Mapped[int] = _amount()
    tax_minor: Mapped[int] = _amount()
    refund_tax_minor: Mapped[int] = _amount()  # refunds and voids


class ProductSummary(TenantScoped, Base):
    """Per variant, location and business day: what sold, what came back and what it cost.
    Goods of a voided completed order count as returned (on the day of the void), so these
    rows carry no voids of their own. ``category_id`` is the product's category when the sale
    was rolled up."""

    __tablename__ = "product_summaries"

    location_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    business_day: Mapped[date] = mapped_column(Date, primary_key=True)
    variant_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    product_id: Mapped[str] = mapped_column(String(40))
    category_id: Mapped[str] = mapped_column(String(40), default=NONE)
    units_milli: Mapped[int] = _amount()
    gross_minor: Mapped[int] = _amount()
    discount_minor: Mapped[int] = _amount()
    net_minor: Mapped[int] = _amount()  # ex tax
    cost_minor: Mapped[int] = _amount()
    returned_units_milli: Mapped[int] = _amount()
    returns_minor: Mapped[int] = _amount()  # ex tax
    returns_cost_minor: Mapped[int] = _amount()

    __table_args__ = (
        Index("ix_product_summaries_day", "tenant_id", "business_day", "location_id"),
    )
