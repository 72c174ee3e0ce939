"""The catalog baseline: a bare FastAPI app answering the same reads with raw SQL.

``bench.catalog`` serves it with uvicorn exactly as it serves Tillpoint, against the same
database and tenant (``BENCH_CATALOG_DATABASE_URL``, ``BENCH_CATALOG_TENANT_ID``), through the
same drivers Tillpoint uses (asyncpg on PostgreSQL, aiosqlite on SQLite) but with no ORM, no
auth, no response models: hand-written SQL, rows turned into JSON by hand. So the ratio of the
two is what Tillpoint's stack costs over the raw database read.

- ``GET /v1/lookup?barcode=&locationId=``: one indexed read of the variant with its product and
  its stock at the location; a second read of the option variants when the code is the parent's
  of a product sold in variants (as Tillpoint does).
- ``GET /v1/products?page=&pageSize=``: the page of products (with category name) in id order,
  the count, their variants, their stock levels: four reads.

``lookup`` and ``products_page`` are also timed directly (no HTTP) by ``bench.catalog``.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Query, Response


class RawDb:
    """A few pooled connections of asyncpg or aiosqlite; SQL is written with ``?`` markers."""

    def __init__(self, url: str, size: int = 8) -> None:
        self.url, self.size = url, size
        self.postgres = url.startswith(("postgresql://", "postgres://"))
        self._pool: Any = None
        self._idle: asyncio.Queue[Any] = asyncio.Queue()

    async def open(self) -> None:
        if self.postgres:
            import asyncpg

            self._pool = await asyncpg.create_pool(self.url, min_size=1, max_size=self.size)
            return
        import aiosqlite

        for _ in range(self.size):
            conn = await aiosqlite.connect(self.url.removeprefix("sqlite:///"), timeout=30)
            for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=30000"):
                await conn.execute(f"PRAGMA {pragma}")
            self._idle.put_nowait(conn)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
        while not self._idle.empty():
            await self._idle.get_nowait().close()

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[Any]:
        if self.postgres:
            async with self._pool.acquire() as conn:
                yield conn
            return
        conn = await self._idle.get()
        try:
            yield conn
        finally:
            self._idle.put_nowait(conn)

    def in_list(self, column: str, values: list[str]) -> tuple[str, list[Any]]:
        """``column IN (…)`` for these values: ``= ANY(?)`` with an array on PostgreSQL."""
        if self.postgres:
            return f"{column} = ANY(?)", [values]
        return f"{column} IN ({', '.join('?' * len(values))})", list(values)

    async def fetch(self, conn: Any, sql: str, *args: Any) -> list[Any]:
        if self.postgres:
            parts = sql.split("?")
            numbered = parts[0] + "".join(f"${i}{part}" for i, part in enumerate(parts[1:], 1))
            return list(await conn.fetch(numbered, *args))
        async with conn.execute(sql, args) as cursor:
            return list(await cursor.fetchall())


LOOKUP_SQL = """
SELECT v.id, v.product_id, v.name, v.sku, v.barcode, v.is_default, v.price_minor,
       v.location_prices, v.archived_at, p.name, p.price_minor, p.location_prices, p.tax_class,
       p.sold_by, p.modifier_group_ids, p.active, p.has_variants, p.archived_at,
       s.on_hand_milli, s.reserved_milli
FROM variants v
JOIN products p ON p.tenant_id = v.tenant_id AND p.id = v.product_id
LEFT JOIN stock_levels s
  ON s.tenant_id = v.tenant_id AND s.variant_id = v.id AND s.location_id = ?
WHERE v.tenant_id = ? AND v.barcode = ?
"""
VARIANT_COLUMNS = (
    "id, product_id, is_default, name, option_values, sku, barcode, barcode_internal, "
    "price_minor, cost_minor, location_prices, position, archived_at, version, created_at, "
    "updated_at"
)
OPTIONS_SQL = f"""
SELECT {VARIANT_COLUMNS} FROM variants
WHERE tenant_id = ? AND product_id = ? AND NOT is_default AND archived_at IS NULL
ORDER BY position, id
"""
PAGE_SQL = """
SELECT p.id, p.name, p.description, p.sku, p.barcode, p.category_id, c.name, p.price_minor,
       p.cost_minor, p.tax_class, p.supplier_id, p.active, p.in_store_only, p.sold_by, p.images,
       p.attributes, p.modifier_group_ids, p.location_prices, p.has_variants, p.version,
       p.created_at, p.updated_at
