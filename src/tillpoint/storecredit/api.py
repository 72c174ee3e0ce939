"""Store credit endpoints, under the customer: the balance and history, and adjustments."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from tillpoint.core.auth import Principal
from tillpoint.core.deps import DbSession, requires
from tillpoint.core.openapi import COMMON_ERRORS, error_responses
from tillpoint.core.pagination import Pagination
from tillpoint.storecredit import service
from tillpoint.storecredit.schemas import StoreCreditAdjustIn, StoreCreditAdjustOut, StoreCreditOut

router = APIRouter(prefix="/v1", responses=COMMON_ERRORS, tags=["store credit"])

CreditReader = Annotated[Principal, Depends(requires("customers:read"))]
CreditAdjuster = Annotated[Principal, Depends(requires("store_credit:adjust"))]


async def _customer_to_read(customer_id: str, session: DbSession, _: CreditReader) -> str:
    return await service.known_customer(session, customer_id)


async def _customer_to_adjust(customer_id: str, session: DbSession, _: CreditAdjuster) -> str:
    # 404 for an unknown customer before the body is read (dependencies run first).
    return await service.known_customer(session, customer_id)


@router.get("/customers/{customer_id}/store-credit", response_model=StoreCreditOut)
async def show_credit(
    customer: Annotated[str, Depends(_customer_to_read)],
    session: DbSession,
    paging: Pagination,
    principal: CreditReader,
) -> dict[str, Any]:
    """The customer's store credit balance and its history (a page of ledger entries)."""
    return await service.show_credit(session, principal, customer, paging)


@router.post(
    "/customers/{customer_id}/store-credit",
    response_model=StoreCreditAdjustOut,
    status_code=201,
    responses=error_responses("STORE_CREDIT_INSUFFICIENT_BALANCE"),
)
async def adjust_credit(
    customer: Annotated[str, Depends(_customer_to_adjust)],
    body: StoreCreditAdjustIn,
    session: DbSession,
    principal: CreditAdjuster,
) -> dict[str, Any]:
    """Issue (positive `amount`) or take back (negative) store credit by hand, with a reason
    (permission `store_credit:adjust`); never below zero."""
    return await service.adjust(session, principal, customer, body)
