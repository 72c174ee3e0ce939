"""The inventory endpoints: levels, movements and adjustments here; counts and transfers in
their own modules, included into this one ``router`` (the one app.py registers)."""

from typing import Annotated, Any

from fastapi import APIRouter, Query

from tillpoint.core.deps import DbSession
from tillpoint.core.openapi import COMMON_ERRORS, error_responses
from tillpoint.core.pagination import Page, Pagination
from tillpoint.core.schemas import AwareDatetime
from tillpoint.inventory import counts_api, levels, service, transfers_api
from tillpoint.inventory.deps import InventoryReader, InventoryWriter
from tillpoint.inventory.models import ADJUSTMENT_REASONS, SYSTEM_REASONS
from tillpoint.inventory.schemas import (
    AdjustmentIn,
    AdjustmentOut,
    AdjustmentReason,
    LevelOut,
    LevelSet,
    MovementOut,
)

router = APIRouter(prefix="/v1", responses=COMMON_ERRORS)

LocationFilter = Annotated[str | None, Query(alias="locationId", max_length=40)]
SkuFilter = Annotated[str | None, Query(max_length=100)]
MovementReason = Annotated[
    str | None,
    Query(
        max_length=30,
        description=f"One of: {', '.join(ADJUSTMENT_REASONS + SYSTEM_REASONS)}",
    ),
]


@router.post(
    "/inventory/adjustments",
    response_model=AdjustmentOut,
    status_code=201,
    tags=["inventory"],
    responses=error_responses("INSUFFICIENT_STOCK"),
)
async def create_adjustment(
    body: AdjustmentIn, session: DbSession, principal: InventoryWriter
) -> dict[str, Any]:
    """Post stock changes at a location. Where the location does not allow negative stock, a
    decrement below zero fails with 409 INSUFFICIENT_STOCK naming every short line."""
    adjustment = await service.create_adjustment(session, principal, body)
    return service.adjustment_out(adjustment)


@router.get("/inventory/adjustments", response_model=Page[AdjustmentOut], tags=["inventory"])
async def list_adjustments(
    session: DbSession,
    paging: Pagination,
    principal: InventoryReader,
    location_id: LocationFilter = None,
    reason: AdjustmentReason | None = None,
) -> dict[str, object]:
    rows, total = await service.list_adjustments(
        session, principal, paging, location_id=location_id, reason=reason
    )
    return paging.page_of([service.adjustment_out(a) for a in rows], total)


@router.get(
    "/inventory/adjustments/{adjustment_id}", response_model=AdjustmentOut, tags=["inventory"]
)
async def get_adjustment(
    adjustment_id: str, session: DbSession, principal: InventoryReader
) -> dict[str, Any]:
    return service.adjustment_out(await service.get_adjustment(session, principal, adjustment_id))


@router.get("/inventory/levels", response_model=Page[LevelOut], tags=["inventory"])
async def list_levels(
    session: DbSession,
    paging: Pagination,
    principal: InventoryReader,
    location_id: LocationFilter = None,
    sku: SkuFilter = None,
    variant_id: Annotated[str | None, Query(alias="variantId", max_length=40)] = None,
    q: Annotated[
        str | None,
        Query(min_length=1, max_length=200, description="In the SKU or the item's name, any case"),
    ] = None,
    below_reorder_point: Annotated[
        bool | None,
        Query(alias="belowReorderPoint", description="onHand at or below the reorder point"),
    ] = None,
    as_of: Annotated[
        AwareDatetime | None,
        Query(alias="asOf", description="onHand as of this time, from the ledger"),
    ] = None,
) -> dict[str, object]:
    rows, total = await levels.list_levels(
        session,
        principal,
        paging,
        location_id=location_id,
        sku=sku,
        variant_id=variant_id,
        below_reorder_point=below_reorder_point,
        as_of=as_of,
        text=q,
    )
    return paging.page_of(rows, total)


@router.put(
    "/inventory/levels",
    response_model=LevelOut,
    tags=["inventory"],
    responses=error_responses("STOCK_CHANGED"),
)
async def set_level(
    body: LevelSet, session: DbSession, principal: InventoryWriter
) -> dict[str, Any]:
    """Set onHand absolutely (the difference is posted as an adjustment movement) and/or the
    reorder settings. With expectedOnHand, 409 STOCK_CHANGED unless onHand is still that."""
    return await levels.set_level(session, principal, body)


@router.get("/inventory/movements", response_model=Page[MovementOut], tags=["inventory"])
async def list_movements(
    session: DbSession,
    paging: Pagination,
    principal: InventoryReader,
    variant_id: Annotated[str | None, Query(alias="variantId", max_length=40)] = None,
    sku: SkuFilter = None,
    location_id: LocationFilter = None,
    occurred_from: Annotated[AwareDatetime | None, Query(alias="from")] = None,
    occurred_to: Annotated[AwareDatetime | None, Query(alias="to")] = None,
    reason: MovementReason = None,
) -> dict[str, object]:
    """The ledger, newest first (occurredAt descending, then id descending); ``from`` is
    inclusive and ``to`` exclusive, on occurredAt."""
    rows, total = await levels.list_movements(
        session,
        principal,
        paging,
        variant_id=variant_id,
        sku=sku,
        location_id=location_id,
        occurred_from=occurred_from,
        occurred_to=occurred_to,
        reason=reason,
    )
    return paging.page_of(rows, total)


router.include_router(counts_api.router)
router.include_router(transfers_api.router)
