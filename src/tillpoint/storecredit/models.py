"""Store credit accounts (one per customer, keyed by the customer's id) and their ledger.

The balance changes only through ``STORE_CREDIT_LEDGER`` (``core.balances.BalanceLedger``):
one self-checking UPDATE plus an entry with ``balance_after``, never below zero.
"""

from datetime import datetime
from typing import Literal

from sqlalchemy import BigInteger, ForeignKeyConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from tillpoint.core.balances import BalanceLedger
from tillpoint.core.db import Base, TenantScoped, table_of

# issued: a refund to store credit; spent: a store_credit tender; refunded: a refund or void
# of a store_credit payment, back to the credit; adjusted: by hand, with a reason; merged: moved
# between two customers by a merge.
EntryReason = Literal["issued", "spent", "refunded", "adjusted", "merged"]


class StoreCreditAccount(TenantScoped, Base):
    __tablename__ = "store_credit_accounts"

    # The customer's id (cust_…): one account per customer.
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    balance_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    # The account is the customer's (its id is the customer's id).
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "id"], ["customers.tenant_id", "customers.id"]),
    )


class StoreCreditEntry(TenantScoped, Base):
    __tablename__ = "store_credit_entries"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(40))
    delta: Mapped[int] = mapped_column(BigInteger)
    balance_after: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[EntryReason] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(String(500))
    order_id: Mapped[str | None] = mapped_column(String(40))
    payment_id: Mapped[str | None] = mapped_column(String(40))
    refund_id: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime]
    created_by: Mapped[str | None] = mapped_column(String(80))

    __table_args__ = (Index("ix_store_credit_entries_customer", "tenant_id", "customer_id", "id"),)


STORE_CREDIT_LEDGER = BalanceLedger(
    table_of(StoreCreditAccount),
    table_of(StoreCreditEntry),
    "customer_id",
    "store_credit_entry",
    "balance_minor",
)
