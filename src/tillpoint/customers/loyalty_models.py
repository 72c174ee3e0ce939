"""Loyalty: one program per tenant, a points account per customer and its ledger.

An account's ``balance`` changes only through ``core.balances.BalanceLedger`` (one atomic,
self-checking UPDATE and a ledger entry carrying ``balance_after``), so the ledger always sums
to the balance and the balance is never negative. The account's id is the customer's id.
"""

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKeyConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from tillpoint.core.db import Base, JsonType, TenantScoped, Timestamped, Versioned


class LoyaltyProgram(TenantScoped, Timestamped, Versioned, Base):
    """The tenant's program; its primary key is the tenant (one program per tenant)."""

    __tablename__ = "loyalty_programs"

    name: Mapped[str] = mapped_column(String(100), default="Loyalty")
    active: Mapped[bool] = mapped_column(default=True)
    # Decimals as text, exact on both databases: points per currency unit spent, and what one
    # point is worth in the currency when redeemed.
    points_per_unit: Mapped[str] = mapped_column(String(20))
    point_value: Mapped[str] = mapped_column(String(20))
    rounding: Mapped[str] = mapped_column(String(10), default="down")
    minimum_redemption: Mapped[int] = mapped_column(BigInteger, default=0)
    expiry_months: Mapped[int | None]
    excluded_category_ids: Mapped[list[str]] = mapped_column(JsonType, default=list)


class LoyaltyAccount(TenantScoped, Base):
    __tablename__ = "loyalty_accounts"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # the customer's id
    balance: Mapped[int] = mapped_column(BigInteger, default=0)
    # Earning, redeeming and manual adjustments are activity; expiry counts from the last.
    last_activity_at: Mapped[datetime]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        # The account is the customer's (its id is the customer's id).
        ForeignKeyConstraint(["tenant_id", "id"], ["customers.tenant_id", "customers.id"]),
        Index("ix_loyalty_accounts_activity", "tenant_id", "last_activity_at"),
    )


class LoyaltyEntry(TenantScoped, Base):
    """One change of an account's points (its kind: earned, reversed, redeemed, returned, …)."""

    __tablename__ = "loyalty_entries"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(40))
    delta: Mapped[int] = mapped_column(BigInteger)
    balance_after: Mapped[int] = mapped_column(BigInteger)
    # earned, reversed, redeemed, returned, adjusted, expired, merged
    kind: Mapped[str] = mapped_column(String(20))
    order_id: Mapped[str | None] = mapped_column(String(40))
    refund_id: Mapped[str | None] = mapped_column(String(40))
    # An earn's basis: the eligible net (minor units) and the lines it came from, which
    # refunds reverse pro rata.
    basis_minor: Mapped[int | None] = mapped_column(BigInteger)
    line_ids: Mapped[list[str] | None] = mapped_column(JsonType)
    # Why, for an adjustment (the person's words) or an expiry.
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_by: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime]

    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "account_id"], ["loyalty_accounts.tenant_id", "loyalty_accounts.id"]
        ),
        Index("ix_loyalty_entries_account", "tenant_id", "account_id", "created_at"),
        Index("ix_loyalty_entries_order", "tenant_id", "order_id"),
    )
