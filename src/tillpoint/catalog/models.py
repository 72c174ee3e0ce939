"""Categories, products, variants and modifier groups.

Every product has exactly one *default* variant that carries the product's own sku and barcode.
A product sold in options (size, colour) has further variants; stock, prices and sales always
name a variant. SKUs and barcodes live in one table (``variants``), so their per-tenant
uniqueness is a database constraint, and the scanner's lookup is one indexed read.
Money is in minor units (``*_minor``); the currency is the tenant's.
"""

from datetime import datetime
from typing import Any, Literal

from sqlalchemy import BigInteger, ForeignKeyConstraint, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from tillpoint.core.db import Base, JsonType, TenantScoped, Timestamped, Versioned


class Category(TenantScoped, Timestamped, Versioned, Base):
    __tablename__ = "categories"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[str | None] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(default=0)
    archived_at: Mapped[datetime | None]

    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "parent_id"], ["categories.tenant_id", "categories.id"]),
        Index("ix_categories_parent", "tenant_id", "parent_id"),
    )


class Product(TenantScoped, Timestamped, Versioned, Base):
    __tablename__ = "products"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # Copies of the default variant's identifiers, for display; uniqueness lives on variants.
    sku: Mapped[str] = mapped_column(String(100))
    barcode: Mapped[str | None] = mapped_column(String(64))
    category_id: Mapped[str | None] = mapped_column(String(40))
    price_minor: Mapped[int] = mapped_column(default=0)
    cost_minor: Mapped[int | None]
    tax_class: Mapped[str] = mapped_column(String(50), default="standard")
    supplier_id: Mapped[str | None] = mapped_column(String(40))
    active: Mapped[bool] = mapped_column(default=True)
    in_store_only: Mapped[bool] = mapped_column(default=False)
    # Sold as a gift card: its line loads a card, is never taxed or order-discounted and
    # moves no stock.
    gift_card: Mapped[bool] = mapped_column(default=False)
    sold_by: Mapped[str] = mapped_column(String(10), default="unit")
    # Ordered image URLs; custom attributes as [{"name", "value"}].
    images: Mapped[list[str]] = mapped_column(JsonType, default=list)
    attributes: Mapped[list[dict[str, str]]] = mapped_column(JsonType, default=list)
    modifier_group_ids: Mapped[list[str]] = mapped_column(JsonType, default=list)
    # {location id: price in minor units}; a variant's own override wins over these.
    location_prices: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    # True when the product is sold in option variants (its default variant is not sold).
    has_variants: Mapped[bool] = mapped_column(default=False)
    archived_at: Mapped[datetime | None]

    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "category_id"], ["categories.tenant_id", "categories.id"]
        ),
        Index("ix_products_category", "tenant_id", "category_id"),
        Index("ix_products_updated", "tenant_id", "updated_at"),
        # The product list's rows in its order (live products of a tenant by id): the page and
        # its count read this index alone (migration 0009).
        Index(
            "ix_products_live",
            "tenant_id",
            "id",
            postgresql_where=text("archived_at IS NULL"),
            sqlite_where=text("archived_at IS NULL"),
        ),
    )


class Variant(TenantScoped, Timestamped, Versioned, Base):
    __tablename__ = "variants"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    product_id: Mapped[str] = mapped_column(String(40))
    is_default: Mapped[bool] = mapped_column(default=False)
    # "Blue / M"; empty for the default variant.
    name: Mapped[str] = mapped_column(String(200), default="")
    # [{"name": "Color", "value": "Blue"}, …]
    option_values: Mapped[list[dict[str, str]]] = mapped_column(JsonType, default=list)
    sku: Mapped[str] = mapped_column(String(100))
    barcode: Mapped[str | None] = mapped_column(String(64))
    # An in-store code (price-embedded scale labels, old labels) exempt from the GTIN check.
    barcode_internal: Mapped[bool] = mapped_column(default=False)
    # None = the product's price / cost.
    price_minor: Mapped[int | None]
    cost_minor: Mapped[int | None]
    location_prices: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    position: Mapped[int] = mapped_column(default=0)
    archived_at: Mapped[datetime | None]

    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "product_id"], ["products.tenant_id", "products.id"]),
        UniqueConstraint("tenant_id", "sku", name="uq_variants_sku"),
        # NULL barcodes do not collide (both databases treat NULLs as distinct).
        UniqueConstraint("tenant_id", "barcode", name="uq_variants_barcode"),
        Index("ix_variants_product", "tenant_id", "product_id"),
    )


class VariantCost(TenantScoped, Base):
    """A variant's unit cost from ``effective_at`` on — its own, or its product's when it has
    none — kept whenever either changes: inventory valuation as of a past date multiplies
    by the cost of that date. ``cost_minor`` None: no cost known from then on."""

    __tablename__ = "variant_costs"

    variant_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    effective_at: Mapped[datetime] = mapped_column(primary_key=True)
    cost_minor: Mapped[int | None] = mapped_column(BigInteger)


class ModifierGroup(TenantScoped, Timestamped, Versioned, Base):
    """Choices added to an item when it is sold (milk, extra shot), each with a price delta."""

    __tablename__ = "modifier_groups"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    min_selections: Mapped[int] = mapped_column(default=0)
    max_selections: Mapped[int] = mapped_column(default=1)
    # [{"id": "mdo_…", "name", "priceDeltaMinor": int, "active": bool}], in display order.
    options: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)
    archived_at: Mapped[datetime | None]


ImportStatus = Literal["queued", "running", "succeeded", "failed"]


class CatalogImport(TenantScoped, Timestamped, Base):
    """A CSV import run as a background job; its progress and row errors are polled."""

    __tablename__ = "catalog_imports"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    status: Mapped[ImportStatus] = mapped_column(String(20), default="queued")
    dry_run: Mapped[bool] = mapped_column(default=False)
    filename: Mapped[str | None] = mapped_column(String(200))
    csv_text: Mapped[str] = mapped_column(Text)
    total_rows: Mapped[int] = mapped_column(default=0)
    processed_rows: Mapped[int] = mapped_column(default=0)
    created_count: Mapped[int] = mapped_column(default=0)
    updated_count: Mapped[int] = mapped_column(default=0)
    # [{"line": n, "sku": …, "field": …, "message": …}]
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)
    # Every row error found; ``errors`` keeps the first 1,000 of them.
    error_count: Mapped[int] = mapped_column(default=0, server_default="0")
    created_by: Mapped[str | None] = mapped_column(String(80))
    finished_at: Mapped[datetime | None]


class CatalogImportEvent(TenantScoped, Base):
    """A ``product.created`` of an import past the first thousands, held here rather than in
    memory until the import commits, then numbered into ``events`` (``core.events.HeldEvents``).
    The rows live only inside the import's transaction."""

    __tablename__ = "catalog_import_events"

    import_key: Mapped[str] = mapped_column(String(40), primary_key=True)
    n: Mapped[int] = mapped_column(primary_key=True)  # 0, 1, … in the import's order
    id: Mapped[str] = mapped_column(String(40))
    type: Mapped[str] = mapped_column(String(80))
    occurred_at: Mapped[datetime]
    subject_id: Mapped[str | None] = mapped_column(String(40))
    data: Mapped[dict[str, Any]]
