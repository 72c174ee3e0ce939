"""Request and response bodies of register shifts, their cash movements and X/Z reports.

Money is a JSON number in major units; the service converts it with the currency's precision.
"""

from typing import Annotated, Literal

from pydantic import Field

from tillpoint.core.schemas import (
    NOT_BLANK,
    ApiModel,
    DecimalNumber,
    Money,
    PositiveMoney,
    Timestamp,
    Version,
)

Notes = Annotated[str, Field(max_length=500)]
Reason = Annotated[str, Field(min_length=1, max_length=500, pattern=NOT_BLANK)]
ShiftStatus = Literal["open", "closed"]
CashMovementKind = Literal["paid_in", "paid_out"]


class ShiftOpenIn(ApiModel):
    opening_float: Money = Field(description="Cash in the drawer at the start of the shift")
    notes: Notes = ""


class ShiftCloseIn(ApiModel):
    counted_cash: Money = Field(description="Cash counted in the drawer at the close")
    notes: Notes = ""
    version: Version | None = None


class CashMovementIn(ApiModel):
    kind: CashMovementKind = Field(description="paid_in: cash put in; paid_out: cash taken out")
    amount: PositiveMoney
    reason: Reason


class CashMovementOut(ApiModel):
    cash_movement_id: str
    shift_id: str
    kind: CashMovementKind
    amount: DecimalNumber
    reason: str
    created_at: Timestamp
    created_by: str | None


class TenderTotalsOut(ApiModel):
    tender_type: str
    payment_count: int = Field(description="Captured payments in this tender")
    payments: DecimalNumber = Field(description="What they paid towards orders (net of change)")
    refund_count: int
    refunds: DecimalNumber = Field(description="Refunded to this tender")
    net: DecimalNumber = Field(description="payments - refunds")


class ShiftReportOut(ApiModel):
    """The shift's figures: a Z report once closed (frozen at the close), an X report (live,
    nothing is closed) while open."""

    kind: Literal["X", "Z"] = Field(description="Z: the closed shift's; X: an open shift's so far")
    shift_id: str
    register_id: str
    location_id: str
    status: ShiftStatus
    currency: str
    opened_at: Timestamp
    opened_by: str | None = Field(description="The user (or API key) that opened the shift")
    opened_by_name: str | None = Field(description="The name of whoever opened it")
    closed_at: Timestamp | None
    closed_by: str | None = Field(description="The user (or API key) that closed it")
    closed_by_name: str | None = Field(description="The name of whoever closed it")
    generated_at: Timestamp
    opening_float: DecimalNumber
    cash_sales: DecimalNumber = Field(description="Captured cash payments, net of change")
    cash_refunds: DecimalNumber
    paid_in: DecimalNumber
    paid_in_count: int
    paid_out: DecimalNumber
    paid_out_count: int
    expected_cash: DecimalNumber = Field(
        description="openingFloat + cashSales - cashRefunds + paidIn - paidOut"
    )
    counted_cash: DecimalNumber | None = Field(description="Z report only")
    over_short: DecimalNumber | None = Field(
        description="countedCash - expectedCash: above zero over, below zero short (Z only)"
    )
    order_count: int = Field(description="Orders completed in the shift (their shiftId)")
    payment_count: int
    refund_count: int
    voided_payment_count: int
    tenders: list[TenderTotalsOut]


class ShiftOut(ApiModel):
    shift_id: str
    register_id: str
    location_id: str
    status: ShiftStatus
    opening_float: DecimalNumber
    opened_at: Timestamp
    opened_by: str | None = Field(description="The user (or API key) that opened the shift")
    opened_by_name: str | None = Field(description="The name of whoever opened it")
    opening_notes: str
    closed_at: Timestamp | None
    closed_by: str | None = Field(description="The user (or API key) that closed it")
    closed_by_name: str | None = Field(description="The name of whoever closed it")
    closing_notes: str
    counted_cash: DecimalNumber | None
    expected_cash: DecimalNumber | None
    over_short: DecimalNumber | None
    report: ShiftReportOut | None = Field(description="The Z report, once closed")
    version: int
    created_at: Timestamp
    updated_at: Timestamp
