"""Promotions, their coupon codes, and each counted use (a redemption).

A promotion's rules are columns, so the checkout reads every live automatic promotion of a
tenant in one statement. ``uses`` on a promotion and on a code is the number of completed
orders that used it: taken by one self-checking UPDATE when an order completes and given back
when it is voided or fully refunded; ``promotion_redemptions`` says which orders they are.
"""

from datetime import date, datetime
from typing import Literal, get_args

from sqlalchemy import BigInteger, Date, ForeignKeyConstraint, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tillpoint.core.db import Base, JsonType, TenantScoped, Timestamped, Versioned

PromotionKind = Literal["percentage", "fixed_amount", "fixed_price", "buy_x_get_y"]
PromotionScope = Literal["order", "category", "product", "variant"]
PromotionTrigger = Literal["automatic", "coupon"]
Stacking = Literal["exclusive", "combinable"]
PROMOTION_KINDS = get_args(PromotionKind)


class Promotion(TenantScoped, Timestamped, Versioned, Base):
    __tablename__ = "promotions"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(1000), default="")
    # automatic: applies to every order it fits; coupon: only with one of its codes.
    trigger: Mapped[PromotionTrigger] = mapped_column(String(10))
    kind: Mapped[PromotionKind] = mapped_column(String(20))
    # percentage: the percent off (also buy_x_get_y's discount on the "get" units, 100 = free).
    percent: Mapped[str | None] = mapped_column(String(10))
    # fixed_amount: the amount off; fixed_price: the price of each unit.
    amount_minor: Mapped[int | None] = mapped_column(BigInteger)
    buy_quantity: Mapped[int | None]
    get_quantity: Mapped[int | None]
    scope: Mapped[PromotionScope] = mapped_column(String(10), default="order")
    # The categories, products or variants of the scope (empty for the order scope).
    target_ids: Mapped[list[str]] = mapped_column(JsonType, default=list)
    min_cart_minor: Mapped[int | None] = mapped_column(BigInteger)
    max_uses: Mapped[int | None]
    max_uses_per_customer: Mapped[int | None]
    uses: Mapped[int] = mapped_column(default=0)
    first_order_only: Mapped[bool] = mapped_column(default=False)
    # Local dates (inclusive), ISO weekdays (1 = Monday) and times "HH:MM" (end exclusive), all
    # read in the timezone of the order's location.
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    weekdays: Mapped[list[int]] = mapped_column(JsonType, default=list)
    start_time: Mapped[str | None] = mapped_column(String(5))
    end_time: Mapped[str | None] = mapped_column(String(5))
    location_ids: Mapped[list[str]] = mapped_column(JsonType, default=list)  # empty: all
    sources: Mapped[list[str]] = mapped_column(JsonType, default=list)  # empty: all
    stacking: Mapped[Stacking] = mapped_column(String(12), default="combinable")
    priority: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    archived_at: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_promotions_live", "tenant_id", "trigger", "archived_at"),
        Index("ix_promotions_updated", "tenant_id", "updated_at"),
    )


class CouponCode(TenantScoped, Timestamped, Base):
    """One code of a coupon promotion. ``code_key`` is the code folded to upper case: codes are
    case-insensitive and unique per tenant."""

    __tablename__ = "coupon_codes"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    promotion_id: Mapped[str] = mapped_column(String(40))
    code: Mapped[str] = mapped_column(String(40))
    code_key: Mapped[str] = mapped_column(String(40))
    max_uses: Mapped[int | None]
    uses: Mapped[int] = mapped_column(default=0)

    __table_args__ = (
        UniqueConstraint("tenant_id", "code_key", name="uq_coupon_codes_code"),
        ForeignKeyConstraint(
            ["tenant_id", "promotion_id"], ["promotions.tenant_id", "promotions.id"]
        ),
        Index("ix_coupon_codes_promotion", "tenant_id", "promotion_id", "id"),
    )


class PromotionRedemption(TenantScoped, Base):
    """A completed order's use of a promotion (and its code): ``counted`` until the order is
    voided or fully refunded, then ``released``."""

    __tablename__ = "promotion_redemptions"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    promotion_id: Mapped[str] = mapped_column(String(40))
    coupon_id: Mapped[str | None] = mapped_column(String(40))
    order_id: Mapped[str] = mapped_column(String(40))
    customer_id: Mapped[str | None] = mapped_column(String(40))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(10), default="counted")
    created_at: Mapped[datetime]
    released_at: Mapped[datetime | None]

    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "promotion_id"], ["promotions.tenant_id", "promotions.id"]
        ),
        Index("ix_promotion_redemptions_order", "tenant_id", "order_id"),
        Index("ix_promotion_redemptions_customer", "tenant_id", "promotion_id", "customer_id"),
    )
