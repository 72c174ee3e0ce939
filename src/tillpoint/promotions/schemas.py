"""Request and response bodies of promotions and their coupon codes."""

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from tillpoint.core.schemas import (
    INTEGRAL,
    ApiModel,
    DecimalNumber,
    Money,
    Name,
    Percent,
    Timestamp,
    Version,
    exactly_one_of,
)
from tillpoint.promotions.models import PromotionKind, PromotionScope, PromotionTrigger, Stacking

Id = Annotated[str, Field(max_length=40)]
# The order sources of sales.models.OrderSource (promotions sit below sales: ADR 0008).
Source = Literal["register", "online", "marketplace", "phone"]


def _iso_date(value: Any) -> Any:
    # A date is text, YYYY-MM-DD (a number is no date, though pydantic would read it as one).
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise PydanticCustomError("date_type", "Input should be a date, YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError(
            "date_from_datetime_parsing", "Input should be a real date"
        ) from None


LocalDate = Annotated[
    date, BeforeValidator(_iso_date), Field(strict=False, description="A local date, YYYY-MM-DD")
]
ClockTime = Annotated[
    str,
    Field(
        max_length=5,
        pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$",
        description="Local time, HH:MM (24 h)",
    ),
]
Weekday = Annotated[
    int, Field(ge=1, le=7, description="ISO weekday: 1 = Monday, 7 = Sunday"), INTEGRAL
]
Count = Annotated[int, Field(ge=1, le=1_000_000_000), INTEGRAL]
Units = Annotated[int, Field(ge=1, le=1000), INTEGRAL]
Priority = Annotated[int, Field(ge=-1000, le=1000, description="Higher applies first"), INTEGRAL]
CouponCodeText = Annotated[
    str,
    Field(
        min_length=3,
        max_length=40,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="Letters, digits, - and _; case-insensitive",
    ),
]


class PromotionFields(ApiModel):
    """What a promotion is; every field of a create, each optional in an update."""

    description: Annotated[str, Field(max_length=1000)] = ""
    trigger: PromotionTrigger = Field(
        default="automatic", description="automatic: every order it fits; coupon: with a code"
    )
    percent: Percent | None = Field(
        default=None, description="percentage: percent off; buy_x_get_y: off the get units"
    )
    amount: Money | None = Field(
        default=None, description="fixed_amount: amount off; fixed_price: price of each unit"
    )
    buy_quantity: Units | None = None
    get_quantity: Units | None = None
    scope: PromotionScope = "order"
    target_ids: Annotated[list[Id], Field(max_length=200)] = Field(
        default=[], description="The categories, products or variants of the scope"
    )
    min_cart_amount: Money | None = None
    max_uses: Count | None = None
    max_uses_per_customer: Count | None = None
    first_order_only: bool = False
    start_date: LocalDate | None = None
    end_date: LocalDate | None = None
    weekdays: Annotated[list[Weekday], Field(max_length=7)] = []
    start_time: ClockTime | None = None
    end_time: ClockTime | None = None
    location_ids: Annotated[list[Id], Field(max_length=200)] = Field(
        default=[], description="Empty: every location"
    )
    sources: Annotated[list[Source], Field(max_length=4)] = Field(
        default=[], description="Empty: every source"
    )
    stacking: Stacking = "combinable"
    priority: Priority = 0
    active: bool = True


class PromotionIn(PromotionFields):
    name: Name
    kind: PromotionKind


class PromotionUpdate(ApiModel):
    """Only the fields given change; ``null`` clears an optional rule."""

    name: Name | None = None
    description: Annotated[str, Field(max_length=1000)] | None = None
    kind: PromotionKind | None = None
    percent: Percent | None = None
    amount: Money | None = None
    buy_quantity: Units | None = None
    get_quantity: Units | None = None
    scope: PromotionScope | None = None
    target_ids: Annotated[list[Id], Field(max_length=200)] | None = None
    min_cart_amount: Money | None = None
    max_uses: Count | None = None
    max_uses_per_customer: Count | None = None
    first_order_only: bool | None = None
    start_date: LocalDate | None = None
    end_date: LocalDate | None = None
    weekdays: Annotated[list[Weekday], Field(max_length=7)] | None = None
    start_time: ClockTime | None = None
    end_time: ClockTime | None = None
    location_ids: Annotated[list[Id], Field(max_length=200)] | None = None
    sources: Annotated[list[Source], Field(max_length=4)] | None = None
    stacking: Stacking | None = None
    priority: Priority | None = None
    active: bool | None = None
    version: Version | None = None


class PromotionOut(ApiModel):
    promotion_id: str
    name: str
    description: str
    trigger: str
    kind: str
    percent: DecimalNumber | None
    amount: DecimalNumber | None
    buy_quantity: int | None
    get_quantity: int | None
    scope: str
    target_ids: list[str]
    min_cart_amount: DecimalNumber | None
    max_uses: int | None
    max_uses_per_customer: int | None
    uses: int = Field(description="Completed orders that used it (given back on void/refund)")
    first_order_only: bool
    start_date: date | None
    end_date: date | None
    weekdays: list[int]
    start_time: str | None
    end_time: str | None
    location_ids: list[str]
    sources: list[str]
    stacking: str
    priority: int
    active: bool
    archived_at: Timestamp | None
    version: int
    created_at: Timestamp
    updated_at: Timestamp


class CouponCodesIn(ApiModel):
    """One code (``code``) or a batch of ``count`` unique generated ones."""

    model_config = ConfigDict(json_schema_extra=exactly_one_of("code", "count"))

    code: CouponCodeText | None = None
    count: Annotated[int, Field(ge=1, le=1000), INTEGRAL] | None = None
    prefix: Annotated[str, Field(max_length=10, pattern=r"^[A-Za-z0-9_-]*$")] = ""
    length: Annotated[int, Field(ge=6, le=20, description="Generated characters"), INTEGRAL] = 10
    max_uses: Count | None = Field(
        default=None, description="Per code; a generated code is used once unless told"
    )


class CouponCodeOut(ApiModel):
    coupon_id: str
    promotion_id: str
    code: str
    max_uses: int | None
    uses: int
    created_at: Timestamp


class CouponCodesOut(ApiModel):
    promotion_id: str
    codes: list[CouponCodeOut]


# What orders carry (sales.schemas).
CouponCodes = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=40)]],
    Field(max_length=5, description="Coupon codes of promotions (case-insensitive)"),
]


class DiscountPromotionOut(ApiModel):
    """The promotion a line's discount came from."""

    promotion_id: str
    name: str
    code: str | None = Field(description="The coupon code entered for it")


class PromotionTotalOut(ApiModel):
    """What one promotion (with its code) took off the whole order, over its lines."""

    promotion_id: str
    name: str
    code: str | None
    amount: DecimalNumber
