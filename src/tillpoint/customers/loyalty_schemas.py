"""Bodies of the loyalty program, a customer's points and their adjustments."""

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator

from tillpoint.core.schemas import (
    INTEGRAL,
    NOT_BLANK,
    ApiModel,
    DecimalNumber,
    PositiveRate,
    Rate,
    Timestamp,
    Version,
)

Points = Annotated[int, Field(ge=-(10**12), le=10**12), INTEGRAL]
Reason = Annotated[str, Field(min_length=1, max_length=500, pattern=NOT_BLANK)]


class LoyaltyProgramIn(ApiModel):
    name: Annotated[str, Field(min_length=1, max_length=100, pattern=NOT_BLANK)] = "Loyalty"
    active: bool = True
    points_per_unit: PositiveRate = Field(
        description="Points per currency unit spent (1: a point a dollar; 0.1: a point per ten)"
    )
    point_value: Rate = Field(description="What one point is worth when redeemed (0.01: a cent)")
    rounding: Literal["down", "half_up", "up"] = Field(
        default="down", description="How an order's points are rounded to a whole number"
    )
    minimum_redemption: Annotated[int, Field(ge=0, le=10**12), INTEGRAL] = 0
    expiry_months: Annotated[int, Field(ge=1, le=120), INTEGRAL] | None = Field(
        default=None, description="Points expire after this many months without activity"
    )
    excluded_category_ids: Annotated[
        list[Annotated[str, Field(max_length=40)]], Field(max_length=200)
    ] = Field(default=[], description="Lines of these categories earn no points")
    version: Version | None = Field(default=None, description="The program's version, if set up")


class LoyaltyProgramOut(ApiModel):
    name: str
    active: bool
    points_per_unit: DecimalNumber
    point_value: DecimalNumber
    rounding: str
    minimum_redemption: int
    expiry_months: int | None
    excluded_category_ids: list[str]
    version: int
    created_at: Timestamp
    updated_at: Timestamp

    @field_validator("points_per_unit", "point_value", mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        return Decimal(value) if isinstance(value, str) else value


class LoyaltyEntryOut(ApiModel):
    entry_id: str = Field(validation_alias="id")
    points: int = Field(validation_alias="delta")
    balance_after: int
    type: str = Field(
        validation_alias="kind",
        description="earned, reversed, redeemed, returned, adjusted, expired, merged",
    )
    reason: str
    order_id: str | None
    refund_id: str | None
    created_by: str | None
    created_at: Timestamp


class LoyaltyEntriesPage(ApiModel):
    items: list[LoyaltyEntryOut]
    page: int
    page_size: int
    total: int


class LoyaltyAccountOut(ApiModel):
    customer_id: str
    balance: int
    value: DecimalNumber = Field(description="What the balance is worth when redeemed")
    last_activity_at: Timestamp | None
    expires_at: Timestamp | None = Field(description="When the balance expires without activity")
    entries: LoyaltyEntriesPage


class LoyaltyAdjustmentIn(ApiModel):
    points: Points = Field(
        description="Points to add (negative to take away); not 0",
        json_schema_extra={"not": {"const": 0}},
    )
    reason: Reason

    @field_validator("points")
    @classmethod
    def _not_zero(cls, value: int) -> int:
        if value == 0:
            raise ValueError("an adjustment changes the balance: give points other than 0")
        return value


class LoyaltyAdjustmentOut(ApiModel):
    customer_id: str
    points: int
    balance: int
    entry_id: str


class LoyaltyRedemptionIn(ApiModel):
    points: Annotated[int, Field(ge=1, le=10**12), INTEGRAL] = Field(
        description="Points the order's customer redeems, as an order discount"
    )
    version: Version | None = Field(default=None, description="The order's version")
