"""Refund, void and exchange endpoints (included into the sales router)."""

from fastapi import APIRouter

from tillpoint.core.deps import DbSession
from tillpoint.core.openapi import error_responses
from tillpoint.sales.deps import (
    GiftCardCodes,
    OrderExchanger,
    OrderRefunder,
    OrderToExchange,
    OrderToRead,
    OrderToRefund,
    OrderToVoid,
    OrderVoider,
)
from tillpoint.sales.refunds import exchanges, voids
from tillpoint.sales.refunds import service as refunds
from tillpoint.sales.schemas import ExchangeIn, ExchangeOut, OrderOut, RefundIn, RefundOut, VoidIn

router = APIRouter(tags=["refunds, voids and exchanges"])

REFUND_ERRORS = error_responses("REFUND_NOT_ALLOWED", "REFUND_EXCEEDS_REMAINING", "SHIFT_NOT_OPEN")


@router.post(
    "/orders/{order_id}/refunds", response_model=RefundOut, status_code=201, responses=REFUND_ERRORS
)
async def refund_order(
    order: OrderToRefund, body: RefundIn, session: DbSession, principal: OrderRefunder
) -> RefundOut:
    """Refund lines and quantities (restocked or not), pro rata, to the original tenders
    unless `tenders` says otherwise."""
    return await refunds.refund_order(session, principal, order.id, body)


@router.get("/orders/{order_id}/refunds", response_model=list[RefundOut])
async def list_refunds(order: OrderToRead, session: DbSession) -> list[RefundOut]:
    return await refunds.list_refunds(session, order)


@router.get("/orders/{order_id}/refunds/{refund_id}", response_model=RefundOut)
async def get_refund(order: OrderToRead, refund_id: str, session: DbSession) -> RefundOut:
    return await refunds.show_refund(session, order, refund_id)


@router.post(
    "/orders/{order_id}/void",
    response_model=OrderOut,
    responses=error_responses("VOID_NOT_ALLOWED"),
)
async def void_order(
    order: OrderToVoid, body: VoidIn, session: DbSession, principal: OrderVoider
) -> OrderOut:
    """Cancel an open order, or a completed one without refunds, reversing stock and payments."""
    return (await voids.void_order(session, principal, order.id, body)).model


@router.post(
    "/orders/{order_id}/exchanges",
    response_model=ExchangeOut,
    status_code=201,
    responses=REFUND_ERRORS | error_responses("INSUFFICIENT_STOCK"),
)
async def exchange(
    order: OrderToExchange,
    body: ExchangeIn,
    session: DbSession,
    principal: OrderExchanger,
    guard: GiftCardCodes,
) -> ExchangeOut:
    """Returned lines and new lines in one call: the refund and the new order, linked both
    ways, settling only the difference (needs `orders:refund` and `orders:write`)."""
    return await exchanges.exchange(session, principal, order.id, body, guard)
