"""Refund, void and exchange endpoints (included into the sales router)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from tillpoint.core.auth import Principal
from tillpoint.core.deps import DbSession, requires
from tillpoint.core.openapi import error_responses
from tillpoint.sales.common_api import VisibleOrder
from tillpoint.sales.refunds import exchanges, voids
from tillpoint.sales.refunds import service as refunds
from tillpoint.sales.schemas import ExchangeIn, ExchangeOut, OrderOut, RefundIn, RefundOut, VoidIn

router = APIRouter(tags=["refunds, voids and exchanges"])

ORDER_READER = Depends(requires("orders:read"))
Refunder = Annotated[Principal, Depends(requires("orders:refund"))]
Voider = Annotated[Principal, Depends(requires("orders:void"))]
REFUND_ERRORS = error_responses("REFUND_NOT_ALLOWED", "REFUND_EXCEEDS_REMAINING", "SHIFT_NOT_OPEN")


@router.post(
    "/orders/{order_id}/refunds", response_model=RefundOut, status_code=201, responses=REFUND_ERRORS
)
async def refund_order(
    order: VisibleOrder, body: RefundIn, session: DbSession, principal: Refunder
) -> Any:
    """Refund lines and quantities (restocked or not), pro rata, to the original tenders
    unless `tenders` says otherwise."""
    return await refunds.refund_order(session, principal, order.id, body)


@router.get(
    "/orders/{order_id}/refunds",
    response_model=list[RefundOut],
    dependencies=[ORDER_READER],
)
async def list_refunds(order: VisibleOrder, session: DbSession) -> Any:
    return await refunds.list_refunds(session, order)


@router.get(
    "/orders/{order_id}/refunds/{refund_id}",
    response_model=RefundOut,
    dependencies=[ORDER_READER],
)
async def get_refund(order: VisibleOrder, refund_id: str, session: DbSession) -> Any:
    return await refunds.show_refund(session, order, refund_id)


@router.post(
    "/orders/{order_id}/void",
    response_model=OrderOut,
    responses=error_responses("VOID_NOT_ALLOWED"),
)
async def void_order(
    order: VisibleOrder, body: VoidIn, session: DbSession, principal: Voider
) -> Any:
    """Cancel an open order, or a completed one without refunds, reversing stock and payments."""
    return await voids.void_order(session, principal, order.id, body)


@router.post(
    "/orders/{order_id}/exchanges",
    response_model=ExchangeOut,
    status_code=201,
    responses=REFUND_ERRORS | error_responses("INSUFFICIENT_STOCK"),
)
async def exchange(
    order: VisibleOrder, body: ExchangeIn, session: DbSession, principal: Refunder
) -> Any:
    """Returned lines and new lines in one call: the refund and the new order, linked both
    ways, settling only the difference."""
    principal.require("orders:write")
    return await exchanges.exchange(session, principal, order.id, body)