FROM products p
LEFT JOIN categories c ON c.tenant_id = p.tenant_id AND c.id = p.category_id
WHERE p.tenant_id = ? AND p.archived_at IS NULL
ORDER BY p.id LIMIT ? OFFSET ?
"""
COUNT_SQL = "SELECT count(*) FROM products WHERE tenant_id = ? AND archived_at IS NULL"


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _money(minor: int | None) -> str | None:
    return None if minor is None else f"{minor / 100:.2f}"


def _variant(row: Any) -> dict[str, Any]:
    return {
        "variantId": row[0],
        "productId": row[1],
        "name": row[3],
        "optionValues": _json(row[4]),
        "sku": row[5],
        "barcode": row[6],
        "barcodeInternal": bool(row[7]),
        "price": _money(row[8]),
        "cost": _money(row[9]),
        "locationPrices": _json(row[10]),
        "position": row[11],
        "archived": row[12] is not None,
        "version": row[13],
        "createdAt": str(row[14]),
        "updatedAt": str(row[15]),
    }


async def lookup(db: RawDb, tenant_id: str, barcode: str, location_id: str) -> dict[str, Any]:
    async with db.connection() as conn:
        rows = await db.fetch(conn, LOOKUP_SQL, location_id, tenant_id, barcode)
        if not rows or rows[0][8] is not None or rows[0][17] is not None:
            return {}
        row = rows[0]
        parent_of_variants = bool(row[5] and row[16])
        options = []
        if parent_of_variants:
            options = await db.fetch(conn, OPTIONS_SQL, tenant_id, row[1])
    variant_prices, product_prices = _json(row[7]), _json(row[11])
    price = variant_prices.get(location_id, row[6])
    if price is None:
        price = product_prices.get(location_id, row[10])
    on_hand, reserved = row[18] or 0, row[19] or 0
    return {
        "productId": row[1],
        "variantId": row[0],
        "name": f"{row[9]} - {row[2]}" if row[2] else row[9],
        "sku": row[3],
        "barcode": row[4],
        "price": _money(int(price)),
        "taxClass": row[12],
        "soldBy": row[13],
        "modifierGroupIds": _json(row[14]),
        "active": bool(row[15]),
        "locationId": location_id,
        "onHand": None if parent_of_variants else str(on_hand / 1000),
        "available": None if parent_of_variants else str((on_hand - reserved) / 1000),
        "variants": [_variant(v) for v in options],
    }


async def products_page(db: RawDb, tenant_id: str, page: int, page_size: int) -> dict[str, Any]:
    async with db.connection() as conn:
        products = await db.fetch(conn, PAGE_SQL, tenant_id, page_size, (page - 1) * page_size)
        total = (await db.fetch(conn, COUNT_SQL, tenant_id))[0][0]
        variants: list[Any] = []
        levels: list[Any] = []
        if products:
            where, args = db.in_list("product_id", [p[0] for p in products])
            variants = await db.fetch(
                conn,
                f"SELECT {VARIANT_COLUMNS} FROM variants WHERE tenant_id = ? AND {where} "
                "ORDER BY product_id, position, id",
                tenant_id,
                *args,
            )
            parents = {p[0] for p in products if p[18]}
            stockable = [v[0] for v in variants if bool(v[2]) != (v[1] in parents)]
            where, args = db.in_list("variant_id", stockable)
            levels = await db.fetch(
                conn,
                "SELECT variant_id, location_id, on_hand_milli, reserved_milli, "
                f"reorder_point_milli FROM stock_levels WHERE tenant_id = ? AND {where} "
                "ORDER BY location_id, variant_id",
                tenant_id,
                *args,
            )
    by_product: dict[str, list[dict[str, Any]]] = {}
    product_of: dict[str, str] = {}
    for v in variants:
        product_of[v[0]] = v[1]
        if not v[2]:
            by_product.setdefault(v[1], []).append(_variant(v))
    stock: dict[str, dict[str, list[int]]] = {}
    for variant_id, location_id, on_hand, reserved, _reorder in levels:
        entry = stock.setdefault(product_of[variant_id], {}).setdefault(location_id, [0, 0])
        entry[0] += on_hand
        entry[1] += reserved
    items = [
        {
            "productId": p[0],
            "name": p[1],
            "description": p[2],
            "sku": p[3],
            "barcode": p[4],
            "categoryId": p[5],
            "category": p[6],
            "price": _money(p[7]),
            "cost": _money(p[8]),
            "taxClass": p[9],
            "supplierId": p[10],
            "active": bool(p[11]),
            "inStoreOnly": bool(p[12]),
            "soldBy": p[13],
            "images": _json(p[14]),
            "attributes": _json(p[15]),
            "modifierGroupIds": _json(p[16]),
            "locationPrices": _json(p[17]),
            "variants": by_product.get(p[0], []),
            "inventory": [
                {"locationId": loc, "onHand": str(h / 1000), "available": str((h - r) / 1000)}
                for loc, (h, r) in sorted(stock.get(p[0], {}).items())
            ],
            "version": p[19],
            "createdAt": str(p[20]),
            "updatedAt": str(p[21]),
        }
        for p in products
    ]
    return {"items": items, "page": page, "pageSize": page_size, "total": total}


DB = RawDb(os.environ.get("BENCH_CATALOG_DATABASE_URL", "sqlite:///bench-catalog.db"))
TENANT_ID = os.environ.get("BENCH_CATALOG_TENANT_ID", "")


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    await DB.open()
    try:
        yield
    finally:
        await DB.close()


app = FastAPI(title="Tillpoint catalog bench baseline", lifespan=lifespan)


def _json_response(body: dict[str, Any], status: int = 200) -> Response:
    return Response(json.dumps(body), status_code=status, media_type="application/json")


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/v1/lookup")
async def lookup_endpoint(barcode: str, location_id: str = Query(alias="locationId")) -> Response:
    found = await lookup(DB, TENANT_ID, barcode, location_id)
    return _json_response(found) if found else _json_response({"error": "not found"}, 404)


@app.get("/v1/products")
async def products_endpoint(
    page: int = Query(1, ge=1), page_size: int = Query(50, alias="pageSize", ge=1, le=200)
) -> Response:
    return _json_response(await products_page(DB, TENANT_ID, page, page_size))
