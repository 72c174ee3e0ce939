"""Response models of the inventory reports: valuation as of a moment, stock movement over
business days, dead stock and low stock."""

from datetime import date
from typing import Literal

from pydantic import Field

from tillpoint.core.schemas import ApiModel, DecimalNumber, Timestamp

ValuationGroupBy = Literal["location", "category", "variant"]


class ValuationFiguresOut(ApiModel):
    quantity: DecimalNumber = Field(description="On hand as of asOf (negative stays negative)")
    value: DecimalNumber | None = Field(
        description="quantity × the cost in force at asOf, of the stock whose cost is known; "
        "null on a variant row whose cost is unknown"
    )
    unknown_cost_quantity: DecimalNumber = Field(
        description="The part of quantity with no known cost (not in value)"
    )


class ValuationLocationOut(ValuationFiguresOut):
    location_id: str
    location_name: str


class ValuationCategoryOut(ValuationFiguresOut):
    location_id: str
    location_name: str
    category_id: str | None
    category_name: str | None


class ValuationVariantOut(ValuationFiguresOut):
    location_id: str
    location_name: str
    category_id: str | None
    category_name: str | None
    product_id: str
    variant_id: str
    sku: str
    name: str
    unit_cost: DecimalNumber | None = Field(description="The cost in force at asOf")


class ValuationReportOut(ApiModel):
    as_of: Timestamp
    group_by: ValuationGroupBy
    currency: str
    rows: list[ValuationVariantOut] | list[ValuationCategoryOut] | list[ValuationLocationOut]
    totals: ValuationFiguresOut


class MovementFiguresOut(ApiModel):
    opening: DecimalNumber
    received: DecimalNumber
    sold: DecimalNumber = Field(description="Sales (a negative number: stock out)")
    returned: DecimalNumber = Field(description="Refunds and voids put back (and returns)")
    adjusted: DecimalNumber = Field(description="Adjustments other than received and counts")
    counted: DecimalNumber = Field(description="Stock count corrections")
    transferred_in: DecimalNumber
    transferred_out: DecimalNumber = Field(description="A negative number: stock out")
    closing: DecimalNumber = Field(description="opening + every movement above")


class MovementRowOut(MovementFiguresOut):
    location_id: str
    variant_id: str
    sku: str
    name: str


class StockMovementReportOut(ApiModel):
    from_: date = Field(alias="from")
    to: date
    rows: list[MovementRowOut]
    totals: MovementFiguresOut


class DeadStockRowOut(ApiModel):
    location_id: str
    variant_id: str
    product_id: str
    sku: str
    name: str
    on_hand: DecimalNumber
    last_sold_at: Timestamp | None = Field(description="The last sale ever; null: never sold")
    unit_cost: DecimalNumber | None = Field(description="Today's cost; null when unknown")
    value: DecimalNumber | None = Field(description="onHand × unitCost")


class DeadStockTotalsOut(ApiModel):
    on_hand: DecimalNumber
    value: DecimalNumber = Field(description="Of the rows whose cost is known")


class DeadStockReportOut(ApiModel):
    days: int
    since: Timestamp = Field(description="No sale at or after this moment")
    currency: str
    rows: list[DeadStockRowOut]
    totals: DeadStockTotalsOut


class LowStockRowOut(ApiModel):
    location_id: str
    variant_id: str
    product_id: str
    sku: str
    name: str
    on_hand: DecimalNumber
    reserved: DecimalNumber
    available: DecimalNumber
    in_transit: DecimalNumber
    reorder_point: DecimalNumber
    reorder_quantity: DecimalNumber | None
    short_by: DecimalNumber = Field(description="reorderPoint − available (0 when at it)")


class LowStockReportOut(ApiModel):
    rows: list[LowStockRowOut]
