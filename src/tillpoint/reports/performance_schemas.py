"""Response models of the product performance and staff reports."""

from datetime import date
from typing import Literal

from pydantic import Field

from tillpoint.core.schemas import ApiModel, DecimalNumber

ProductGrouping = Literal["variant", "product", "category"]
ProductSort = Literal["netSales", "units", "margin", "marginPercent", "returns", "sellThrough"]
StaffGrouping = Literal["employee", "shift"]


class ProductFigures(ApiModel):
    key: str = Field(description="The variant, product or category id (empty: no category)")
    label: str
    sku: str | None = Field(None, description="The variant's SKU (groupBy=variant)")
    units_sold: DecimalNumber
    units_returned: DecimalNumber = Field(description="Returned or voided")
    gross_sales: DecimalNumber = Field(description="Before discounts, ex tax")
    discounts: DecimalNumber
    returns: DecimalNumber = Field(description="Refunded or voided, ex tax")
    net_sales: DecimalNumber = Field(description="grossSales − discounts − returns")
    cost_of_goods: DecimalNumber = Field(description="At the cost the sale lines stored")
    margin: DecimalNumber
    margin_percent: DecimalNumber | None
    on_hand: DecimalNumber = Field(description="On hand now at the report's locations")
    sell_through: DecimalNumber | None = Field(
        description="unitsSold / (unitsSold + onHand) × 100, the share of the stock it had that "
        "the period sold"
    )
    abc_class: Literal["A", "B", "C"] = Field(
        description="By net sales: the best sellers making the first 80 % are A, the next "
        "15 % B, the rest (and anything not sold at a profit to the till) C"
    )


class ProductsOut(ApiModel):
    currency: str
    from_: date = Field(alias="from")
    to: date
    group_by: ProductGrouping
    location_ids: list[str]
    total_rows: int = Field(description="Rows before `limit`")
    rows: list[ProductFigures]


class StaffFigures(ApiModel):
    employee_id: str = Field(description="Empty: sales no employee was named on")
    employee_name: str
    shift_id: str | None = Field(None, description="groupBy=shift: the register's shift")
    register_id: str | None = None
    shift_opened_at: str | None = None
    orders: int
    net_sales: DecimalNumber
    average_ticket: DecimalNumber | None
    discounts: DecimalNumber
    refunds: int
    returns: DecimalNumber
    voided_orders: int
    voids: DecimalNumber
    tips: DecimalNumber


class StaffOut(ApiModel):
    currency: str
    from_: date = Field(alias="from")
    to: date
    group_by: StaffGrouping
    location_ids: list[str]
    rows: list[StaffFigures]
    totals: StaffFigures
