"""Promotion endpoints: promotions and their coupon codes. Reading needs ``catalog:read`` (a
till shows what is on offer); creating and changing them ``promotions:write``."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from tillpoint.core.auth import Principal
from tillpoint.core.deps import DbSession, requires
from tillpoint.core.openapi import COMMON_ERRORS, error_responses
from tillpoint.core.pagination import Page, Pagination
from tillpoint.promotions import codes, service
from tillpoint.promotions.models import PromotionTrigger
from tillpoint.promotions.schemas import (
    CouponCodeOut,
    CouponCodesIn,
    CouponCodesOut,
    LocalDate,
    PromotionIn,
    PromotionOut,
    PromotionUpdate,
)

router = APIRouter(prefix="/v1", responses=COMMON_ERRORS, tags=["promotions"])

PromotionReader = Annotated[Principal, Depends(requires("catalog:read"))]
PromotionWriter = Annotated[Principal, Depends(requires("promotions:write"))]
WRITE = error_responses("INVALID_DISCOUNT_DATES", "INVALID_STATUS", "VERSION_CONFLICT")


@router.get("/promotions", response_model=Page[PromotionOut])
async def list_promotions(
    session: DbSession,
    paging: Pagination,
    principal: PromotionReader,
    trigger: PromotionTrigger | None = None,
    active: bool | None = None,
    include_archived: Annotated[bool, Query(alias="includeArchived")] = False,
    valid_on: Annotated[
        LocalDate | None, Query(alias="validOn", description="Dated to include this day")
    ] = None,
    q: Annotated[str | None, Query(min_length=1, max_length=200, description="In the name")] = None,
) -> dict[str, object]:
    items, total = await service.list_promotions(
        session,
        principal,
        paging,
        trigger=trigger,
        active=active,
        include_archived=include_archived,
        valid_on=valid_on,
        q=q,
    )
    return paging.page_of(items, total)


@router.post("/promotions", response_model=PromotionOut, status_code=201, responses=WRITE)
async def create_promotion(
    body: PromotionIn, session: DbSession, principal: PromotionWriter
) -> PromotionOut:
    return await service.create_promotion(session, principal, body)


@router.get("/promotions/{promotion_id}", response_model=PromotionOut)
async def get_promotion(promotion_id: str, session: DbSession, _: PromotionReader) -> PromotionOut:
    return await service.show_promotion(session, promotion_id)


@router.patch("/promotions/{promotion_id}", response_model=PromotionOut, responses=WRITE)
async def update_promotion(
    promotion_id: str, body: PromotionUpdate, session: DbSession, principal: PromotionWriter
) -> PromotionOut:
    """Change the fields given; `null` clears an optional rule (e.g. `maxUses`)."""
    return await service.update_promotion(session, principal, promotion_id, body)


@router.delete("/promotions/{promotion_id}", response_model=PromotionOut)
async def archive_promotion(
    promotion_id: str, session: DbSession, _: PromotionWriter
) -> PromotionOut:
    """Archive: the promotion and its codes stop applying; its counted uses stay."""
    return await service.archive_promotion(session, promotion_id)


@router.post(
    "/promotions/{promotion_id}/codes",
    response_model=CouponCodesOut,
    status_code=201,
    responses=error_responses("ALREADY_EXISTS", "INVALID_STATUS"),
)
async def create_codes(
    promotion_id: str, body: CouponCodesIn, session: DbSession, principal: PromotionWriter
) -> CouponCodesOut:
    """One code (`code`) or `count` unique generated codes (`prefix`, `length`)."""
    return await codes.create_codes(session, principal, promotion_id, body)


@router.get("/promotions/{promotion_id}/codes", response_model=Page[CouponCodeOut])
async def list_codes(
    promotion_id: str, session: DbSession, paging: Pagination, _: PromotionReader
) -> dict[str, object]:
    items, total = await codes.list_codes(session, promotion_id, paging)
    return paging.page_of(items, total)
