"""Response models of the sales reports. Money is a number with the currency's precision;
quantities are numbers with up to 3 decimals; ``None`` where a figure does not apply to the
grouping (a category row has no tenders)."""

from datetime import date
from typing import Literal

from pydantic import Field

from tillpoint.core.schemas import ApiModel, DecimalNumber

SalesGrouping = Literal["day", "hour", "register", "employee", "category", "channel", "shift"]


class SalesFigures(ApiModel):
    """One row of the daily sales report, or its totals."""

    key: str = Field(
        description="What the row groups by: the business day (YYYY-MM-DD), the local hour "
        "(00–23, over every day of the range), a register, employee, category or shift id "
        "(empty: none), or the channel (the order's source)"
    )
    label: str = Field(description="The key as people read it (a name; the day or hour again)")
    orders: int | None = Field(None, description="Completed sales")
    units: DecimalNumber = Field(description="Units sold (goods, gift cards aside)")
    gross_sales: DecimalNumber = Field(description="Goods and services before discounts, ex tax")
    discounts: DecimalNumber
    returns: DecimalNumber = Field(description="Goods refunded, ex tax, net of their discounts")
    voids: DecimalNumber = Field(description="Net sales of completed orders voided that day")
    net_sales: DecimalNumber = Field(description="grossSales − discounts − returns − voids")
    tax: DecimalNumber | None = Field(None, description="Tax collected less tax given back")
    tips: DecimalNumber | None = None
    service_charges: DecimalNumber | None = None
    gift_cards_sold: DecimalNumber | None = Field(None, description="A liability, not sales")
    gift_cards_redeemed: DecimalNumber | None = Field(None, description="Paid by gift card, net")
    refunded_other: DecimalNumber | None = Field(
        None, description="Refunded tips, service charges, rounding and gift card lines"
    )
    cash_rounding: DecimalNumber | None = None
    total_collected: DecimalNumber | None = Field(
        None, description="Every tender, net of refunds and voids (the sum of `tenders`)"
    )
    average_ticket: DecimalNumber | None = Field(
        None, description="(grossSales − discounts) / orders, before returns"
    )
    cost_of_goods: DecimalNumber = Field(
        description="At the cost each sale line stored, net of goods put back to stock"
    )
    margin: DecimalNumber = Field(description="netSales − costOfGoods")
    margin_percent: DecimalNumber | None = Field(None, description="margin / netSales × 100")
    refunds: int | None = Field(None, description="Refunds made")
    voided_orders: int | None = Field(None, description="Completed orders voided")
    voided_open_orders: int | None = Field(None, description="Open orders voided (never sales)")
    voided_open_amount: DecimalNumber | None = None
    tenders: dict[str, DecimalNumber] | None = Field(
        None,
        description="Net per tender: `cash`, `credit_card:<brand>` per card brand (plain "
        "`credit_card` when none was recorded), `gift_card`, `store_credit`, `other`, "
        "`exchange_credit` (an exchange's refund paying its new order: nets to zero)",
    )
    taxes: dict[str, DecimalNumber] | None = Field(
        None, description="Net tax per rate, keyed by the rate's name and percent"
    )


class DailySalesOut(ApiModel):
    currency: str
    from_: date = Field(alias="from")
    to: date
    group_by: SalesGrouping
    location_ids: list[str] = Field(description="The locations the report covers")
    rows: list[SalesFigures]
    totals: SalesFigures
