"""Upserting many products by sku: the batch endpoint and CSV imports share this.

Each item runs in a savepoint through the same service functions as the single-item
endpoints, so a batch applies exactly the rules (and emits exactly the events) that one-by-one
calls would. A failed item's writes and events are undone; the others stand. Whether a failure
aborts everything is the caller's choice (``all_or_nothing``).
"""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.catalog import service, variants
from tillpoint.catalog.models import Product, Variant
from tillpoint.catalog.schemas import (
    ProductIn,
    ProductUpdate,
    VariantIn,
    VariantUpdate,
)
from tillpoint.core.auth import Principal
from tillpoint.core.db import in_list_chunks
from tillpoint.core.errors import AppError

Status = Literal["created", "updated", "unchanged", "failed"]
Progress = Callable[[int], Awaitable[None]]
# Product fields a batch item may set on an existing product (``variants`` are upserted apart).
_PRODUCT_FIELDS = frozenset(ProductUpdate.model_fields) - {"archived", "version"}
_VARIANT_FIELDS = frozenset(VariantUpdate.model_fields) - {"archived", "version"}


@dataclass
class ItemOutcome:
    index: int
    sku: str
    status: Status
    product_id: str | None = None
    errors: list[dict[str, str]] = field(default_factory=list)


def _error_details(exc: AppError) -> list[dict[str, str]]:
    if exc.details:
        return [
            {"code": exc.code, "field": str(d.get("field", "")), "message": str(d["message"])}
            for d in exc.details
        ]
    return [{"code": exc.code, "field": "", "message": exc.message}]


async def products_by_sku(session: AsyncSession, skus: Sequence[str]) -> dict[str, str]:
    """sku → product id, for skus that are some product's own (default-variant) sku."""
    found: dict[str, str] = {}
    for chunk in in_list_chunks(skus):
        rows = await session.execute(
            select(Variant.sku, Variant.product_id).where(
                Variant.sku.in_(chunk), Variant.is_default.is_(True)
            )
        )
        found.update(dict(rows.all()))
    return found


async def _option_variants(session: AsyncSession, product_id: str) -> dict[str, tuple[str, int]]:
    """sku → (variant id, version) of a product's option variants."""
    rows = await session.execute(
        select(Variant.sku, Variant.id, Variant.version).where(
            Variant.product_id == product_id, Variant.is_default.is_(False)
        )
    )
    return {sku: (variant_id, version) for sku, variant_id, version in rows}


async def _product_version(session: AsyncSession, product_id: str) -> int:
    query = select(Product.version).where(Product.id == product_id)
    return int((await session.execute(query)).scalar_one())


async def _update_existing(
    session: AsyncSession, principal: Principal, product_id: str, item: ProductIn
) -> bool:
    """Apply the fields the item gave; upsert its variants by sku. True when anything changed."""
    given = item.model_fields_set & _PRODUCT_FIELDS
    changes: dict[str, Any] = {name: getattr(item, name) for name in given}
    before = await _product_version(session, product_id)
    # A batch naming an archived product's sku brings it back. Only the new version is used,
    # so the product is read back without stock.
    after = await service.update_product(
        session, principal, product_id, ProductUpdate(**changes, archived=False), stock=None
    )
    changed = after.version != before
    existing = await _option_variants(session, product_id)
    for i, variant in enumerate(item.variants):
        try:
            changed |= await _upsert_variant(
                session, principal, product_id, existing.get(variant.sku), variant
            )
        except AppError as exc:
            for detail in exc.details:
                detail["field"] = f"variants[{i}].{detail.get('field', '')}".rstrip(".")
            raise
    return changed


async def _upsert_variant(
    session: AsyncSession,
    principal: Principal,
    product_id: str,
    current: tuple[str, int] | None,
    data: VariantIn,
) -> bool:
    if current is None:
        await variants.create_variant(session, principal, product_id, data)
        return True
    variant_id, before = current
    given = data.model_fields_set & _VARIANT_FIELDS
    after = await variants.update_variant(
        session,
        principal,
        product_id,
        variant_id,
        VariantUpdate(**{name: getattr(data, name) for name in given}, archived=False),
    )
    return after.version != before


async def upsert_products(
    session: AsyncSession,
    principal: Principal,
    items: Sequence[ProductIn],
    *,
    progress: Progress | None = None,
    progress_every: int = 100,
) -> list[ItemOutcome]:
    """Create or update each item by its sku, each in a savepoint; report per item."""
    skus = [item.sku for item in items]
    existing = await products_by_sku(session, skus)
    seen: dict[str, int] = {}
    outcomes: list[ItemOutcome] = []
    for index, item in enumerate(items):
        if item.sku in seen:
            message = f"the same sku is item {seen[item.sku]} of this batch"
            error = {"code": "SKU_ALREADY_EXISTS", "field": "sku", "message": message}
            outcomes.append(ItemOutcome(index, item.sku, "failed", errors=[error]))
            continue
        seen[item.sku] = index
        outcomes.append(await upsert_one(session, principal, index, item, existing))
        if progress is not None and (index + 1) % progress_every == 0:
            await progress(index + 1)
    if progress is not None:
        await progress(len(items))
    return outcomes


async def upsert_one(
    session: AsyncSession,
    principal: Principal,
    index: int,
    item: ProductIn,
    existing: dict[str, str],
) -> ItemOutcome:
    pending: list[Any] = session.info.setdefault("pending_events", [])
    mark = len(pending)
    try:
        async with session.begin_nested():
            product_id = existing.get(item.sku)
            if product_id is None:
                created = await service.create_product(session, principal, item)
                return ItemOutcome(index, item.sku, "created", created.product_id)
            changed = await _update_existing(session, principal, product_id, item)
            return ItemOutcome(index, item.sku, "updated" if changed else "unchanged", product_id)
    except AppError as exc:
        # The savepoint undid the item's rows; its events must not be published either.
        del pending[mark:]
        return ItemOutcome(index, item.sku, "failed", errors=_error_details(exc))
