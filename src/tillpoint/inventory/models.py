"""The stock ledger and what it feeds: levels, adjustments, counts and transfers.

The ledger (``stock_movements``) is the truth: append-only, one row per change of one variant at
one location. ``stock_levels`` holds the running ``on_hand`` per (variant, location), changed by
atomic SQL in the same transaction as the movement, so the ledger always sums to ``on_hand``.
Quantities are integer thousandths (``*_milli``): 1.5 kg is 1500.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKeyConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tillpoint.core.db import Base, JsonType, TenantScoped, Timestamped, Versioned, utcnow

ADJUSTMENT_REASONS = (
    "stock_count",
    "damage",
    "theft",
    "loss",
    "return",
    "received",
    "correction",
    "other",
)
# Reasons only the system writes (sales, counts, transfers), besides the adjustment reasons.
SYSTEM_REASONS = ("sale", "refund", "void", "transfer_out", "transfer_in", "transfer_cancelled")


class StockLevel(TenantScoped, Base):
    __tablename__ = "stock_levels"

    variant_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    location_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    on_hand_milli: Mapped[int] = mapped_column(BigInteger, default=0)
    reserved_milli: Mapped[int] = mapped_column(BigInteger, default=0)
    # Shipped to this location by a transfer and not yet received.
    in_transit_milli: Mapped[int] = mapped_column(BigInteger, default=0)
    reorder_point_milli: Mapped[int | None] = mapped_column(BigInteger)
    reorder_quantity_milli: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "variant_id"], ["variants.tenant_id", "variants.id"]),
        ForeignKeyConstraint(["tenant_id", "location_id"], ["locations.tenant_id", "locations.id"]),
        Index("ix_stock_levels_location", "tenant_id", "location_id", "variant_id"),
    )


class StockMovement(TenantScoped, Base):
    __tablename__ = "stock_movements"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    variant_id: Mapped[str] = mapped_column(String(40))
    location_id: Mapped[str] = mapped_column(String(40))
    delta_milli: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(30))
    # What caused it: ("adjustment", adj_…), ("count", cnt_…), ("transfer", trf_…), ("order", …).
    reference_type: Mapped[str] = mapped_column(String(30))
    reference_id: Mapped[str | None] = mapped_column(String(40))
    # When it happened in the shop (may be in the past) and when it reached the ledger.
    occurred_at: Mapped[datetime]
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    # on_hand right after this movement was applied, as recorded (the level's running value).
    on_hand_after_milli: Mapped[int] = mapped_column(BigInteger)
    actor: Mapped[str | None] = mapped_column(String(80))

    __table_args__ = (
        Index(
            "ix_stock_movements_variant", "tenant_id", "variant_id", "location_id", "occurred_at"
        ),
        Index("ix_stock_movements_location", "tenant_id", "location_id", "occurred_at"),
        Index("ix_stock_movements_reference", "tenant_id", "reference_id"),
    )


class Adjustment(TenantScoped, Base):
    __tablename__ = "adjustments"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    location_id: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(20), default="posted")
    notes: Mapped[str] = mapped_column(Text, default="")
    item_count: Mapped[int]
    # [{"variantId", "sku", "deltaQuantity"}] as posted.
    items: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)
    occurred_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Read-only: never updated; updated_at exists so lists accept updatedFrom/updatedTo.
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(80))

    __table_args__ = (Index("ix_adjustments_location", "tenant_id", "location_id"),)


class StockCount(TenantScoped, Timestamped, Versioned, Base):
    __tablename__ = "stock_counts"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    location_id: Mapped[str] = mapped_column(String(40))
    # None = the whole location; else the category and its subcategories.
    category_id: Mapped[str | None] = mapped_column(String(40))
    # Full counts zero what is in scope but was not counted; partial counts touch only lines.
    full: Mapped[bool] = mapped_column(default=False)
    # The moment the count describes; None = each line as of when it was recorded.
    counted_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20), default="open")
    notes: Mapped[str] = mapped_column(Text, default="")
    committed_at: Mapped[datetime | None]
    created_by: Mapped[str | None] = mapped_column(String(80))

    __table_args__ = (Index("ix_stock_counts_location", "tenant_id", "location_id"),)


class StockCountLine(TenantScoped, Base):
    __tablename__ = "stock_count_lines"

    count_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    variant_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    counted_milli: Mapped[int] = mapped_column(BigInteger, default=0)
    # When this line was last recorded (the as-of time when the count has no countedAt).
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "count_id"], ["stock_counts.tenant_id", "stock_counts.id"]
        ),
    )


class Transfer(TenantScoped, Timestamped, Versioned, Base):
    __tablename__ = "transfers"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    source_location_id: Mapped[str] = mapped_column(String(40))
    destination_location_id: Mapped[str] = mapped_column(String(40))
    # draft → shipped → partially_received → received; draft or shipped → cancelled.
    status: Mapped[str] = mapped_column(String(20), default="draft")
    notes: Mapped[str] = mapped_column(Text, default="")
    shipped_at: Mapped[datetime | None]
    received_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    created_by: Mapped[str | None] = mapped_column(String(80))

    __table_args__ = (
        Index("ix_transfers_source", "tenant_id", "source_location_id"),
        Index("ix_transfers_destination", "tenant_id", "destination_location_id"),
    )


class TransferLine(TenantScoped, Base):
    __tablename__ = "transfer_lines"

    transfer_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    variant_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    sku: Mapped[str] = mapped_column(String(100))
    quantity_milli: Mapped[int] = mapped_column(BigInteger)
    received_milli: Mapped[int] = mapped_column(BigInteger, default=0)
    # Shipped but never arriving, closed out with a reason.
    shortfall_milli: Mapped[int] = mapped_column(BigInteger, default=0)
    shortfall_reason: Mapped[str | None] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)

    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "transfer_id"], ["transfers.tenant_id", "transfers.id"]),
    )


class TransferReceipt(TenantScoped, Base):
    __tablename__ = "transfer_receipts"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    transfer_id: Mapped[str] = mapped_column(String(40))
    # [{"variantId", "sku", "quantity"}]; shortfalls: [{"variantId", "sku", "quantity", "reason"}]
    items: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)
    shortfalls: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)
    notes: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(80))

    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "transfer_id"], ["transfers.tenant_id", "transfers.id"]),
        Index("ix_transfer_receipts_transfer", "tenant_id", "transfer_id"),
    )
