"""Gift cards and their ledger.

A card's code is never stored: only its keyed digest (HMAC-SHA256 under a key derived from
the server's secret key, ``codes.py``) and its last 4 characters for display. A generated
code is also kept encrypted (Fernet, like webhook secrets) so it can be shown again to a
principal allowed to manage cards; a physical card's code is on the card.

The balance lives on the card row and changes only through ``GIFT_CARD_LEDGER``
(``core.balances.BalanceLedger``): one self-checking UPDATE plus an entry with
``balance_after``, in the caller's transaction.
"""

from datetime import datetime
from typing import Literal

from sqlalchemy import BigInteger, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tillpoint.core.balances import BalanceLedger
from tillpoint.core.db import Base, TenantScoped, Timestamped, Versioned, table_of

# inactive: registered or generated, not yet sold; active: loaded and spendable;
# deactivated: stopped by a manager (lost, stolen), never spendable again.
GiftCardStatus = Literal["inactive", "active", "deactivated"]
GiftCardSource = Literal["physical", "generated"]
# activation, reload (a sold reload line or by hand), redemption (a tender), refund (a refund
# or void back to the card), return (a sold card's line refunded or voided).
EntryReason = Literal["activation", "reload", "redemption", "refund", "return"]


class GiftCard(TenantScoped, Timestamped, Versioned, Base):
    __tablename__ = "gift_cards"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    code_digest: Mapped[str] = mapped_column(String(64))
    last4: Mapped[str] = mapped_column(String(4))
    source: Mapped[GiftCardSource] = mapped_column(String(20))
    # A generated code, encrypted, so it can be shown again; None for a physical card.
    code_secret: Mapped[str | None] = mapped_column(String(400))
    status: Mapped[GiftCardStatus] = mapped_column(String(20), default="inactive")
    balance_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    expires_at: Mapped[datetime | None]
    # The order that sold it (activated it), once sold.
    order_id: Mapped[str | None] = mapped_column(String(40))
    activated_at: Mapped[datetime | None]
    deactivated_at: Mapped[datetime | None]
    deactivation_reason: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[str | None] = mapped_column(String(80))

    __table_args__ = (
        UniqueConstraint("tenant_id", "code_digest", name="uq_gift_cards_code_digest"),
        Index("ix_gift_cards_updated", "tenant_id", "updated_at"),
    )


class GiftCardEntry(TenantScoped, Base):
    """One change of a card's balance; the entries of a card sum to its balance."""

    __tablename__ = "gift_card_entries"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    gift_card_id: Mapped[str] = mapped_column(String(40))
    delta: Mapped[int] = mapped_column(BigInteger)
    balance_after: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[EntryReason] = mapped_column(String(20))
    order_id: Mapped[str | None] = mapped_column(String(40))
    payment_id: Mapped[str | None] = mapped_column(String(40))
    refund_id: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]
    created_by: Mapped[str | None] = mapped_column(String(80))

    __table_args__ = (Index("ix_gift_card_entries_card", "tenant_id", "gift_card_id", "id"),)


GIFT_CARD_LEDGER = BalanceLedger(
    table_of(GiftCard), table_of(GiftCardEntry), "gift_card_id", "gift_card_entry", "balance_minor"
)
