"""The cash report's response: drawer figures per shift, per business day and per location."""

from datetime import date
from typing import Literal

from pydantic import Field

from tillpoint.core.schemas import ApiModel, DecimalNumber, Timestamp

CashGroupBy = Literal["shift", "day", "location"]


class CashFiguresOut(ApiModel):
    """A drawer's figures, or the sum of several drawers'."""

    shift_count: int
    open_shift_count: int = Field(description="Shifts still open: not counted yet")
    opening_float: DecimalNumber
    cash_sales: DecimalNumber
    cash_refunds: DecimalNumber
    paid_in: DecimalNumber
    paid_out: DecimalNumber
    expected_cash: DecimalNumber = Field(
        description="openingFloat + cashSales − cashRefunds + paidIn − paidOut"
    )
    counted_cash: DecimalNumber | None = Field(
        description="What the closed shifts' counts found; null when none is closed"
    )
    over_short: DecimalNumber | None = Field(
        description="countedCash − expectedCash of the closed shifts (negative: short)"
    )


class CashShiftOut(CashFiguresOut):
    shift_id: str
    register_id: str
    location_id: str
    business_day: date = Field(
        description="The location's local date of the close (of the opening while open)"
    )
    status: Literal["open", "closed"]
    opened_at: Timestamp
    closed_at: Timestamp | None


class CashDayOut(CashFiguresOut):
    location_id: str
    business_day: date


class CashLocationOut(CashFiguresOut):
    location_id: str
    name: str


class CashReportOut(ApiModel):
    from_: date = Field(alias="from")
    to: date
    group_by: CashGroupBy
    currency: str
    rows: list[CashShiftOut] | list[CashDayOut] | list[CashLocationOut] = Field(
        description="One row per shift, per location and business day, or per location"
    )
    locations: list[CashLocationOut]
    totals: CashFiguresOut
