"""The catalog ``bench.catalog`` measures: seeded straight into the tables, and the CSV it imports.

Seeding bypasses the API and the per-item service (100,000 variants through them would take
longer than the whole benchmark): rows are built exactly as ``tillpoint.catalog.service`` builds
them — every product has one default variant (``is_default``, name "", the product's sku and
barcode), a third of the products are sold in option variants (``has_variants``) — and written
with one SQLAlchemy Core ``insert(table)`` per table given all its rows, in one transaction:
the driver's executemany of one prepared INSERT (asyncpg pipelines the rows in batches; sqlite3
loops in C). The same writer, timed, is the import's baseline (``raw_insert``).

Codes are a function of a row's number, so a load generator picks a random existing barcode
without being handed the list: variant ``n`` of a catalog with barcode prefix ``p`` has
``barcode(p, n)``, a valid GTIN-13; the default variant of a product comes first.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from tillpoint.catalog.barcodes import gtin_check_digit
from tillpoint.catalog.csv_io import COLUMNS
from tillpoint.catalog.models import Category, Product, Variant
from tillpoint.config import async_database_url
from tillpoint.core.db import table_of
from tillpoint.core.ids import new_id
from tillpoint.inventory.models import StockLevel

CATEGORIES = 50
PAGE_SIZE = 200  # the product list page measured
# Barcode prefixes (GS1 in-store range 20–29): the seeded catalog, the API import, the CLI
# import, the raw-insert baseline. Distinct so every code in one tenant is unique.
SEED_PREFIX, API_IMPORT_PREFIX, CLI_IMPORT_PREFIX, RAW_PREFIX = "20", "21", "22", "23"
SIZES = ("XS", "S", "M", "L", "XL", "XXL")
COLOURS = ("Black", "White", "Blue", "Red", "Green")


def barcode(prefix: str, number: int) -> str:
    """The GTIN-13 of variant ``number`` under ``prefix``."""
    body = f"{prefix}{number:0{12 - len(prefix)}d}"
    return body + str(gtin_check_digit(body))


@dataclass(frozen=True)
class Shape:
    """How many products and variants, and which products have option variants."""

    products: int
    variants: int  # default variants included

    @property
    def parents(self) -> int:
        """Products sold in option variants: every third one (index 0, 3, 6…)."""
        return (self.products + 2) // 3

    def options_of(self, product: int) -> int:
        """Option variants of product ``product`` (0 unless it is a parent)."""
        if product % 3:
            return 0
        extra = self.variants - self.products
        base, rest = divmod(extra, self.parents)
        return base + (1 if product // 3 < rest else 0)

    def check(self) -> None:
        extra = self.variants - self.products
        if self.products < 1 or extra < self.parents or extra > 100 * self.parents:
            raise ValueError(
                f"{self.variants} variants for {self.products} products: need between "
                f"{self.products + self.parents} and {self.products + 100 * self.parents}"
            )


def catalog_rows(
    tenant_id: str,
    shape: Shape,
    *,
    sku_prefix: str,
    barcode_prefix: str,
    category_ids: list[str],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The ``products`` and ``variants`` rows of a catalog, as the service would write them."""
    now = dt.datetime.now(dt.UTC)
    products: list[dict[str, Any]] = []
    variants: list[dict[str, Any]] = []
    number = 0
    for p in range(shape.products):
        options = shape.options_of(p)
        product_id, sku, code = (
            new_id("product"),
            f"{sku_prefix}{p:06d}",
            barcode(barcode_prefix, number),
        )
        products.append(
            {
                "tenant_id": tenant_id,
                "id": product_id,
                "name": f"Bench product {p:06d}",
                "description": "",
                "sku": sku,
                "barcode": code,
                "category_id": category_ids[p % len(category_ids)] if category_ids else None,
                "price_minor": 100 + (p * 37) % 9_900,
                "cost_minor": 50 + (p * 17) % 4_000,
                "tax_class": "standard",
                "supplier_id": None,
                "active": True,
                "in_store_only": False,
                "sold_by": "unit",
                "images": [],
                "attributes": [],
                "modifier_group_ids": [],
                "location_prices": {},
                "has_variants": options > 0,
                "archived_at": None,
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
        )
        for k in range(options + 1):
            option_values = (
                []
                if k == 0
                else [
                    {"name": "Size", "value": SIZES[(k - 1) % len(SIZES)]},
                    {"name": "Color", "value": COLOURS[(k - 1) // len(SIZES) % len(COLOURS)]},
                ]
            )
            variants.append(
                {
                    "tenant_id": tenant_id,
                    "id": new_id("variant"),
                    "product_id": product_id,
                    "is_default": k == 0,
                    "name": " / ".join(o["value"] for o in option_values),
                    "option_values": option_values,
                    "sku": sku if k == 0 else f"{sku}-{k}",
                    "barcode": code if k == 0 else barcode(barcode_prefix, number),
                    "barcode_internal": False,
                    "price_minor": None,
                    "cost_minor": None,
                    "location_prices": {},
                    "position": 0 if k == 0 else k - 1,
                    "archived_at": None,
                    "created_at": now,
                    "updated_at": now,
                    "version": 1,
                }
            )
            number += 1
    return products, variants


def stock_rows(
    tenant_id: str, location_id: str, products: list[dict[str, Any]], variants: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Stock at ``location_id`` for every other stockable variant (option variants of a parent,
    the default variant of a simple product)."""
    parents = {p["id"] for p in products if p["has_variants"]}
    stockable = [v for v in variants if v["is_default"] != (v["product_id"] in parents)]
    now = dt.datetime.now(dt.UTC)
    return [
        {
            "tenant_id": tenant_id,
            "variant_id": v["id"],
            "location_id": location_id,
            "on_hand_milli": 1000 * (1 + i % 40),
            "reserved_milli": 0,
            "in_transit_milli": 0,
            "reorder_point_milli": None,
            "reorder_quantity_milli": None,
            "updated_at": now,
        }
        for i, v in enumerate(stockable[::2])
    ]


@dataclass(frozen=True)
class Seeded:
    products: int
    variants: int
    stock_levels: int
    seconds: float


async def _insert(conn: AsyncConnection, model: Any, rows: list[dict[str, Any]]) -> None:
    # One executemany of a prepared INSERT through the driver.
    if rows:
        await conn.execute(insert(table_of(model)), rows)


def _engine(database_url: str) -> Any:
    return create_async_engine(async_database_url(database_url))


async def seed(database_url: str, tenant_id: str, location_id: str, shape: Shape) -> Seeded:
    """Categories, products, variants and some stock for ``tenant_id``; then ANALYZE on
    PostgreSQL (what autovacuum would do soon after a bulk load)."""
    started = time.perf_counter()
    now = dt.datetime.now(dt.UTC)
    categories = [
        {
            "tenant_id": tenant_id,
            "id": new_id("category"),
            "name": f"Category {i:02d}",
            "parent_id": None,
            "position": i,
            "archived_at": None,
            "created_at": now,
            "updated_at": now,
            "version": 1,
        }
        for i in range(CATEGORIES)
    ]
    products, variants = catalog_rows(
        tenant_id,
        shape,
        sku_prefix="P",
        barcode_prefix=SEED_PREFIX,
        category_ids=[c["id"] for c in categories],
    )
    levels = stock_rows(tenant_id, location_id, products, variants)
    engine = _engine(database_url)
    try:
        async with engine.begin() as conn:
            await _insert(conn, Category, categories)
            await _insert(conn, Product, products)
            await _insert(conn, Variant, variants)
            await _insert(conn, StockLevel, levels)
        if engine.dialect.name == "postgresql":
            async with engine.connect() as conn:
                await conn.execution_options(isolation_level="AUTOCOMMIT")
                await conn.execute(text("ANALYZE"))
    finally:
        await engine.dispose()
    return Seeded(len(products), len(variants), len(levels), time.perf_counter() - started)


async def raw_insert(database_url: str, tenant_id: str, shape: Shape) -> float:
    """Seconds to build and INSERT the products and variants of ``shape`` (fresh codes) through
    SQLAlchemy Core and the driver in one transaction: the import's baseline."""
    engine = _engine(database_url)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))  # connect outside the timed part
            await conn.rollback()
            started = time.perf_counter()
            products, variants = catalog_rows(
                tenant_id, shape, sku_prefix="R", barcode_prefix=RAW_PREFIX, category_ids=[]
            )
            async with conn.begin():
                await _insert(conn, Product, products)
                await _insert(conn, Variant, variants)
            return time.perf_counter() - started
    finally:
        await engine.dispose()


def import_csv(shape: Shape, *, sku_prefix: str, barcode_prefix: str) -> tuple[str, int]:
    """A CSV in the import format (``tillpoint.catalog.csv_io.COLUMNS``) creating the products
    of ``shape`` — a product row, then one row per option variant with ``parent_sku`` — and its
    number of data rows."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    rows, number = 0, 0
    for p in range(shape.products):
        sku = f"{sku_prefix}{p:06d}"
        writer.writerow(
            {
                **dict.fromkeys(COLUMNS, ""),
                "sku": sku,
                "name": f"Imported product {p:06d}",
                "barcode": barcode(barcode_prefix, number),
                "category": f"Category {p % CATEGORIES:02d}",
                "price": f"{1 + p % 99}.{p % 100:02d}",
                "cost": f"{p % 40}.50",
                "tax_class": "standard",
                "active": "true",
                "sold_by": "unit",
            }
        )
        rows, number = rows + 1, number + 1
        for k in range(1, shape.options_of(p) + 1):
            size, colour = SIZES[(k - 1) % len(SIZES)], COLOURS[(k - 1) // len(SIZES) % 5]
            writer.writerow(
                {
                    **dict.fromkeys(COLUMNS, ""),
                    "sku": f"{sku}-{k}",
                    "parent_sku": sku,
                    "barcode": barcode(barcode_prefix, number),
                    "option_values": f"Size={size}|Color={colour}",
                }
            )
            rows, number = rows + 1, number + 1
    return out.getvalue(), rows
