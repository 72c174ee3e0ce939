"""The loyalty program (``/v1/loyalty/program``) and a customer's points."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from tillpoint.core.auth import Principal
from tillpoint.core.deps import DbSession, requires
from tillpoint.core.errors import not_found
from tillpoint.core.openapi import COMMON_ERRORS, error_responses
from tillpoint.core.pagination import Pagination
from tillpoint.customers import loyalty
from tillpoint.customers.loyalty_models import LoyaltyProgram
from tillpoint.customers.loyalty_schemas import (
    LoyaltyAccountOut,
    LoyaltyAdjustmentIn,
    LoyaltyAdjustmentOut,
    LoyaltyProgramIn,
    LoyaltyProgramOut,
)
from tillpoint.customers.service import balance_holder

router = APIRouter(prefix="/v1", responses=COMMON_ERRORS, tags=["loyalty"])

CustomerReader = Annotated[Principal, Depends(requires("customers:read"))]
ProgramWriter = Annotated[Principal, Depends(requires("settings:write"))]
PointsAdjuster = Annotated[Principal, Depends(requires("loyalty:adjust"))]


# The customer whose points a route reads or changes: after the permission check and before
# the body (an unknown customer is 404 whatever the body), a merged-away id giving its survivor.
async def points_to_read(customer_id: str, session: DbSession, _: CustomerReader) -> str:
    return await balance_holder(session, customer_id)


async def points_to_adjust(customer_id: str, session: DbSession, _: PointsAdjuster) -> str:
    return await balance_holder(session, customer_id)


PointsToRead = Annotated[str, Depends(points_to_read)]
PointsToAdjust = Annotated[str, Depends(points_to_adjust)]


@router.get("/loyalty/program", response_model=LoyaltyProgramOut)
async def get_program(session: DbSession, principal: CustomerReader) -> LoyaltyProgram:
    program = await loyalty.get_program(session, principal.tenant_id)
    if program is None:
        raise not_found("Loyalty program")
    return program


@router.put(
    "/loyalty/program",
    response_model=LoyaltyProgramOut,
    responses=error_responses("VERSION_CONFLICT"),
)
async def put_program(
    body: LoyaltyProgramIn, session: DbSession, principal: ProgramWriter
) -> LoyaltyProgram:
    return await loyalty.put_program(session, principal, body)


@router.get("/customers/{customer_id}/loyalty", response_model=LoyaltyAccountOut)
async def get_customer_points(
    customer_id: PointsToRead, session: DbSession, paging: Pagination, principal: CustomerReader
) -> dict[str, Any]:
    return await loyalty.customer_points(session, principal, customer_id, paging)


@router.post(
    "/customers/{customer_id}/loyalty/adjustments",
    response_model=LoyaltyAdjustmentOut,
    status_code=201,
    responses=error_responses("LOYALTY_INSUFFICIENT_POINTS"),
)
async def adjust_points(
    customer_id: PointsToAdjust,
    body: LoyaltyAdjustmentIn,
    session: DbSession,
    principal: PointsAdjuster,
) -> loyalty.PointsChange:
    return await loyalty.adjust_points(session, principal, customer_id, body.points, body.reason)
